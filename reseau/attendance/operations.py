"""Attendance rules: the roster of a séance, statuses, walk-ins, self check-in, closing a
session, hours attended and feedback.

Functions take models and an explicit ``actor``, flush and never commit: the view commits.
A refused action raises AttendanceError with a French message for the person.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError

from reseau.accounts.models import Category, Centre, User, UserStatus
from reseau.attendance import rollups
from reseau.attendance.models import Attendance, AttendanceStatus, Feedback
from reseau.attendance.queries import (  # noqa: F401 (feedback_open: also read from here)
    FEEDBACK_DAYS,
    feedback_open,
    hours_attended,
    is_trainer_of,
)
from reseau.attendance.signals import record_guard
from reseau.catalogue.models import Seance, SeanceStatus, SessionStatus, TrainingSession
from reseau.catalogue.operations import CatalogueError
from reseau.catalogue.operations import close_session as close_training_session
from reseau.core.audit import record_audit
from reseau.core.database import lock_row, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import datetime_fr
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.outbox import queue_mail
from reseau.outbox.queue import external_url

# Self check-in opens this long before a séance starts (and closes when it ends).
CHECKIN_MARGIN = timedelta(minutes=30)


class AttendanceError(Exception):
    """A refused action; ``message`` is French and shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Reading -----------------------------------------------------------------------------


def can_record(actor: User, session: TrainingSession, *, runs: bool | None = None) -> bool:
    """Return whether ``actor`` may change attendance of ``session`` now.

    Trainers of the session until it is closed; the coordinator always (corrections after
    closing are audited). ``runs``: whether ``actor`` is one of its trainers, when already
    known (else read from ``session.trainers``)."""
    if session.status not in (SessionStatus.PUBLISHED, SessionStatus.CLOSED):
        return False
    if actor.is_coordinator:
        return True
    if session.status != SessionStatus.PUBLISHED:
        return False
    return is_trainer_of(actor, session) if runs is None else runs


@dataclass
class RosterLine:
    """One person on the roster of a séance, with their saved status (None: not marked)."""

    person: User
    enrolment_id: int | None
    attendance: Attendance | None = None

    @property
    def status(self) -> AttendanceStatus | None:
        return self.attendance.status if self.attendance else None

    @property
    def is_walk_in(self) -> bool:
        return self.enrolment_id is None


@dataclass
class Roster:
    seance: Seance
    lines: list[RosterLine] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(line.status for line in self.lines)


def roster(seance: Seance) -> Roster:
    """Return the people expected at ``seance``: the confirmed enrolments of its session and
    everyone with attendance recorded in the session (walk-ins), sorted by name.

    Three queries, whatever the number of people."""
    enrolments_statement, records_statement = _roster_statements()
    parameters = {"session_id": seance.session_id}
    enrolments = db.session.scalars(enrolments_statement, parameters).all()
    records = db.session.scalars(records_statement, parameters).all()
    lines: dict[int, RosterLine] = {
        e.person_id: RosterLine(person=e.person, enrolment_id=e.id) for e in enrolments
    }
    for record in records:
        line = lines.get(record.person_id)
        if line is None:
            line = lines[record.person_id] = RosterLine(
                person=record.person, enrolment_id=record.enrolment_id
            )
        if record.seance_id == seance.id:
            line.attendance = record
    ordered = sorted(
        lines.values(), key=lambda line: (line.person.last_name.lower(), line.person.first_name)
    )
    return Roster(seance=seance, lines=ordered)


@cache
def _roster_statements() -> tuple[sa.Select, sa.Select]:
    """The roster's confirmed enrolments and marks of a session (``session_id``), built once
    per process: building them costs more than running them."""
    session_id = sa.bindparam("session_id")
    # The people's centres, not their roles (a roster does not show them).
    person = so.joinedload(Enrolment.person)
    enrolments = (
        sa.select(Enrolment)
        .options(person.joinedload(User.centre), person.lazyload(User.role_rows))
        .where(Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.CONFIRMED)
    )
    seance_ids = sa.select(Seance.id).where(Seance.session_id == session_id)
    attendee = so.joinedload(Attendance.person)
    records = (
        sa.select(Attendance)
        .options(attendee.joinedload(User.centre), attendee.lazyload(User.role_rows))
        .where(Attendance.seance_id.in_(seance_ids))
    )
    return enrolments, records


def roster_line(seance: Seance, person_id: int) -> RosterLine | None:
    """Return the roster line of one person, or None if they are not on the roster."""
    return next((line for line in roster(seance).lines if line.person.id == person_id), None)


def attendees(session: TrainingSession) -> list[tuple[User, float]]:
    """Return [(person, hours attended)] of everyone who attended ``session``, by name."""
    hours = hours_attended(session)
    if not hours:
        return []
    people = db.session.scalars(
        sa.select(User).options(so.joinedload(User.centre)).where(User.id.in_(list(hours)))
    ).all()
    people = sorted(people, key=lambda p: (p.last_name.lower(), p.first_name))
    return [(person, hours[person.id]) for person in people]


def last_seance_end(session: TrainingSession) -> datetime | None:
    scheduled = [s for s in session.seances if s.status == SeanceStatus.SCHEDULED]
    return max((s.ends_at for s in scheduled), default=None)


# --- Recording ---------------------------------------------------------------------------


def _snapshot(record: Attendance | None) -> dict | None:
    return None if record is None else {"status": record.status.value}


def _hold(seance: Seance) -> TrainingSession:
    """Lock what a mark depends on, before reading it: the session (shared, so that closing
    waits for marks in progress and marks wait for a close) and the séance (its marks queue
    up). Status, recorded_by, recorded_at and the audit entry then describe one write, and
    each audit "before" is the previous "after". Returns the session: a caller that keeps it
    finds it again through ``seance.session`` without reading it anew."""
    session = lock_row(seance.session, shared=True)
    lock_row(seance)
    return session


def _check_recordable(seance: Seance, actor: User, *, runs: bool | None = None) -> None:
    if not can_record(actor, seance.session, runs=runs):
        raise AttendanceError(
            "La session est clôturée : seule la coordination peut encore corriger l'émargement."
        )
    if seance.status != SeanceStatus.SCHEDULED:
        raise AttendanceError("Cette séance est annulée : pas d'émargement.")
    _ask_guards(seance, actor)


def _ask_guards(seance: Seance, actor: User) -> None:
    """Rooms above may refuse a mark (a sealed sheet is corrected by the coordinator only)."""
    for _, refusal in record_guard.send(seance, actor=actor):
        if refusal:
            raise AttendanceError(refusal)


def set_status(
    seance: Seance,
    person: User,
    status: AttendanceStatus,
    *,
    actor: User,
    runs: bool | None = None,
) -> Attendance:
    """Save ``person``'s status at ``seance``; after closing, write the change to the audit log.

    The person must be on the roster (confirmed or walk-in); the caller checks access
    (``runs``: whether ``actor`` is one of the session's trainers, when already known). The
    same status again writes nothing."""
    # Kept while the mark is written: seance.session below finds this object, not a new read.
    _held = _hold(seance)
    _check_recordable(seance, actor, runs=runs)
    record = _find(seance, person)
    if record is not None and record.status == status:
        return record
    with _counting(seance, [person]):
        record = _write(seance, person, status, actor=actor, found=record)
    return record


def roster_person(seance: Seance, person_id: int) -> User | None:
    """The person if they are on the roster of ``seance`` (a confirmed enrolment in its
    session, or a mark at one of its séances), else None: one statement, not the roster."""
    return db.session.scalar(_roster_person_statement(), {
        "session_id": seance.session_id, "person_id": person_id
    })  # fmt: skip


@cache
def _roster_person_statement() -> sa.Select:
    session_id = sa.bindparam("session_id")
    enrolled = sa.exists().where(
        Enrolment.person_id == User.id,
        Enrolment.session_id == session_id,
        Enrolment.status == EnrolmentStatus.CONFIRMED,
    )
    marked = sa.exists().where(
        Attendance.person_id == User.id,
        Attendance.seance_id.in_(sa.select(Seance.id).where(Seance.session_id == session_id)),
    )
    return (
        sa.select(User)
        .options(so.lazyload(User.role_rows))
        .where(User.id == sa.bindparam("person_id"), sa.or_(enrolled, marked))
    )


def _find(seance: Seance, person: User) -> Attendance | None:
    """The person's mark at ``seance`` as the database holds it now (callers hold the séance)."""
    return db.session.scalar(
        sa.select(Attendance)
        .where(Attendance.seance_id == seance.id, Attendance.person_id == person.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _insert(
    seance: Seance, person: User, status: AttendanceStatus, actor: User
) -> Attendance | None:
    """Insert the person's first mark; None if another writer inserted it first."""
    enrolment_id = db.session.scalar(
        sa.select(Enrolment.id).where(
            Enrolment.session_id == seance.session_id,
            Enrolment.person_id == person.id,
            Enrolment.status == EnrolmentStatus.CONFIRMED,
        )
    )
    record = Attendance(
        seance=seance,
        person_id=person.id,
        enrolment_id=enrolment_id,
        is_walk_in=enrolment_id is None,
        status=status,
        recorded_by_id=actor.id,
    )
    try:
        # Against a writer that did not hold the séance: the unique (séance, person) keeps one.
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        return None
    return record


_UNREAD = object()


def _write(
    seance: Seance, person: User, status: AttendanceStatus, *, actor: User, found=_UNREAD
) -> Attendance:
    """Write one mark; the caller holds the séance (``_hold``) and has checked access.
    ``found``: the person's mark as ``_find`` just read it under that hold, if it did."""
    session = seance.session
    record = _find(seance, person) if found is _UNREAD else found
    before = _snapshot(record)
    inserted = None
    if record is None:
        record = inserted = _insert(seance, person, status, actor)
        if record is None:
            record = _find(seance, person)
            before = _snapshot(record)
    if inserted is None:  # a mark already there: changed, if it says something else
        if before is not None and record.status == status:
            return record
        record.status = status
        record.recorded_by_id = actor.id
        record.recorded_at = utcnow()
        db.session.flush()
    if session.status == SessionStatus.CLOSED:
        record_audit(
            actor,
            "attendance.correct",
            record,
            summary=f"{person.full_name}, {session.title}, {datetime_fr(seance.starts_at)}",
            before=before,
            after=_snapshot(record),
        )
    return record


def _counting(seance: Seance, people: list[User]):
    """Around the writes of these people's marks: the bilan's rows of the session and of the
    people follow (``rollups.marking``: the difference their marks make, not a recount)."""
    return rollups.marking(seance.session_id, [person.id for person in people])


def save_roster(seance: Seance, statuses: dict[int, AttendanceStatus], *, actor: User) -> int:
    """Save the statuses of the whole roster (the form without JavaScript); return how many
    people were saved. People not on the roster are ignored."""
    _hold(seance)
    lines = {line.person.id: line for line in roster(seance).lines}
    changes = [
        (lines[person_id].person, status)
        for person_id, status in sorted(statuses.items())
        if person_id in lines and lines[person_id].status != status
    ]
    if changes:
        _check_recordable(seance, actor)
    if changes:
        with _counting(seance, [person for person, _ in changes]):
            for person, status in changes:
                _write(seance, person, status, actor=actor)
    return len(changes)


def mark_all_present(seance: Seance, *, actor: User) -> int:
    """Mark present everyone on the roster not marked yet; return how many."""
    _hold(seance)
    unmarked = [line.person for line in roster(seance).lines if line.status is None]
    if unmarked:
        _check_recordable(seance, actor)
    if unmarked:
        with _counting(seance, unmarked):
            for person in unmarked:
                _write(seance, person, AttendanceStatus.PRESENT, actor=actor)
    return len(unmarked)


def add_walk_in(seance: Seance, person: User, *, actor: User) -> Attendance:
    """Add someone who came without enrolling: marked present at ``seance``."""
    if person.status in (UserStatus.DISABLED, UserStatus.ANONYMISED):
        raise AttendanceError("Cette personne ne peut pas être ajoutée.")
    return set_status(seance, person, AttendanceStatus.PRESENT, actor=actor)


def add_guest(
    seance: Seance,
    first_name: str,
    last_name: str,
    centre: Centre | None,
    category: Category,
    *,
    actor: User,
) -> User:
    """Create a person without an account and mark them present at ``seance`` (a walk-in)."""
    _hold(seance)  # before the guest's insert: see lock_row
    _check_recordable(seance, actor)
    guest = create_guest(first_name, last_name, centre, category, actor=actor)
    with _counting(seance, [guest]):
        _write(seance, guest, AttendanceStatus.PRESENT, actor=actor)
    return guest


def create_guest(
    first_name: str, last_name: str, centre: Centre | None, category: Category, *, actor: User
) -> User:
    """Create a person without an account (no e-mail), to record a walk-in."""
    guest = User(
        email=None,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        centre=centre,
        category=category,
        status=UserStatus.GUEST,
    )
    guest.set_roles([])
    db.session.add(guest)
    db.session.flush()
    record_audit(actor, "person.guest", guest, summary=guest.full_name)
    return guest


# --- Self check-in -----------------------------------------------------------------------


def check_in(seance: Seance, person: User, *, now: datetime | None = None) -> Attendance:
    """Mark ``person`` present at ``seance`` on their own, through the QR link.

    Only from CHECKIN_MARGIN before the start until the end, in a published session; a
    person who did not enrol comes in as a walk-in (allowed until the session is closed)."""
    now = now or utcnow()
    _hold(seance)
    session = seance.session
    if session.status != SessionStatus.PUBLISHED or seance.status != SeanceStatus.SCHEDULED:
        raise AttendanceError("L'émargement de cette séance n'est pas ouvert.")
    if now < seance.starts_at - CHECKIN_MARGIN:
        raise AttendanceError(
            "L'émargement n'est pas encore ouvert : il ouvre 30 minutes avant le début "
            f"de la séance ({datetime_fr(seance.starts_at)})."
        )
    if now > seance.ends_at:
        raise AttendanceError("La séance est terminée : l'émargement en ligne est fermé.")
    record = _find(seance, person)
    if record is not None and record.status in AttendanceStatus.ATTENDED:
        return record  # the trainer's "late" stays
    _ask_guards(seance, person)
    with _counting(seance, [person]):
        record = _write(seance, person, AttendanceStatus.PRESENT, actor=person)
    return record


def mark_signed(
    seance: Seance, person: User, status: AttendanceStatus, *, actor: User
) -> Attendance:
    """Record the presence a signature proves (the proof room checked the window and who may
    sign); a "late" already recorded stays when the signature says only "present"."""
    _hold(seance)
    if seance.session.status not in (SessionStatus.PUBLISHED, SessionStatus.CLOSED) or (
        seance.status != SeanceStatus.SCHEDULED
    ):
        raise AttendanceError("L'émargement de cette séance n'est pas ouvert.")
    record = _find(seance, person)
    if record is not None and record.status == AttendanceStatus.LATE:
        return record
    with _counting(seance, [person]):
        record = _write(seance, person, status, actor=actor)
    return record


# --- Closing -----------------------------------------------------------------------------


def close_session(session: TrainingSession, *, actor: User, now: datetime | None = None) -> int:
    """Close ``session`` once its last séance is over and ask every attendee for feedback;
    return how many feedback requests were queued."""
    now = now or utcnow()
    end = last_seance_end(session)
    if end is not None and end > now:
        raise AttendanceError(
            f"La session n'est pas terminée : sa dernière séance finit le {datetime_fr(end)}."
        )
    try:
        close_training_session(session, actor=actor)
    except CatalogueError as refusal:
        raise AttendanceError(str(refusal)) from refusal
    return request_feedback(session)


def request_feedback(session: TrainingSession) -> int:
    """Queue the feedback e-mail to every attendee with an e-mail (once per person)."""
    queued = 0
    link = external_url("attendance.feedback", session_id=session.id)
    for person, hours in attendees(session):
        if not person.mailable:
            continue
        mail = queue_mail(
            person.email,
            f"Votre avis sur « {session.title} »",
            "feedback_request",
            dedup_key=f"feedback-request:{session.id}:{person.id}",
            person=person,
            session=session,
            hours=hours,
            link=link,
        )
        queued += mail is not None
    return queued


# --- Feedback ----------------------------------------------------------------------------


def has_given_feedback(person: User, session: TrainingSession) -> bool:
    return (
        db.session.scalar(
            sa.select(Feedback.id).where(
                Feedback.session_id == session.id, Feedback.person_id == person.id
            )
        )
        is not None
    )


ALREADY_GIVEN = "Vous avez déjà donné votre avis sur cette session. Merci !"
FEEDBACK_OVER = "La période pour donner son avis sur cette session est terminée."


def give_feedback(
    session: TrainingSession,
    person: User,
    *,
    satisfaction: int,
    gained: str = "",
    missing: str = "",
    would_recommend: bool | None = None,
) -> Feedback:
    """Save ``person``'s feedback on ``session``, once: a second answer at the same moment (a
    second tab, a double click) meets the unique (session, person) and is refused."""
    if session.status != SessionStatus.CLOSED or person.id not in hours_attended(session):
        raise AttendanceError("Seules les personnes venues à une session clôturée donnent un avis.")
    if has_given_feedback(person, session):
        raise AttendanceError(ALREADY_GIVEN)
    if not feedback_open(session):
        raise AttendanceError(FEEDBACK_OVER)
    feedback = Feedback(
        session_id=session.id,
        person_id=person.id,
        satisfaction=satisfaction,
        gained=gained.strip(),
        missing=missing.strip(),
        would_recommend=would_recommend,
    )
    try:
        with db.session.begin_nested():
            db.session.add(feedback)
    except IntegrityError as duplicate:
        raise AttendanceError(ALREADY_GIVEN) from duplicate
    rollups.record_feedback(session.id, satisfaction)  # the bilan's count, same transaction
    return feedback


@dataclass
class FeedbackResults:
    count: int
    attendees: int
    average: float | None
    distribution: dict[int, int]
    recommend_yes: int
    recommend_no: int
    gained: list[str]
    missing: list[str]


def feedback_results(session: TrainingSession) -> FeedbackResults:
    """Return the anonymous results of ``session``'s feedback: no names, comments shuffled by
    the order they came in only."""
    rows = db.session.scalars(
        sa.select(Feedback).where(Feedback.session_id == session.id).order_by(Feedback.id)
    ).all()
    distribution = {score: 0 for score in range(1, 6)}
    for row in rows:
        distribution[row.satisfaction] += 1
    return FeedbackResults(
        count=len(rows),
        attendees=len(hours_attended(session)),
        average=(sum(r.satisfaction for r in rows) / len(rows)) if rows else None,
        distribution=distribution,
        recommend_yes=sum(1 for r in rows if r.would_recommend is True),
        recommend_no=sum(1 for r in rows if r.would_recommend is False),
        gained=[r.gained for r in rows if r.gained],
        missing=[r.missing for r in rows if r.missing],
    )
