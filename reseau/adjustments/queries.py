"""Reads of the adjustments room: who may read requests, the requests, the contacts."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from reseau.accounts.models import Role, User, UserRole, UserStatus
from reseau.accounts.queries import mailable_holders
from reseau.adjustments.models import AdjustmentRequest
from reseau.catalogue import choices
from reseau.catalogue.models import TrainingSession
from reseau.core.extensions import db

# The roles that read and answer requests: the coordinator and the référent·es handicap.
READERS = (Role.COORDINATOR, Role.DISABILITY)


def reads_requests(user) -> bool:
    """The one rule: who may read adjustment requests (besides the person, their own)."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*READERS)


def contacts_select() -> sa.Select:
    """Every holder of the role, by name. Read through the role's index: filtered by status
    in SQL, SQLite's planner walks every active person instead (see contacts_fingerprint)."""
    return (
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.DISABILITY)
        .order_by(User.last_name, User.first_name, User.id)
    )


def disability_contacts() -> list[User]:
    """The référent·es handicap, whose contact every session page shows (a handful of people
    hold the role: the active ones with an address are kept here)."""
    return shown_contacts(
        (person, person.status) for person in db.session.scalars(contacts_select())
    )


CONTACTS_SHOWN = 5


def shown_contacts(holders) -> list:
    """The contacts a page shows, from (person, status) pairs in their order: the active
    ones with an address, five at most (the ORM's people or a page's plain rows)."""
    shown = [person for person, status in holders if status == UserStatus.ACTIVE and person.email]
    return shown[:CONTACTS_SHOWN]


def coordinators() -> list[User]:
    return mailable_holders(Role.COORDINATOR)


def contacts_fingerprint() -> list:
    """What the contacts shown depend on, as scalar subqueries for a public page's ETag.

    Every holder of the role, whatever their status or address: a change of either updates
    the person's ``updated_at``, so the fingerprint moves all the same, and the role's index
    drives the read (filtered by status, SQLite's planner walked every active person)."""
    holders = (
        sa.select()
        .select_from(UserRole)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.DISABILITY)
    )
    return [
        holders.add_columns(column).scalar_subquery()
        for column in (
            sa.func.count(User.id),
            sa.func.coalesce(sa.func.sum(User.id), 0),
            sa.func.max(User.updated_at),
        )
    ]


def request_for(person: User, session_id: int) -> AdjustmentRequest | None:
    return db.session.scalar(
        sa.select(AdjustmentRequest).where(
            AdjustmentRequest.person_id == person.id, AdjustmentRequest.session_id == session_id
        )
    )


class OwnRequest(NamedTuple):
    """A person's own request as "Mes formations" shows it (plain columns)."""

    session_id: int
    text: str
    arranged: str
    arranged_at: datetime | None

    @property
    def is_arranged(self) -> bool:
        return self.arranged_at is not None


@cache
def _own_requests_statement() -> sa.Select:
    # Built once per process: "Mes formations" runs it on every request.
    return sa.select(
        AdjustmentRequest.session_id,
        AdjustmentRequest.text,
        AdjustmentRequest.arranged,
        AdjustmentRequest.arranged_at,
    ).where(AdjustmentRequest.person_id == sa.bindparam("person_id"))


def requests_by_session(person: User) -> dict[int, OwnRequest]:
    """The person's own requests, by session id (for "Mes formations"), as plain rows."""
    rows = db.session.execute(_own_requests_statement(), {"person_id": person.id})
    return {row.session_id: OwnRequest(*row) for row in rows}


def requests_of(person: User) -> list[AdjustmentRequest]:
    """The person's requests with their sessions, oldest first (for "Mes données")."""
    return list(
        db.session.scalars(
            sa.select(AdjustmentRequest)
            .options(so.joinedload(AdjustmentRequest.session))
            .where(AdjustmentRequest.person_id == person.id)
            .order_by(AdjustmentRequest.created_at, AdjustmentRequest.id)
        )
    )


def requests_select(filters: dict) -> sa.Select:
    """The list page's requests: open ones first, then by the session's start."""
    query = (
        sa.select(AdjustmentRequest)
        .join(TrainingSession, TrainingSession.id == AdjustmentRequest.session_id)
        .options(
            so.contains_eager(AdjustmentRequest.session),
            so.joinedload(AdjustmentRequest.person).joinedload(User.centre),
            so.joinedload(AdjustmentRequest.arranged_by),
        )
    )
    if filters.get("etat") == "ouvertes":
        query = query.where(
            AdjustmentRequest.arranged_at.is_(None), AdjustmentRequest.withdrawn_at.is_(None)
        )
    elif filters.get("etat") == "prevues":
        query = query.where(AdjustmentRequest.arranged_at.is_not(None))
    if filters.get("session"):
        query = query.where(AdjustmentRequest.session_id == filters["session"])
    return query.order_by(
        AdjustmentRequest.withdrawn_at.is_not(None),  # enrolment cancelled: nothing to do
        AdjustmentRequest.arranged_at.is_not(None),
        TrainingSession.starts_at.desc(),
        AdjustmentRequest.id,
    )


def session_choices() -> list[tuple[int | str, str]]:
    """The sessions someone asked an adjustment for, for the list's filter ("all" first)."""
    return choices.session_choices(
        among=sa.select(AdjustmentRequest.session_id), blank="Toutes les sessions"
    )


def get_request_or_404(request_id: int) -> AdjustmentRequest:
    """Return the request with its person and session, or abort with 404."""
    found = db.session.scalar(
        sa.select(AdjustmentRequest)
        .options(
            so.joinedload(AdjustmentRequest.session),
            so.joinedload(AdjustmentRequest.person).joinedload(User.centre),
            so.joinedload(AdjustmentRequest.arranged_by),
        )
        .where(AdjustmentRequest.id == request_id)
    )
    if found is None:
        abort(404)
    return found


@cache
def open_count_statement() -> sa.Select:
    """How many requests wait for an answer; those whose enrolment was cancelled do not.
    Built once per process (the readers' home page asks it on every request; the
    coordinator's, among its other counts)."""
    return sa.select(sa.func.count(AdjustmentRequest.id)).where(
        AdjustmentRequest.arranged_at.is_(None), AdjustmentRequest.withdrawn_at.is_(None)
    )


def open_count() -> int:
    """How many requests wait for an answer (the readers' home page)."""
    return db.session.scalar(open_count_statement())
