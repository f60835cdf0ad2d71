"""What the diagnostic does when the catalogue or the accounts announce something."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.accounts.models import Centre, User
from reseau.accounts.signals import centre_regrouped, people_changed, person_regrouped
from reseau.catalogue.signals import session_published
from reseau.core.extensions import db
from reseau.diagnostic import operations, rollups
from reseau.diagnostic.models import DiagnosticResponse


@session_published.connect
def tell_people_who_asked(session, actor=None, **extra) -> None:
    """A session on a theme is published: invite those who asked for that theme (once)."""
    operations.notify_people_of_session(session, actor=actor)


@person_regrouped.connect
def move_person_counts(person, centre_id=None, category=None, **extra) -> None:
    """A person changed category or centre: their answers count in their new group."""
    department_id = db.session.scalar(sa.select(Centre.department_id).where(Centre.id == centre_id))
    rollups.move_person(
        person.id, (department_id or rollups.NO_CENTRE, rollups.category_value(category))
    )


@centre_regrouped.connect
def move_centre_counts(centre, department_id=None, **extra) -> None:
    """A centre changed département: its people's answers count in the new one."""
    people = db.session.execute(
        sa.select(User.id, User.category)
        .where(
            User.centre_id == centre.id,
            User.id.in_(sa.select(DiagnosticResponse.person_id)),
        )
        .order_by(User.id)
    ).all()
    for person_id, category in people:
        rollups.move_person(
            person_id, (department_id or rollups.NO_CENTRE, rollups.category_value(category))
        )


@people_changed.connect
def count_people(session, changes=(), **extra) -> None:
    """People were created, deleted or changed status, address, centre or category: the
    response rates' rows follow them (in the flush that wrote them)."""
    rollups.record_people(changes)
