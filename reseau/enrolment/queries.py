"""Reads of the enrolment room: seats, waitlists, someone's enrolment, overlaps.

Each ``get_x_or_404`` raises ``NotFound`` (404) when there is no such object, or when the
viewer may not see it.
"""

from __future__ import annotations

import functools
from datetime import datetime
from functools import cache

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from reseau.accounts.access import can_manage_person
from reseau.accounts.models import User
from reseau.catalogue.models import (
    Audience,
    Module,
    PlaceKind,
    Seance,
    SeanceStatus,
    SessionStatus,
    TrainingSession,
)
from reseau.catalogue.queries import wheelchair_accessible
from reseau.core.extensions import db
from reseau.core.i18n import from_local
from reseau.core.lists import contains
from reseau.enrolment.models import Enrolment, EnrolmentStatus

# Statuses that hold a seat: never more of them than the capacity.
HOLDING = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING, EnrolmentStatus.OFFERED)
# Statuses of a live enrolment (holding a seat or waiting for one).
ACTIVE = (*HOLDING, EnrolmentStatus.WAITLISTED)


def seats_taken(session_ids) -> dict[int, int]:
    """Return {session id: seats held} for ``session_ids``, in one grouped query."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Enrolment.session_id, sa.func.count(Enrolment.id))
        .where(Enrolment.session_id.in_(ids), Enrolment.status.in_(HOLDING))
        .group_by(Enrolment.session_id)
    ).all()
    return {session_id: count for session_id, count in rows}


def seats_and_waitlists(session_ids) -> dict[int, tuple[int, int]]:
    """Return {session id: (seats held, people waiting)} for ``session_ids``, one query."""
    ids = list(session_ids)
    if not ids:
        return {}
    waiting = Enrolment.status == EnrolmentStatus.WAITLISTED
    rows = db.session.execute(
        sa.select(
            Enrolment.session_id,
            sa.func.count(sa.case((Enrolment.status.in_(HOLDING), Enrolment.id))),
            sa.func.count(sa.case((waiting, Enrolment.id))),
        )
        .where(Enrolment.session_id.in_(ids), Enrolment.status.in_(ACTIVE))
        .group_by(Enrolment.session_id)
    ).all()
    return {session_id: (taken, waits) for session_id, taken, waits in rows}


def sees_visio_link(
    person: User | None, session: TrainingSession, enrolment: Enrolment | None = None
) -> bool:
    """Whether ``person`` may see the session's visio link: its trainers, the coordination
    and the people with a confirmed place (``enrolment``: theirs, if already read)."""
    if person is None or session.place_kind != PlaceKind.VISIO or not session.visio_url:
        return False
    if person.is_coordinator or any(trainer.id == person.id for trainer in session.trainers):
        return True
    enrolment = enrolment if enrolment is not None else get_enrolment(session, person)
    return enrolment is not None and enrolment.shows_visio_link


def seats_left(session: TrainingSession, taken: int | None = None) -> int:
    if taken is None:
        taken = seats_taken([session.id]).get(session.id, 0)
    return max(session.capacity - taken, 0)


def queue_order():
    """The waitlist order: arrival time, then id (ids follow insertion under the lock)."""
    return (Enrolment.queued_at, Enrolment.id)


def waitlist_position(enrolment: Enrolment) -> int | None:
    """Return the 1-based waitlist position of ``enrolment``, or None when not waitlisted.

    Computed from the queue order, never stored: cancellations leave no gaps.
    """
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count(Enrolment.id)).where(
            Enrolment.session_id == enrolment.session_id,
            Enrolment.status == EnrolmentStatus.WAITLISTED,
            sa.or_(
                Enrolment.queued_at < enrolment.queued_at,
                sa.and_(Enrolment.queued_at == enrolment.queued_at, Enrolment.id < enrolment.id),
            ),
        )
    )
    return ahead + 1


def waitlist(session: TrainingSession) -> list[Enrolment]:
    """Return the waitlisted enrolments of ``session`` in queue order, people loaded."""
    return list(
        db.session.scalars(
            sa.select(Enrolment)
            .options(so.joinedload(Enrolment.person).joinedload(User.centre))
            .where(
                Enrolment.session_id == session.id,
                Enrolment.status == EnrolmentStatus.WAITLISTED,
            )
            .order_by(*queue_order())
        )
    )


def get_enrolment(session: TrainingSession, person: User) -> Enrolment | None:
    return db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.session_id == session.id, Enrolment.person_id == person.id
        )
    )


def find_overlap(person: User, session: TrainingSession) -> TrainingSession | None:
    """Return another session ``person`` is confirmed in whose séances overlap this one's.

    One statement, built once: the session's own scheduled séances are joined in SQL (no
    séance loaded, no expression built per séance)."""
    return db.session.scalar(
        _overlap_statement(), {"session_id": session.id, "person_id": person.id}
    )


@functools.cache
def _overlap_statement() -> sa.Select:
    other, mine = so.aliased(Seance), so.aliased(Seance)
    session_id = sa.bindparam("session_id", type_=sa.Integer)
    return (
        sa.select(TrainingSession)
        .join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .join(other, other.session_id == TrainingSession.id)
        .join(
            mine,
            sa.and_(
                mine.session_id == session_id,
                mine.status == SeanceStatus.SCHEDULED,
                other.starts_at < mine.ends_at,
                other.ends_at > mine.starts_at,
            ),
        )
        .where(
            Enrolment.person_id == sa.bindparam("person_id", type_=sa.Integer),
            Enrolment.status == EnrolmentStatus.CONFIRMED,
            TrainingSession.id != session_id,
            TrainingSession.status == SessionStatus.PUBLISHED,
            other.status == SeanceStatus.SCHEDULED,
        )
        .order_by(TrainingSession.starts_at)
        .limit(1)
    )


def get_enrolment_or_404(enrolment_id: int) -> Enrolment:
    """Return the enrolment with its person and session, or abort with 404."""
    return db.first_or_404(
        sa.select(Enrolment)
        .options(so.joinedload(Enrolment.person), so.joinedload(Enrolment.session))
        .where(Enrolment.id == enrolment_id)
    )


def get_managed_enrolment_or_404(actor: User, enrolment_id: int) -> Enrolment:
    """Return an enrolment of a person ``actor`` manages (or their own); others are 404."""
    enrolment = get_enrolment_or_404(enrolment_id)
    if enrolment.person_id != actor.id and not can_manage_person(actor, enrolment.person):
        abort(404)
    return enrolment


def waitlist_positions(waiting: list[Enrolment]) -> dict[int, int]:
    """Return {enrolment id: waitlist position} for ``waiting``, in one query."""
    if not waiting:
        return {}
    rows = db.session.execute(_positions_statement(), {"ids": [e.id for e in waiting]}).all()
    return dict(rows)


@cache
def _positions_statement() -> sa.Select:
    # Built once per process ("Mes formations" runs it on every request).
    other = so.aliased(Enrolment)
    return (
        sa.select(Enrolment.id, sa.func.count(other.id))
        .join(
            other,
            sa.and_(
                other.session_id == Enrolment.session_id,
                other.status == EnrolmentStatus.WAITLISTED,
                sa.or_(
                    other.queued_at < Enrolment.queued_at,
                    sa.and_(other.queued_at == Enrolment.queued_at, other.id <= Enrolment.id),
                ),
            ),
        )
        .where(Enrolment.id.in_(sa.bindparam("ids", expanding=True)))
        .group_by(Enrolment.id)
    )


def roster_groups(session: TrainingSession) -> dict[str, list[Enrolment]]:
    """The session's enrolments by group (holding a seat, waiting, cancelled), in queue order."""
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .options(so.joinedload(Enrolment.person).joinedload(User.centre))
        .where(Enrolment.session_id == session.id)
        .order_by(*queue_order())
    ).all()
    groups: dict[str, list[Enrolment]] = {
        "holding": [],
        "waitlisted": [],
        "cancelled": [],
    }
    for enrolment in enrolments:
        if enrolment.status in HOLDING:
            groups["holding"].append(enrolment)
        elif enrolment.status == EnrolmentStatus.WAITLISTED:
            groups["waitlisted"].append(enrolment)
        else:
            groups["cancelled"].append(enrolment)
    return groups


# --- The public catalogue ---------------------------------------------------------------


def list_options():
    """What a list of sessions shows of each."""
    return (
        so.joinedload(TrainingSession.theme),
        so.joinedload(TrainingSession.host_centre),
        so.joinedload(TrainingSession.department),
        so.joinedload(TrainingSession.module).joinedload(Module.cycle),
    )


def month_bounds(value: str) -> tuple[datetime, datetime] | None:
    """Return the UTC bounds of a « YYYY-MM » month in Paris time, or None if malformed."""
    try:
        year, month = (int(part) for part in value.split("-", 1))
        start = datetime(year, month, 1)
    except ValueError:
        return None
    end = datetime(year + (month == 12), month % 12 + 1, 1)
    return from_local(start), from_local(end)


def seats_held_subquery():
    return (
        sa.select(sa.func.count(Enrolment.id))
        .where(Enrolment.session_id == TrainingSession.id, Enrolment.status.in_(HOLDING))
        .correlate(TrainingSession)
        .scalar_subquery()
    )


def catalogue_query(filters: dict, now: datetime) -> sa.Select:
    """Return the SELECT of the published, upcoming sessions matching ``filters``."""
    query = (
        sa.select(TrainingSession)
        .options(*list_options())
        .where(
            TrainingSession.status == SessionStatus.PUBLISHED,
            TrainingSession.ends_at >= now,
        )
    )
    if filters["q"]:
        query = query.where(
            sa.or_(
                contains(TrainingSession.title, filters["q"]),
                contains(TrainingSession.description, filters["q"]),
                contains(TrainingSession.town, filters["q"]),
            )
        )
    if filters["theme"]:
        query = query.where(TrainingSession.theme_id == filters["theme"])
    if filters["cycle"]:
        query = query.where(
            TrainingSession.module_id.in_(
                sa.select(Module.id).where(Module.cycle_id == filters["cycle"])
            )
        )
    if filters["type"]:
        query = query.where(TrainingSession.kind == filters["type"])
    if filters["departement"]:
        query = query.where(TrainingSession.department_id == filters["departement"])
    if filters["mois"]:
        start, end = month_bounds(filters["mois"])
        query = query.where(TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
    if filters["public"]:
        wanted = [filters["public"], Audience.TOUS.value]
        query = query.where(TrainingSession.audience.in_(wanted))
    if filters["places"]:
        query = query.where(seats_held_subquery() < TrainingSession.capacity)
    if filters.get("fauteuil"):
        query = query.where(wheelchair_accessible())
    return query.order_by(TrainingSession.starts_at, TrainingSession.id)


def seats_left_by_session(sessions) -> dict[int, int]:
    taken = seats_taken(s.id for s in sessions)
    return {s.id: max(s.capacity - taken.get(s.id, 0), 0) for s in sessions}


def published_sessions(query) -> tuple[list[TrainingSession], dict[int, int]]:
    sessions = db.session.scalars(
        query.options(*list_options())
        .where(TrainingSession.status == SessionStatus.PUBLISHED)
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(200)
    ).all()
    return sessions, seats_left_by_session(sessions)


@cache
def my_enrolments_statement() -> sa.Select:
    """A person's (``person_id``) enrolments, newest session first, each with its session,
    host centre and number of séances (no séance loaded): "Mes formations". Built once per
    process: building the statement costs more than running it."""
    seance_count = (
        sa.select(sa.func.count(Seance.id))
        .where(Seance.session_id == TrainingSession.id)
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    return (
        sa.select(Enrolment, seance_count)
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .options(so.contains_eager(Enrolment.session).joinedload(TrainingSession.host_centre))
        .where(Enrolment.person_id == sa.bindparam("person_id"))
        .order_by(TrainingSession.starts_at.desc(), Enrolment.id)
        .limit(500)
    )
