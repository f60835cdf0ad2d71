"""A closed training session that ended ``days_ago`` days ago, with people who came."""

from __future__ import annotations

from datetime import timedelta

from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.catalogue.models import SessionKind, SessionStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.factories import make_session, make_user


def closed_session(days_ago: int, *, people: int = 2, absent: int = 1, **overrides):
    start = (utcnow() - timedelta(days=days_ago)).replace(microsecond=0) - timedelta(hours=3)
    session = make_session(
        starts_at=start, status=SessionStatus.CLOSED, kind=SessionKind.FORMATION, **overrides
    )
    session.closed_at = session.ends_at
    came = [make_user(first_name=f"Venu{i}") for i in range(people)]
    stayed_home = [make_user(first_name=f"Absent{i}") for i in range(absent)]
    for person in came + stayed_home:
        enrolment = Enrolment(session=session, person=person, status=EnrolmentStatus.CONFIRMED)
        db.session.add(enrolment)
        status = AttendanceStatus.PRESENT if person in came else AttendanceStatus.ABSENT
        db.session.add(
            Attendance(seance=session.seances[0], person=person, enrolment=enrolment, status=status)
        )
    db.session.flush()
    return session, came, stayed_home
