"""Demo enrolments in the sessions of today and of the weeks to come, on top of the plan.

The trainer's session of today gets a roster; the demo volunteer is confirmed in two upcoming
sessions and waitlisted in a full one; the referent's centre (Centre social du Blanc) has
requests waiting for validation; a few sessions are full with a waitlist. Rows are written
directly (no e-mails). A session that already has enrolments is left alone, so running this
twice adds nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from devdata.demo.specs import BENEVOLE, REFERENT
from reseau.accounts.models import Category, Role, User, UserRole, UserStatus
from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.enrolment.operations import FULL_REASON

SEED = 3


def add_demo_enrolments() -> int:
    """Add the demo's enrolments of today and to come (idempotent); return how many."""
    added = _add_todays_rosters()
    added += _add_upcoming_enrolments()
    db.session.flush()
    return added


def _overlaps(a: TrainingSession, b: TrainingSession) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def _add_todays_rosters() -> int:
    """Give the sessions running today a roster, so the trainer has people to mark present.

    The people of the host centre (or of the Centre social du Blanc) are confirmed; a session
    that already has enrolments is left alone.
    """
    now = utcnow()
    today = db.session.scalars(
        sa.select(TrainingSession).where(
            TrainingSession.status == SessionStatus.PUBLISHED,
            TrainingSession.starts_at <= now + timedelta(hours=18),
            TrainingSession.ends_at >= now - timedelta(hours=18),
            ~sa.exists().where(Enrolment.session_id == TrainingSession.id),
        )
    ).all()
    volunteer = db.session.scalar(sa.select(User).where(User.email == BENEVOLE))
    added = 0
    for session in today:
        centre_id = session.host_centre_id or (volunteer.centre_id if volunteer else None)
        people = db.session.scalars(
            sa.select(User)
            .where(
                User.centre_id == centre_id,
                User.status == UserStatus.ACTIVE,
                User.id.not_in(
                    sa.select(UserRole.user_id).where(UserRole.role != Role.PARTICIPANT)
                ),
            )
            .order_by(User.last_name, User.id)
            .limit(min(8, session.capacity))
        ).all()
        queued = (session.published_at or now - timedelta(days=20)).replace(microsecond=0)
        for n, person in enumerate(people):
            _add(session, person, EnrolmentStatus.CONFIRMED, queued + timedelta(hours=n))
            added += 1
    db.session.flush()
    return added


def _add(session: TrainingSession, person: User, status: EnrolmentStatus, at: datetime) -> None:
    db.session.add(
        Enrolment(
            session=session,
            person=person,
            status=status,
            queued_at=at,
            waitlist_reason=FULL_REASON if status == EnrolmentStatus.WAITLISTED else "",
            enrolled_by=person,
            created_at=at,
            updated_at=at,
        )
    )


def _add_upcoming_enrolments() -> int:
    volunteer = db.session.scalar(sa.select(User).where(User.email == BENEVOLE))
    referent = db.session.scalar(sa.select(User).where(User.email == REFERENT))
    if volunteer is None or referent is None:
        return 0
    now = utcnow()
    sessions = db.session.scalars(
        sa.select(TrainingSession)
        .where(
            TrainingSession.status == SessionStatus.PUBLISHED,
            TrainingSession.starts_at > now + timedelta(days=3),
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    ).all()
    already = set(
        db.session.scalars(
            sa.select(Enrolment.session_id).where(
                Enrolment.session_id.in_([s.id for s in sessions])
            )
        )
    )
    fresh = [s for s in sessions if s.id not in already]
    if not fresh:
        return 0
    return _Upcoming(volunteer, now).fill(fresh)


class _Upcoming:
    """Enrolments in the upcoming sessions that have none, drawn from ``random.Random(3)``."""

    def __init__(self, volunteer: User, now: datetime):
        self.volunteer = volunteer
        self.now = now
        self.rng = random.Random(SEED)
        self.added = 0
        staff = sa.select(UserRole.user_id).where(
            UserRole.role.in_((Role.COORDINATOR, Role.TRAINER, Role.REFERENT))
        )
        pool = db.session.scalars(
            sa.select(User)
            .where(
                User.status == UserStatus.ACTIVE,
                User.email.is_not(None),
                User.id != volunteer.id,
                User.id.not_in(staff),
                User.category.in_((Category.BENEVOLE, Category.SALARIE, Category.ELU)),
            )
            .order_by(User.id)
        ).all()
        self.blanc = [p for p in pool if p.centre_id == volunteer.centre_id]
        self.others = [p for p in pool if p.centre_id != volunteer.centre_id]

    def write(self, session: TrainingSession, rows: list[tuple[User, EnrolmentStatus]]) -> None:
        opened = session.published_at or (session.starts_at - timedelta(days=40))
        opened = min(opened, self.now - timedelta(days=len(rows) // 4 + 2))
        # From 9 h (Paris, about 8 h UTC), four people a day, in arrival order.
        opened = opened.replace(hour=8, minute=0, second=0, microsecond=0)
        for n, (person, status) in enumerate(rows, 1):
            _add(
                session,
                person,
                status,
                opened + timedelta(days=n // 4, hours=2 * (n % 4), minutes=7 * n % 60),
            )
            self.added += 1

    def crowd(self, session: TrainingSession, count: int, exclude=()) -> list[User]:
        """``count`` people of other centres, at most ``centre_cap`` per centre."""
        others = self.others
        sample = self.rng.sample(others, min(len(others), count + 10))
        chosen = [p for p in sample if p not in exclude]
        if session.centre_cap:
            per_centre: dict[int | None, int] = {}
            kept = []
            for person in chosen:
                if per_centre.get(person.centre_id, 0) < session.centre_cap:
                    per_centre[person.centre_id] = per_centre.get(person.centre_id, 0) + 1
                    kept.append(person)
            chosen = kept
        return chosen[:count]

    def fill(self, fresh: list[TrainingSession]) -> int:
        confirmed, waitlisted = EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED
        full, mine, second_full, validation = _pick_sessions(fresh)
        if full is not None:
            # Full, and the volunteer second on its waitlist.
            people = self.crowd(full, full.capacity + 3)
            rows = [(p, confirmed) for p in people[: full.capacity]]
            rows += [(people[full.capacity], waitlisted), (self.volunteer, waitlisted)]
            rows += [(p, waitlisted) for p in people[full.capacity + 1 :]]
            self.write(full, rows)
        for session in mine:
            people = self.crowd(session, session.capacity // 2)
            self.write(session, [(self.volunteer, confirmed)] + [(p, confirmed) for p in people])
        if second_full is not None:
            people = self.crowd(second_full, second_full.capacity + 2)
            rows = [(p, confirmed) for p in people[: second_full.capacity]]
            rows += [(p, waitlisted) for p in people[second_full.capacity :]]
            self.write(second_full, rows)
        if validation is not None:
            waiting = self.blanc[:3]
            count = min(4, validation.capacity - len(waiting))
            rows = [(p, confirmed) for p in self.crowd(validation, count, waiting)]
            self.write(validation, rows + [(p, EnrolmentStatus.PENDING) for p in waiting])
        done = {s.id for s in (full, second_full, validation, *mine) if s is not None}
        # A few people in the other upcoming sessions, so that the catalogue looks alive.
        for session in fresh:
            if session.id not in done:
                people = self.crowd(session, session.capacity // 3)
                self.write(session, [(p, confirmed) for p in people])
        return self.added


def _pick_sessions(fresh: list[TrainingSession]):
    """The full session (the smallest), the volunteer's two, a second full one, one to validate."""
    validation = next((s for s in fresh if s.requires_validation), None)
    plain = [s for s in fresh if not s.requires_validation and not s.centre_cap]
    full = min(plain, key=lambda s: (s.capacity, s.starts_at), default=None)
    mine: list[TrainingSession] = []
    for session in plain:
        if session is full or session.capacity < 8 or len(mine) == 2:
            continue
        if not any(_overlaps(session, other) for other in [*mine, full] if other is not None):
            mine.append(session)
    second_full = next(
        (s for s in plain if s is not full and s not in mine and s.capacity <= 12), None
    )
    return full, mine, second_full, validation
