"""Builders for attendance tests: a session with trainer, séances and confirmed people."""

from __future__ import annotations

from datetime import timedelta

from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from tests.factories import enrol, make_centre, make_session, make_trainer, make_user


def running_session(*, trainer=None, people=3, starts_in=timedelta(minutes=-30), **kw):
    """A published session whose first séance started ``-starts_in`` ago (running now)."""
    trainer = trainer or make_trainer()
    start = (utcnow() + starts_in).replace(microsecond=0)
    session = make_session(starts_at=start, trainers=[trainer], **kw)
    centre = make_centre(name="Centre social « Les Œillets »")
    persons = [
        make_user(first_name=f"Prénom{i}", last_name=f"Participant{i}", centre=centre)
        for i in range(people)
    ]
    for person in persons:
        enrol(session, person)
    return session, trainer, persons


def past_session(*, trainer=None, people=2, seances=2, **kw):
    """A published session whose séances are over; everyone present at every séance."""
    trainer = trainer or make_trainer()
    start = (utcnow() - timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    session = make_session(starts_at=start, seances=seances, trainers=[trainer], **kw)
    persons = [make_user(centre=make_centre()) for _ in range(people)]
    for person in persons:
        attend_all(session, person)
    return session, trainer, persons


def attend_all(session, person):
    """Enrol ``person`` (confirmed) and mark them present at every séance of ``session``."""
    enrolment = enrol(session, person)
    for seance in session.seances:
        db.session.add(
            Attendance(
                seance=seance,
                person_id=person.id,
                enrolment_id=enrolment.id,
                status=AttendanceStatus.PRESENT,
            )
        )
    db.session.flush()
    return enrolment
