"""The enrolment rules: enrol, cancel, validate, offer, promote, expire.

Every function takes models and an explicit ``actor``, flushes and never commits: the view
(or the ``tick`` command) commits. Functions that change who holds a seat lock the session row
first (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the write transaction already holds
the database lock from ``BEGIN IMMEDIATE``), then count, then write: two workers can never
both see "one seat left".
"""

from __future__ import annotations

import functools
from collections import Counter
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import User
from reseau.catalogue.models import (
    PromotionMode,
    SessionStatus,
    TrainingSession,
)
from reseau.core.audit import record_audit
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment import notifications
from reseau.enrolment.models import (
    FULL_REASON,
    OFFER_EXPIRED_REASON,
    Enrolment,
    EnrolmentStatus,
)
from reseau.enrolment.queries import (  # noqa: F401 (the room's reads, also used from here)
    ACTIVE,
    HOLDING,
    find_overlap,
    get_enrolment,
    queue_order,
    seats_and_waitlists,
    seats_left,
    seats_taken,
    sees_visio_link,
    waitlist,
    waitlist_position,
)
from reseau.enrolment.signals import enrolments_changed

REMINDER_DAYS = 2


class EnrolmentError(Exception):
    """A refused enrolment action; ``message`` is French and shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class OverlapNeedsConfirmation(EnrolmentError):
    """The person is confirmed in ``other``, whose séances overlap: ask before enrolling."""

    def __init__(self, other: TrainingSession):
        super().__init__(
            f"Vous êtes déjà inscrit·e à « {other.title} », qui a lieu en même temps. "
            "Confirmez si vous voulez quand même vous inscrire."
        )
        self.other = other


def centre_reason(cap: int) -> str:
    return f"Les places réservées à chaque centre ({cap} par centre) sont prises pour ce centre."


# --- Reading -----------------------------------------------------------------------------


def lock_session(session: TrainingSession) -> TrainingSession:
    """Lock the session row until the end of the transaction and return it, its columns
    fresh. What was loaded with it (séances, trainers, theme…) stays loaded: one statement,
    and nothing read again under the lock for the e-mail and its invitations."""
    db.session.flush()  # as a query would: changes made so far are written first
    # A statement built once, its row set as the object's loaded state (what ``refresh``
    # does, without building and loading through the ORM while the lock is held).
    row = db.session.connection().execute(_LOCK_SESSION, {"session_id": session.id}).one()
    for key, value in zip(_session_columns(), row, strict=True):
        so.attributes.set_committed_value(session, key, value)
    return session


@functools.cache
def _session_columns() -> tuple[str, ...]:
    return tuple(column.key for column in sa.inspect(TrainingSession).column_attrs)


_LOCK_SESSION = (
    sa.select(*(attr.columns[0] for attr in sa.inspect(TrainingSession).column_attrs))
    .where(TrainingSession.id == sa.bindparam("session_id"))
    .with_for_update()
)


def _holders(session: TrainingSession) -> tuple[int, Counter]:
    """Return (seats held, seats held per centre id) for a locked session."""
    taken, per_centre, _ = _queue_counts(session)
    return taken, per_centre


def _queue_counts(session: TrainingSession) -> tuple[int, Counter, int]:
    """Return (seats held, seats held per centre id, people waiting) for a locked session,
    in one query."""
    # Core: after the lock's flush, nothing to autoflush and no ORM entity to load.
    rows = db.session.connection().execute(_QUEUE_COUNTS, {"session_id": session.id}).all()
    per_centre = Counter({centre_id: held for centre_id, held, _ in rows if held})
    return sum(per_centre.values()), per_centre, sum(waits for _, _, waits in rows)


# Built once: every enrolment runs it under the session's lock.
_QUEUE_COUNTS = (
    sa.select(
        User.centre_id,
        sa.func.count(sa.case((Enrolment.status.in_(HOLDING), Enrolment.id))),
        sa.func.count(sa.case((Enrolment.status == EnrolmentStatus.WAITLISTED, Enrolment.id))),
    )
    .join(User, User.id == Enrolment.person_id)
    .where(Enrolment.session_id == sa.bindparam("session_id"), Enrolment.status.in_(ACTIVE))
    .group_by(User.centre_id)
)


def _check_open(session: TrainingSession, now: datetime) -> None:
    """Raise the reason why ``session`` is not open for enrolment at ``now``, if it is not."""
    if session.enrolment_open(now):
        return
    if session.status == SessionStatus.DRAFT:
        raise EnrolmentError("Cette session n'est pas encore ouverte aux inscriptions.")
    if session.status == SessionStatus.CANCELLED:
        raise EnrolmentError("Cette session a été annulée : on ne peut plus s'y inscrire.")
    if session.status == SessionStatus.CLOSED:
        raise EnrolmentError("Cette session est clôturée : on ne peut plus s'y inscrire.")
    if session.has_started(now):
        raise EnrolmentError("Cette session a déjà commencé : on ne peut plus s'y inscrire.")
    raise EnrolmentError("La date limite d'inscription est dépassée.")


def _already_message(enrolment: Enrolment, *, self_: bool) -> str:
    if self_:
        messages = {
            EnrolmentStatus.WAITLISTED: "Vous êtes déjà sur la liste d'attente de cette session.",
            EnrolmentStatus.PENDING: "Votre demande attend déjà la validation de votre centre.",
            EnrolmentStatus.OFFERED: "Une place vous est déjà proposée : il reste à l'accepter.",
        }
        return messages.get(enrolment.status, "Vous êtes déjà inscrit·e à cette session.")
    messages = {
        EnrolmentStatus.WAITLISTED: "Cette personne est déjà sur la liste d'attente.",
        EnrolmentStatus.PENDING: "Cette inscription attend déjà la validation du centre.",
        EnrolmentStatus.OFFERED: "Une place est déjà proposée à cette personne.",
    }
    return messages.get(enrolment.status, "Cette personne est déjà inscrite à cette session.")


def _validates(actor: User | None, person: User) -> bool:
    """Whether ``actor`` enrolling ``person`` stands for the centre's validation."""
    if actor is None or actor.id == person.id:
        return False
    if actor.is_coordinator:
        return True
    return (
        actor.is_referent and person.centre_id is not None and actor.centre_id == person.centre_id
    )


def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)


# --- Changing ----------------------------------------------------------------------------


class Enrolled(NamedTuple):
    """What ``enrol_counted`` decided, and what it counted under the lock to decide it."""

    enrolment: Enrolment
    seats_left: int  # after this enrolment
    position: int | None  # on the waitlist, when waitlisted
    first: bool = False  # the person had no enrolment in this session before (not cancelled)


def _changed(
    session: TrainingSession, *enrolments: Enrolment, before: EnrolmentStatus | None = None
) -> None:
    """``enrolments`` of ``session`` went from ``before`` (None: a new row) to their status:
    rooms that count them update (the bilan adds the difference, ``moves``: (person id,
    enrolment id, status before, status after) each)."""
    if enrolments:
        enrolments_changed.send(
            session,
            person_ids=[e.person_id for e in enrolments],
            moves=[(e.person_id, e.id, before, e.status) for e in enrolments],
        )


def enrol(
    person: User,
    session: TrainingSession,
    *,
    actor: User,
    confirm_overlap: bool = False,
    now: datetime | None = None,
) -> Enrolment:
    """Enrol ``person`` in ``session``: a seat if one is left, else the back of the waitlist.

    Raises EnrolmentError (already enrolled, deadline passed, session not open) or
    OverlapNeedsConfirmation unless ``confirm_overlap``.
    """
    return enrol_counted(
        person, session, actor=actor, confirm_overlap=confirm_overlap, now=now
    ).enrolment


def enrol_counted(
    person: User,
    session: TrainingSession,
    *,
    actor: User,
    confirm_overlap: bool = False,
    now: datetime | None = None,
) -> Enrolled:
    """``enrol``, returning the seats left and the waitlist position too (the enrol button
    shows them: counted under the lock, they need no query after the commit).

    What only the person's own requests change (their enrolment here, their other sessions)
    is read before the session's lock, and the enrolment re-read under it: the lock is held
    for counting the seats and writing.
    """
    now = now or utcnow()
    self_ = _actor_id(actor) == person.id
    _check_open(session, now)
    enrolment = get_enrolment(session, person)
    if enrolment is not None and enrolment.status in ACTIVE:
        raise EnrolmentError(_already_message(enrolment, self_=self_))
    if not confirm_overlap:
        other = find_overlap(person, session)
        if other is not None:
            raise OverlapNeedsConfirmation(other)
    session = lock_session(session)
    _check_open(session, now)
    if enrolment is not None:
        db.session.refresh(enrolment)
        if enrolment.status in ACTIVE:
            raise EnrolmentError(_already_message(enrolment, self_=self_))
    # A referent (or the coordinator) enrolling someone has validated the request already.
    validated = _validates(actor, person)
    # Count under the lock, before adding the new row (no autoflush of a half-built row).
    taken, per_centre, waiting = _queue_counts(session)
    status, reason = _new_status(session, person, taken, per_centre, validated)
    first = enrolment is None
    before = None if first else enrolment.status
    if first:
        # The keys too, not only the relationships: the e-mail's invitations read them
        # before the row is flushed.
        enrolment = Enrolment(
            session=session, person=person, session_id=session.id, person_id=person.id
        )
        db.session.add(enrolment)
    enrolment.status = status
    enrolment.waitlist_reason = reason
    # Arrival order is the order in which enrolments take the lock: stamp it now, under it.
    # A new waitlisted enrolment is thus at the back of the queue: position waiting + 1.
    enrolment.queued_at = utcnow()
    enrolment.enrolled_by_id = _actor_id(actor)
    enrolment.decided_by_id = _actor_id(actor) if validated else None
    enrolment.offer_expires_at = None
    enrolment.cancelled_at = None
    enrolment.cancelled_by_id = None
    enrolment.reminder_sent_at = None
    position = waiting + 1 if status == EnrolmentStatus.WAITLISTED else None
    if status == EnrolmentStatus.WAITLISTED:
        notifications.waitlisted(enrolment, position)
    elif status == EnrolmentStatus.PENDING:
        notifications.pending(enrolment)
    else:
        notifications.confirmed(enrolment)
    # One flush for the enrolment and its e-mail (the e-mail needs no id of it): the unique
    # (session, person) constraint still refuses a double click here, before the commit.
    db.session.flush()
    left = max(session.capacity - taken - (status in HOLDING), 0)
    _changed(session, enrolment, before=before)
    return Enrolled(enrolment, left, position, first)


def _new_status(
    session: TrainingSession, person: User, taken: int, per_centre: Counter, validated: bool
) -> tuple[EnrolmentStatus, str]:
    """The status (and waitlist reason) of a new enrolment, from the counts under the lock."""
    if taken >= session.capacity:
        return EnrolmentStatus.WAITLISTED, FULL_REASON
    if (
        session.centre_cap
        and person.centre_id is not None
        and per_centre[person.centre_id] >= session.centre_cap
    ):
        return EnrolmentStatus.WAITLISTED, centre_reason(session.centre_cap)
    if session.requires_validation and not validated:
        return EnrolmentStatus.PENDING, ""
    return EnrolmentStatus.CONFIRMED, ""


def cancel(
    enrolment: Enrolment, *, actor: User, now: datetime | None = None, reason: str = ""
) -> Enrolment:
    """Cancel ``enrolment``; a freed seat goes to the first person of the waitlist. The
    person is told, with ``reason`` when someone else cancels."""
    now = now or utcnow()
    session = lock_session(enrolment.session)
    db.session.refresh(enrolment)
    if enrolment.status not in ACTIVE:
        raise EnrolmentError("Cette inscription est déjà annulée.")
    started = session.starts_at is not None and session.starts_at <= now
    if started and not (actor is not None and actor.is_coordinator):
        raise EnrolmentError(
            "La session a déjà commencé : prévenez l'équipe régionale pour annuler."
        )
    before = enrolment.status
    held = before in HOLDING
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.cancelled_at = now
    enrolment.cancelled_by_id = _actor_id(actor)
    enrolment.offer_expires_at = None
    db.session.flush()
    notifications.cancelled(
        enrolment, by_self=_actor_id(actor) == enrolment.person_id, reason=reason
    )
    if held:
        promote_waitlist(session, actor=actor, now=now)
    _changed(session, enrolment, before=before)
    return enrolment


def approve(enrolment: Enrolment, *, actor: User) -> Enrolment:
    """Confirm a request pending the centre's validation."""
    lock_session(enrolment.session)
    db.session.refresh(enrolment)
    if enrolment.status != EnrolmentStatus.PENDING:
        raise EnrolmentError("Cette demande n'attend plus de validation.")
    enrolment.status = EnrolmentStatus.CONFIRMED
    enrolment.decided_by_id = _actor_id(actor)
    db.session.flush()
    notifications.confirmed(enrolment)
    _changed(enrolment.session, enrolment, before=EnrolmentStatus.PENDING)
    return enrolment


def decline(enrolment: Enrolment, *, actor: User, now: datetime | None = None) -> Enrolment:
    """Decline a request pending the centre's validation; its seat goes to the waitlist."""
    now = now or utcnow()
    session = lock_session(enrolment.session)
    db.session.refresh(enrolment)
    if enrolment.status != EnrolmentStatus.PENDING:
        raise EnrolmentError("Cette demande n'attend plus de validation.")
    enrolment.status = EnrolmentStatus.DECLINED
    enrolment.decided_by_id = _actor_id(actor)
    enrolment.cancelled_at = now
    enrolment.cancelled_by_id = _actor_id(actor)
    db.session.flush()
    notifications.declined(enrolment)
    promote_waitlist(session, actor=actor, now=now)
    _changed(session, enrolment, before=EnrolmentStatus.PENDING)
    return enrolment


def accept_offer(enrolment: Enrolment, *, actor: User, now: datetime | None = None) -> Enrolment:
    """Take the seat offered to the person, if the offer has not expired."""
    now = now or utcnow()
    lock_session(enrolment.session)
    db.session.refresh(enrolment)
    if enrolment.status != EnrolmentStatus.OFFERED:
        raise EnrolmentError("Aucune place ne vous est proposée pour cette session.")
    if enrolment.offer_expires_at is not None and enrolment.offer_expires_at <= now:
        raise EnrolmentError("Le délai pour accepter cette place est dépassé.")
    enrolment.status = EnrolmentStatus.CONFIRMED
    enrolment.offer_expires_at = None
    enrolment.decided_by_id = _actor_id(actor)
    db.session.flush()
    notifications.confirmed(enrolment)
    _changed(enrolment.session, enrolment, before=EnrolmentStatus.OFFERED)
    return enrolment


def _promote(enrolment: Enrolment, session: TrainingSession, now: datetime) -> None:
    enrolment.waitlist_reason = ""
    if session.promotion_mode == PromotionMode.OFFER:
        enrolment.status = EnrolmentStatus.OFFERED
        enrolment.offer_expires_at = now + timedelta(hours=session.offer_hours)
        db.session.flush()
        notifications.offered(enrolment)
    elif session.requires_validation and enrolment.decided_by_id is None:
        enrolment.status = EnrolmentStatus.PENDING
        db.session.flush()
        notifications.pending(enrolment)
    else:
        enrolment.status = EnrolmentStatus.CONFIRMED
        db.session.flush()
        notifications.promoted(enrolment)


def promote_waitlist(
    session: TrainingSession, *, actor: User | None = None, now: datetime | None = None
) -> list[Enrolment]:
    """Give the free seats to the waitlist, first come first served; return who moved up.

    A person whose centre already has its cap of seats keeps their place and is skipped.
    Nothing moves in a session that is not published or has already started.
    """
    now = now or utcnow()
    session = lock_session(session)
    if session.status != SessionStatus.PUBLISHED:
        return []
    if session.starts_at is not None and session.starts_at <= now:
        return []
    taken, per_centre = _holders(session)
    free = session.capacity - taken
    promoted: list[Enrolment] = []
    if free <= 0:
        return promoted
    for enrolment in waitlist(session):
        if free <= 0:
            break
        centre_id = enrolment.person.centre_id
        if (
            session.centre_cap
            and centre_id is not None
            and per_centre[centre_id] >= session.centre_cap
        ):
            enrolment.waitlist_reason = centre_reason(session.centre_cap)
            continue
        _promote(enrolment, session, now)
        per_centre[centre_id] += 1
        free -= 1
        promoted.append(enrolment)
    db.session.flush()
    for enrolment in promoted:
        record_audit(
            actor, "enrolment.promoted", enrolment, summary=f"{enrolment.person.full_name}"
        )
    _changed(session, *promoted, before=EnrolmentStatus.WAITLISTED)
    return promoted


def move_from_waitlist(enrolment: Enrolment, *, actor: User) -> bool:
    """Confirm a waitlisted person now (coordinator's decision, ahead of the queue).

    When no seat is free the capacity grows by one, so that the session is never
    overbooked; return whether it did.
    """
    session = lock_session(enrolment.session)
    db.session.refresh(enrolment)
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        raise EnrolmentError("Cette personne n'est plus sur la liste d'attente.")
    taken, _ = _holders(session)
    grew = taken >= session.capacity
    if grew:
        before = session.capacity
        session.capacity = taken + 1
        record_audit(
            actor,
            "session.capacity",
            session,
            summary=f"Capacité {before} → {session.capacity} (passage depuis la liste d'attente)",
            before={"capacity": before},
            after={"capacity": session.capacity},
        )
    enrolment.status = EnrolmentStatus.CONFIRMED
    enrolment.waitlist_reason = ""
    enrolment.decided_by_id = _actor_id(actor)
    db.session.flush()
    notifications.promoted(enrolment)
    record_audit(actor, "enrolment.moved", enrolment, summary=enrolment.person.full_name)
    _changed(session, enrolment, before=EnrolmentStatus.WAITLISTED)
    return grew


def change_capacity(
    session: TrainingSession, capacity: int, *, actor: User, now: datetime | None = None
) -> list[Enrolment]:
    """Set the capacity; more seats go to the waitlist at once. Return who moved up."""
    session = lock_session(session)
    taken, _ = _holders(session)
    if capacity < taken:
        raise EnrolmentError(
            f"La capacité ne peut pas être inférieure au nombre de places déjà prises ({taken})."
        )
    before = session.capacity
    session.capacity = capacity
    record_audit(
        actor,
        "session.capacity",
        session,
        summary=f"Capacité {before} → {capacity}",
        before={"capacity": before},
        after={"capacity": capacity},
    )
    db.session.flush()
    if capacity > before:
        return promote_waitlist(session, actor=actor, now=now)
    return []


def expire_offers(now: datetime | None = None) -> int:
    """Withdraw the offers whose delay has passed and offer the seat to the next person."""
    now = now or utcnow()
    expired = db.session.scalars(
        sa.select(Enrolment)
        .where(
            Enrolment.status == EnrolmentStatus.OFFERED,
            Enrolment.offer_expires_at <= now,
        )
        .order_by(Enrolment.offer_expires_at, Enrolment.id)
    ).all()
    count = 0
    for enrolment in expired:
        session = lock_session(enrolment.session)
        db.session.refresh(enrolment)
        if enrolment.status != EnrolmentStatus.OFFERED or enrolment.offer_expires_at > now:
            continue
        enrolment.status = EnrolmentStatus.CANCELLED
        enrolment.cancelled_at = now
        enrolment.cancelled_by_id = None
        enrolment.waitlist_reason = OFFER_EXPIRED_REASON
        db.session.flush()
        notifications.offer_expired(enrolment)
        promote_waitlist(session, now=now)
        _changed(session, enrolment, before=EnrolmentStatus.OFFERED)
        count += 1
    return count


def send_reminders(now: datetime | None = None) -> int:
    """Queue the convocation of confirmed people whose session starts within two days."""
    now = now or utcnow()
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .options(
            so.contains_eager(Enrolment.session).selectinload(TrainingSession.seances),
            so.contains_eager(Enrolment.session).selectinload(TrainingSession.trainers),
            # The convocation says how accessible the place is.
            so.contains_eager(Enrolment.session).selectinload(TrainingSession.own_access),
            so.contains_eager(Enrolment.session).selectinload(TrainingSession.centre_access),
            so.joinedload(Enrolment.person),
        )
        .where(
            Enrolment.status == EnrolmentStatus.CONFIRMED,
            Enrolment.reminder_sent_at.is_(None),
            TrainingSession.status == SessionStatus.PUBLISHED,
            TrainingSession.starts_at > now,
            TrainingSession.starts_at <= now + timedelta(days=REMINDER_DAYS),
        )
        .order_by(Enrolment.id)
    ).all()
    for enrolment in enrolments:
        notifications.convocation(enrolment)
        enrolment.reminder_sent_at = now
    db.session.flush()
    return len(enrolments)


def tick(now: datetime | None = None) -> dict[str, int]:
    """Do the time-based work once; running it again at once changes nothing."""
    now = now or utcnow()
    return {"offers_expired": expire_offers(now), "reminders": send_reminders(now)}


# --- Reacting to the catalogue -----------------------------------------------------------


def people_to_tell(session: TrainingSession) -> list[Enrolment]:
    return list(
        db.session.scalars(
            sa.select(Enrolment)
            .options(so.joinedload(Enrolment.person))
            .where(Enrolment.session_id == session.id, Enrolment.status.in_(ACTIVE))
            .order_by(Enrolment.id)
        )
    )


def on_session_cancelled(session: TrainingSession, reason: str = "", **kwargs) -> None:
    """Tell everyone enrolled or waiting, and the trainers, that the session is cancelled
    (once per person)."""
    for enrolment in people_to_tell(session):
        notifications.session_cancelled(enrolment, reason=reason)
        enrolment.offer_expires_at = None
    for trainer in session.trainers:
        notifications.trainer_session_cancelled(trainer, session, reason=reason)
    db.session.flush()


def on_session_changed(session: TrainingSession, changes=(), **kwargs) -> None:
    """Tell everyone enrolled or waiting, and the trainers, what changed (new dates, place,
    title); redo the reminder."""
    for enrolment in people_to_tell(session):
        notifications.session_changed(enrolment, changes)
        enrolment.reminder_sent_at = None
    for trainer in session.trainers:
        notifications.trainer_session_changed(trainer, session, changes)
    db.session.flush()


# --- Capacity grown anywhere (the catalogue's session form included) ---------------------

_GROWN = "reseau_capacity_grown"


def _on_capacity_set(target, value, oldvalue, initiator):
    """Remember a persistent session whose capacity grows, to promote before the commit."""
    if isinstance(oldvalue, int) and isinstance(value, int) and value > oldvalue:
        state = sa.inspect(target)
        if state.persistent and state.session is not None:
            state.session.info.setdefault(_GROWN, set()).add(target.id)


def _promote_grown_sessions(session: so.Session) -> None:
    """Before a commit, give the new seats of grown sessions to their waitlists."""
    grown = session.info.pop(_GROWN, None)
    for session_id in sorted(grown or ()):
        training_session = session.get(TrainingSession, session_id)
        if training_session is not None:
            promote_waitlist(training_session)


def listen_for_capacity_changes() -> None:
    sa.event.listen(TrainingSession.capacity, "set", _on_capacity_set, active_history=True)
    sa.event.listen(so.Session, "before_commit", _promote_grown_sessions)
