"""Reads of the enrolment room: seats, waitlists, someone's enrolment, overlaps.

Each ``get_x_or_404`` raises ``NotFound`` (404) when there is no such object, or when the
viewer may not see it.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from reseau.accounts.access import can_manage_person
from reseau.accounts.models import User
from reseau.catalogue.models import PlaceKind, Seance, SeanceStatus, SessionStatus, TrainingSession
from reseau.core.extensions import db
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
    """Return another session ``person`` is confirmed in whose séances overlap this one's."""
    mine = [s for s in session.seances if s.status == SeanceStatus.SCHEDULED]
    if not mine:
        return None
    other_seance = so.aliased(Seance)
    overlaps = sa.or_(
        *(
            sa.and_(other_seance.starts_at < s.ends_at, other_seance.ends_at > s.starts_at)
            for s in mine
        )
    )
    return db.session.scalar(
        sa.select(TrainingSession)
        .join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .join(other_seance, other_seance.session_id == TrainingSession.id)
        .where(
            Enrolment.person_id == person.id,
            Enrolment.status == EnrolmentStatus.CONFIRMED,
            TrainingSession.id != session.id,
            TrainingSession.status == SessionStatus.PUBLISHED,
            other_seance.status == SeanceStatus.SCHEDULED,
            overlaps,
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
