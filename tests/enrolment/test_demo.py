"""The demo enrolments: what the journeys need, never overbooked, idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from devdata.demo import load_demo
from devdata.demo.enrolments import add_demo_enrolments
from devdata.demo.specs import BENEVOLE as VOLUNTEER
from devdata.demo.specs import REFERENT
from reseau.accounts.models import User
from reseau.catalogue.models import TrainingSession
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment import operations as ops
from reseau.enrolment.models import Enrolment, EnrolmentStatus


def test_demo_enrolments(app):
    # load_demo() adds the enrolments itself; a second call adds nothing.
    assert load_demo()["upcoming_enrolments"] > 0
    assert add_demo_enrolments() == 0
    volunteer = db.session.scalar(sa.select(User).where(User.email == VOLUNTEER))
    referent = db.session.scalar(sa.select(User).where(User.email == REFERENT))
    upcoming = db.session.scalars(
        sa.select(Enrolment)
        .join(TrainingSession)
        .where(Enrolment.person_id == volunteer.id, TrainingSession.starts_at > utcnow())
    ).all()
    statuses = sorted(e.status for e in upcoming)
    assert statuses.count(EnrolmentStatus.CONFIRMED) >= 2
    waiting = [e for e in upcoming if e.status == EnrolmentStatus.WAITLISTED]
    assert len(waiting) == 1 and ops.waitlist_position(waiting[0]) == 2
    assert ops.seats_left(waiting[0].session) == 0
    pending = db.session.scalars(
        sa.select(Enrolment)
        .join(User, User.id == Enrolment.person_id)
        .where(Enrolment.status == EnrolmentStatus.PENDING, User.centre_id == referent.centre_id)
    ).all()
    assert len(pending) >= 2
    for session in db.session.scalars(sa.select(TrainingSession)):
        assert ops.seats_left(session) >= 0
        taken = ops.seats_taken([session.id]).get(session.id, 0)
        assert taken <= session.capacity
    assert add_demo_enrolments() == 0
