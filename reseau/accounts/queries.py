"""Reads of the accounts room: people by e-mail, referents, départements and centres.

Each ``get_x_or_404`` raises ``NotFound`` (404) when there is no such object.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import Centre, Department, Role, User, UserRole, UserStatus
from reseau.core.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def active_holders(role: Role) -> sa.Select:
    """SELECT the active people who hold ``role`` (add an order, a centre…)."""
    return (
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.status == UserStatus.ACTIVE)
    )


def mailable_holders(role: Role, centre_id: int | None = None) -> list[User]:
    """The active people holding ``role`` who have an address (of one centre if given), in
    the order their accounts were made: who a room's notices go to."""
    query = active_holders(role).where(User.email.is_not(None))
    if centre_id is not None:
        query = query.where(User.centre_id == centre_id)
    return list(db.session.scalars(query.order_by(User.id)))


def centre_referents(centre: Centre) -> list[User]:
    """Return the active referents of ``centre`` (who approve its registrations)."""
    return list(
        db.session.scalars(
            active_holders(Role.REFERENT)
            .where(User.centre_id == centre.id, User.email.is_not(None))
            .order_by(User.last_name)
        )
    )


def get_department_or_404(department_id: int) -> Department:
    """Return the département, or abort with 404."""
    return db.get_or_404(Department, department_id)


def get_centre_or_404(centre_id: int) -> Centre:
    """Return the centre with its département, or abort with 404."""
    return db.first_or_404(
        sa.select(Centre).options(so.joinedload(Centre.department)).where(Centre.id == centre_id)
    )
