"""Reads of the attendance room: who runs a session, hours attended, people to add.

Each ``get_x_or_404`` raises ``NotFound`` (404) when there is no such object, or when the
viewer may not see it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from reseau.accounts.models import Category, Centre, PersonName, Role, User, UserStatus
from reseau.accounts.queries import active_holders
from reseau.attendance.models import Attendance, AttendanceStatus, Feedback
from reseau.catalogue.models import (
    Seance,
    SeanceStatus,
    SessionStatus,
    TrainingSession,
    session_trainer,
)
from reseau.catalogue.queries import may_see
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.http import RawQuery, RawReader
from reseau.core.lists import contains
from reseau.enrolment.models import Enrolment, EnrolmentStatus

# Feedback "à chaud" is asked for right after a session, not years later.
FEEDBACK_DAYS = 60


def attended_marks(*columns) -> sa.Select:
    """SELECT ``columns`` FROM the marks of people who came (present or late) to a scheduled
    séance, joined to the séance, its session and the person: what hours and people trained
    are counted from (add the sessions and the people wanted)."""
    return (
        sa.select(*columns)
        .select_from(Attendance)
        .join(Seance, Seance.id == Attendance.seance_id)
        .join(TrainingSession, TrainingSession.id == Seance.session_id)
        .join(User, User.id == Attendance.person_id)
        .where(
            Attendance.status.in_(AttendanceStatus.ATTENDED),
            Seance.status == SeanceStatus.SCHEDULED,
        )
    )


def feedback_open(session, now: datetime | None = None) -> bool:
    """Return whether feedback on the closed ``session`` is still collected (a session, or
    a row with its ``status`` and ``closed_at``)."""
    if session.status != SessionStatus.CLOSED:
        return False
    if session.closed_at is None:
        return True
    return (now or utcnow()) - session.closed_at <= timedelta(days=FEEDBACK_DAYS)


@cache
def _attended_sessions_statement() -> sa.Select:
    # Built once per process (home and "Mes formations" run it on every request): building
    # a statement and its cache key costs more than running it.
    person_id = sa.bindparam("person_id")
    given = sa.exists().where(
        Feedback.session_id == TrainingSession.id, Feedback.person_id == person_id
    )
    return (
        sa.select(
            TrainingSession.id,
            TrainingSession.title,
            TrainingSession.starts_at,
            TrainingSession.status,
            TrainingSession.closed_at,
            Seance.starts_at.label("seance_starts_at"),
            Seance.ends_at.label("seance_ends_at"),
            given.label("given"),
        )
        .join(Seance, Seance.session_id == TrainingSession.id)
        .join(Attendance, Attendance.seance_id == Seance.id)
        .where(
            Attendance.person_id == person_id,
            Attendance.status.in_(AttendanceStatus.ATTENDED),
            Seance.status == SeanceStatus.SCHEDULED,
            TrainingSession.status == SessionStatus.CLOSED,
        )
        .order_by(TrainingSession.starts_at.desc(), TrainingSession.id)
        .limit(2000)
    )


def attended_sessions(person: User) -> list[dict]:
    """Closed sessions ``person`` attended: hours, and whether feedback is waiting (for "Mes
    formations" and the home page). One query of plain columns (no session object loaded):
    the séances attended, with their session and the person's feedback on it, summed here
    per session; each item's ``session`` row has ``id``, ``title``, ``starts_at``,
    ``status`` and ``closed_at``."""
    rows = db.session.execute(_attended_sessions_statement(), {"person_id": person.id}).all()
    items: dict[int, dict] = {}
    now = utcnow()
    for row in rows:
        item = items.get(row.id)
        if item is None:
            item = items[row.id] = {
                "session": row,
                "hours": 0.0,
                "feedback_given": row.given,
                "feedback_waiting": not row.given and feedback_open(row, now),
            }
        item["hours"] += (row.seance_ends_at - row.seance_starts_at).total_seconds() / 3600
    return list(items.values())


def is_trainer_of(actor: User, session: TrainingSession) -> bool:
    return any(trainer.id == actor.id for trainer in session.trainers)


def hours_attended(session: TrainingSession) -> dict[int, float]:
    """Return {person id: hours attended} for ``session``: the sum of the scheduled séances
    where the person was present or late. People who attended nothing are left out."""
    rows = db.session.execute(
        sa.select(Attendance.person_id, Seance.starts_at, Seance.ends_at)
        .join(Seance, Seance.id == Attendance.seance_id)
        .where(
            Seance.session_id == session.id,
            Seance.status == SeanceStatus.SCHEDULED,
            Attendance.status.in_(AttendanceStatus.ATTENDED),
        )
    ).all()
    hours: dict[int, float] = {}
    for person_id, starts_at, ends_at in rows:
        hours[person_id] = hours.get(person_id, 0.0) + (ends_at - starts_at).total_seconds() / 3600
    return hours


def search_people(text: str, *, limit: int = 20) -> list[User]:
    """Return people whose name contains ``text`` (a walk-in is looked up by name)."""
    words = [w for w in text.lower().split() if w][:3]
    if not words or len(text.strip()) < 2:
        return []
    query = (
        sa.select(User)
        .options(so.joinedload(User.centre))
        .where(User.status.in_((UserStatus.ACTIVE, UserStatus.INVITED, UserStatus.GUEST)))
    )
    for word in words:
        query = query.where(sa.or_(contains(User.first_name, word), contains(User.last_name, word)))
    return list(db.session.scalars(query.order_by(User.last_name, User.first_name).limit(limit)))


# What the trainer's pages show of a session.
SESSION_OPTIONS = (
    # The trainers' names and ids; their roles only if something asks (it seldom does).
    so.selectinload(TrainingSession.trainers).lazyload(User.role_rows),
    so.selectinload(TrainingSession.seances),
    so.joinedload(TrainingSession.host_centre),
)


@cache
def _session_statement() -> sa.Select:
    # Every roster tap and page reads it: built once per process, with SESSION_OPTIONS.
    return (
        sa.select(TrainingSession)
        .options(*SESSION_OPTIONS)
        .where(TrainingSession.id == sa.bindparam("session_id"))
    )


def _get_session_or_404(session_id: int, viewer: User) -> TrainingSession:
    """``catalogue.queries.get_session_or_404`` with SESSION_OPTIONS, its statement built once."""
    session = db.session.scalar(_session_statement(), {"session_id": session_id})
    if session is None or not may_see(viewer, session):
        abort(404)
    return session


def get_trainer_session_or_404(session_id: int, viewer: User) -> TrainingSession:
    """Return a session ``viewer`` runs (any, for the coordinator), not a draft (a draft has
    no roster); else abort with 404."""
    session = _get_session_or_404(session_id, viewer)
    _check_runs(session, viewer)
    return session


def _check_runs(session: TrainingSession, viewer: User, *, runs: bool | None = None) -> None:
    """404 unless ``viewer`` may run ``session``; ``runs``: whether they are one of its
    trainers, when already known (else read from ``session.trainers``)."""
    if session.status == SessionStatus.DRAFT:
        abort(404)
    if viewer.is_coordinator:
        return
    if not (is_trainer_of(viewer, session) if runs is None else runs):
        abort(404)


def _viewer_runs() -> sa.Label:
    """Whether the viewer (``viewer_id``) is one of the séance's session's trainers."""
    return (
        sa.exists()
        .where(
            session_trainer.c.session_id == Seance.session_id,
            session_trainer.c.user_id == sa.bindparam("viewer_id", type_=sa.Integer),
        )
        .label("runs")
    )


def _roster_access(viewer: User, session, runs) -> bool:
    """The roster's access check once its séance is read (404 otherwise); whether
    ``viewer`` runs the session."""
    if not may_see(viewer, session):
        abort(404)
    runs = bool(runs)
    _check_runs(session, viewer, runs=runs)
    return runs


@cache
def _roster_seance_statement() -> sa.Select:
    # The séance and its session, with whether the viewer is one of its trainers: one
    # statement, what the roster page asks of them (not the session's séances, its place nor
    # its trainers as people). Built once.
    return (
        sa.select(Seance, _viewer_runs())
        .options(so.joinedload(Seance.session))
        .where(Seance.id == sa.bindparam("seance_id"))
    )


def get_roster_seance_or_404(seance_id: int, viewer: User) -> tuple[Seance, bool]:
    """``get_trainer_seance_or_404`` for reading a séance's roster, in one statement (its
    session's séances, place and trainers are not loaded): the séance, and whether
    ``viewer`` is one of its trainers."""
    row = db.session.execute(
        _roster_seance_statement(), {"seance_id": seance_id, "viewer_id": viewer.id}
    ).one_or_none()
    if row is None:
        abort(404)
    return row.Seance, _roster_access(viewer, row.Seance.session, row.runs)


class RosterSession(NamedTuple):
    """What the roster page shows of a séance's session, and what its access checks read
    (``may_see``, ``_check_runs``, ``operations.can_record``: its status)."""

    id: int
    title: str
    status: SessionStatus


class RosterSeance(NamedTuple):
    """What the roster page shows of a séance (``attendance/seance_roster.html``)."""

    id: int
    session_id: int
    starts_at: datetime
    ends_at: datetime
    status: SeanceStatus
    session: RosterSession


def _roster_page_statement() -> sa.Select:
    return (
        sa.select(
            Seance.id,
            Seance.session_id,
            Seance.starts_at,
            Seance.ends_at,
            Seance.status,
            TrainingSession.title,
            TrainingSession.status.label("session_status"),
            _viewer_runs(),
        )
        .join(TrainingSession, TrainingSession.id == Seance.session_id)
        .where(Seance.id == sa.bindparam("seance_id", type_=sa.Integer))
    )


_ROSTER_PAGE_SEANCE = RawQuery(_roster_page_statement)


def roster_page_seance_or_404(
    reader: RawReader, seance_id: int, viewer: User
) -> tuple[RosterSeance, bool]:
    """``get_roster_seance_or_404`` for the roster page, read as plain values on ``reader``
    (one statement, no ORM entity): the séance with its session's title and status, and
    whether ``viewer`` is one of its trainers."""
    row = reader.first(_ROSTER_PAGE_SEANCE, {"seance_id": seance_id, "viewer_id": viewer.id})
    if row is None:
        abort(404)
    id_, session_id, starts_at, ends_at, status, title, session_status, runs = row
    session = RosterSession(session_id, title, session_status)
    runs = _roster_access(viewer, session, runs)
    return RosterSeance(id_, session_id, starts_at, ends_at, status, session), runs


def get_trainer_seance_or_404(seance_id: int, viewer: User) -> Seance:
    """Return a séance of a session ``viewer`` may run (``get_trainer_session_or_404``)."""
    seance = db.session.get(Seance, seance_id)
    if seance is None:
        abort(404)
    session = get_trainer_session_or_404(seance.session_id, viewer)
    # Read while ``session`` is alive: the séance then holds the very object, loaded with
    # its trainers and séances (the identity map keeps objects only while referenced).
    if seance.session is not session:
        abort(404)
    return seance


def get_own_closed_session_or_404(session_id: int, viewer: User) -> tuple[TrainingSession, float]:
    """Return a closed session ``viewer`` attended, with their hours; else abort with 404."""
    session = _get_session_or_404(session_id, viewer)
    if session.status != SessionStatus.CLOSED:
        abort(404)
    hours = hours_attended(session).get(viewer.id)
    if not hours:
        abort(404)
    return session, hours


def certificate_signatory(session: TrainingSession, configured: str = "") -> str:
    """Who signs the certificates for the network: ``configured`` (CERTIFICATE_SIGNATORY),
    else the coordinator who closed the session, else the first coordinator."""
    if configured.strip():
        return configured.strip()
    coordinators = active_holders(Role.COORDINATOR)
    person = None
    if session.closed_by_id is not None:
        person = db.session.scalar(coordinators.where(User.id == session.closed_by_id))
    if person is None:
        person = db.session.scalar(coordinators.order_by(User.id).limit(1))
    return f"{person.full_name}, coordination régionale" if person is not None else ""


# --- The roster page, read as plain rows -------------------------------------------------


@dataclass(frozen=True)
class RosterCentre:
    name: str


@dataclass(frozen=True)
class RosterPerson(PersonName):
    """What the roster shows of a person (``attendance/_attendee.html``)."""

    id: int
    first_name: str
    last_name: str
    category: Category
    centre: RosterCentre | None


@dataclass
class RosterRow:
    """A line of the roster page: ``operations.RosterLine`` read as plain values."""

    person: RosterPerson
    enrolment_id: int | None
    status: AttendanceStatus | None = None

    @property
    def is_walk_in(self) -> bool:
        return self.enrolment_id is None


@dataclass
class RosterRows:
    seance: Seance
    lines: list[RosterRow] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(line.status for line in self.lines)


@cache
def _roster_rows_statement() -> sa.Select:
    """The session's confirmed enrolments (``part`` 0) and marks (``part`` 1), each with its
    person and centre: one statement of plain rows, built once per process."""
    session_id = sa.bindparam("session_id", type_=sa.Integer)
    marks = sa.select(
        sa.literal(1).label("part"),
        Attendance.id.label("row_id"),
        Attendance.person_id.label("person_id"),
        Attendance.enrolment_id.label("enrolment_id"),
        Attendance.seance_id.label("seance_id"),
        Attendance.status.label("status"),
    ).where(Attendance.seance_id.in_(sa.select(Seance.id).where(Seance.session_id == session_id)))
    enrolments = sa.select(
        sa.literal(0),
        Enrolment.id,
        Enrolment.person_id,
        Enrolment.id,
        sa.null(),
        sa.null(),
    ).where(Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.CONFIRMED)
    lines = sa.union_all(marks, enrolments).subquery("lines")
    return (
        sa.select(
            lines.c.part,
            lines.c.person_id,
            lines.c.enrolment_id,
            lines.c.seance_id,
            lines.c.status,
            User.first_name,
            User.last_name,
            User.category,
            Centre.name.label("centre_name"),
        )
        .join(User, User.id == lines.c.person_id)
        .outerjoin(Centre, Centre.id == User.centre_id)
        .order_by(lines.c.part, lines.c.row_id)
    )


_ROSTER_ROWS = RawQuery(_roster_rows_statement)


def roster_rows(seance: Seance | RosterSeance, reader: RawReader | None = None) -> RosterRows:
    """``operations.roster(seance)`` for reading only: the same people in the same order,
    with their status at ``seance``, as plain values (one statement, no ORM entity). Read on
    ``reader`` when given (a page), else through the ORM session (after a tap: it flushes)."""
    lines: dict[int, RosterRow] = {}
    parameters = {"session_id": seance.session_id}
    if reader is not None:
        rows = reader.all(_ROSTER_ROWS, parameters)
    else:
        rows = db.session.execute(_roster_rows_statement(), parameters)
    for row in rows:
        line = lines.get(row.person_id)
        if line is None:
            centre = RosterCentre(row.centre_name) if row.centre_name is not None else None
            person = RosterPerson(
                row.person_id, row.first_name, row.last_name, row.category, centre
            )
            line = lines[row.person_id] = RosterRow(person, row.enrolment_id)
        if row.part == 1 and row.seance_id == seance.id:
            line.status = row.status
    ordered = sorted(
        lines.values(), key=lambda line: (line.person.last_name.lower(), line.person.first_name)
    )
    return RosterRows(seance=seance, lines=ordered)
