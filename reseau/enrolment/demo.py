"""Demo enrolments in the upcoming sessions, on top of ``reseau.demo.load_demo()``.

The demo volunteer is confirmed in two upcoming sessions and waitlisted in a full one; the
referent's centre (Centre social du Blanc) has requests waiting for validation; a few
sessions are full with a waitlist. Rows are written directly (no e-mails). A session that
already has enrolments is left alone, so running this twice adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from reseau.accounts.models import Category, Role, User, UserRole, UserStatus
from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.database import utcnow
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.enrolment.operations import FULL_REASON
from reseau.extensions import db

DOMAIN = "demo.reseau.test"
VOLUNTEER = f"benevole@{DOMAIN}"
REFERENT = f"referent@{DOMAIN}"
SEED = 3


def _overlaps(a: TrainingSession, b: TrainingSession) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def add_demo_enrolments(*, commit: bool = True) -> int:
    """Add the demo's upcoming enrolments (idempotent); return how many rows were added."""
    added = _add_todays_rosters()
    return added + _add_upcoming_enrolments(commit=commit)


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
    volunteer = db.session.scalar(sa.select(User).where(User.email == VOLUNTEER))
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
            at = queued + timedelta(hours=n)
            db.session.add(
                Enrolment(
                    session=session,
                    person=person,
                    status=EnrolmentStatus.CONFIRMED,
                    queued_at=at,
                    enrolled_by=person,
                    created_at=at,
                    updated_at=at,
                )
            )
            added += 1
    db.session.flush()
    return added


def _add_upcoming_enrolments(*, commit: bool) -> int:
    volunteer = db.session.scalar(sa.select(User).where(User.email == VOLUNTEER))
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
    blanc = [p for p in pool if p.centre_id == volunteer.centre_id]
    others = [p for p in pool if p.centre_id != volunteer.centre_id]
    rng = random.Random(SEED)
    added = 0

    def write(session, rows):
        nonlocal added
        opened = session.published_at or (session.starts_at - timedelta(days=40))
        opened = min(opened, now - timedelta(days=len(rows) // 4 + 2))
        # From 9 h (Paris, about 8 h UTC), four people a day, in arrival order.
        opened = opened.replace(hour=8, minute=0, second=0, microsecond=0)
        for n, (person, status) in enumerate(rows, 1):
            queued = opened + timedelta(days=n // 4, hours=2 * (n % 4), minutes=7 * n % 60)
            db.session.add(
                Enrolment(
                    session=session,
                    person=person,
                    status=status,
                    queued_at=queued,
                    waitlist_reason=FULL_REASON if status == EnrolmentStatus.WAITLISTED else "",
                    enrolled_by=person,
                    created_at=queued,
                    updated_at=queued,
                )
            )
            added += 1

    def crowd(session, count, exclude=()):
        chosen = [p for p in rng.sample(others, min(len(others), count + 10)) if p not in exclude]
        if session.centre_cap:
            per_centre: dict[int | None, int] = {}
            kept = []
            for person in chosen:
                if per_centre.get(person.centre_id, 0) < session.centre_cap:
                    per_centre[person.centre_id] = per_centre.get(person.centre_id, 0) + 1
                    kept.append(person)
            chosen = kept
        return chosen[:count]

    validation = next((s for s in fresh if s.requires_validation), None)
    plain = [s for s in fresh if not s.requires_validation and not s.centre_cap]
    # The full session: the smallest one; the volunteer is second on its waitlist.
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

    if full is not None:
        people = crowd(full, full.capacity + 3)
        rows = [(p, EnrolmentStatus.CONFIRMED) for p in people[: full.capacity]]
        rows += [(people[full.capacity], EnrolmentStatus.WAITLISTED)]
        rows += [(volunteer, EnrolmentStatus.WAITLISTED)]
        rows += [(p, EnrolmentStatus.WAITLISTED) for p in people[full.capacity + 1 :]]
        write(full, rows)
    for session in mine:
        people = crowd(session, session.capacity // 2)
        write(
            session,
            [(volunteer, EnrolmentStatus.CONFIRMED)]
            + [(p, EnrolmentStatus.CONFIRMED) for p in people],
        )
    if second_full is not None:
        people = crowd(second_full, second_full.capacity + 2)
        rows = [(p, EnrolmentStatus.CONFIRMED) for p in people[: second_full.capacity]]
        rows += [(p, EnrolmentStatus.WAITLISTED) for p in people[second_full.capacity :]]
        write(second_full, rows)
    if validation is not None:
        waiting = blanc[:3]
        confirmed = crowd(validation, min(4, validation.capacity - len(waiting)), waiting)
        write(
            validation,
            [(p, EnrolmentStatus.CONFIRMED) for p in confirmed]
            + [(p, EnrolmentStatus.PENDING) for p in waiting],
        )
    done = {s.id for s in (full, second_full, validation, *mine) if s is not None}
    # A few people in the other upcoming sessions, so that the catalogue looks alive.
    for session in fresh:
        if session.id in done:
            continue
        write(
            session,
            [(p, EnrolmentStatus.CONFIRMED) for p in crowd(session, session.capacity // 3)],
        )
    db.session.flush()
    if commit:
        db.session.commit()
    return added
