"""Two coordinators correcting the same people at once, each on its own connection.

On PostgreSQL a mark that read its row without a lock could take its audit "before" from a
stale read (two entries both saying "absent → …") and leave one writer's status with the
other's ``recorded_by`` (the ORM's UPDATE only sets the columns that changed). Marks hold the
séance (``attendance.operations._hold``): every write is one read-modify-write. On SQLite the
write lock taken at BEGIN serialises them already; the test runs on both.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

from reseau.accounts.models import User
from reseau.attendance import operations
from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.catalogue.models import Seance, SessionStatus
from reseau.core.audit import AuditLog
from reseau.core.extensions import db
from tests.attendance.helpers import past_session
from tests.factories import make_coordinator

PEOPLE = 20
# What each coordinator sets, round by round: within a round the two differ, and each
# differs from both statuses of the round before, so every mark is a change.
ROUNDS = [
    (AttendanceStatus.LATE, AttendanceStatus.PRESENT),
    (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT),
    (AttendanceStatus.PRESENT, AttendanceStatus.LATE),
]


def _closed_session_all_absent():
    session, _trainer, people = past_session(people=PEOPLE, seances=1)
    seance = session.seances[0]
    db.session.execute(
        sa.update(Attendance)
        .where(Attendance.seance_id == seance.id)
        .values(status=AttendanceStatus.ABSENT)
    )
    session.status = SessionStatus.CLOSED
    coordinators = [make_coordinator(), make_coordinator()]
    db.session.commit()
    return seance.id, [p.id for p in people], [c.id for c in coordinators]


def _mark_all(app, barrier, seance_id, person_ids, coordinator_id, column, errors):
    """One coordinator's thread: its own app context, hence its own session and connection."""
    try:
        with app.app_context():
            for statuses in ROUNDS:
                for person_id in person_ids:
                    barrier.wait(timeout=30)  # both marks of this person start together
                    seance = db.session.get(Seance, seance_id)
                    person = db.session.get(User, person_id)
                    actor = db.session.get(User, coordinator_id)
                    operations.set_status(seance, person, statuses[column], actor=actor)
                    db.session.commit()
            db.session.remove()
    except Exception as error:  # reported by the main thread
        barrier.abort()
        errors.append(error)


def test_two_coordinators_marking_at_once_keep_one_consistent_history(app):
    seance_id, person_ids, coordinator_ids = _closed_session_all_absent()
    db.session.remove()  # the test's own connection holds nothing while the threads write
    barrier = threading.Barrier(2)
    errors: list[Exception] = []
    threads = [
        threading.Thread(
            target=_mark_all,
            args=(app, barrier, seance_id, person_ids, coordinator_ids[column], column, errors),
        )
        for column in (0, 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []

    records = {
        record.person_id: record
        for record in db.session.scalars(
            sa.select(Attendance).where(Attendance.seance_id == seance_id)
        )
    }
    entries = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "attendance.correct").order_by(AuditLog.id)
    ).all()
    by_record: dict[int, list[AuditLog]] = {}
    for entry in entries:
        by_record.setdefault(entry.object_id, []).append(entry)

    broken_chains, wrong_author = [], []
    for person_id in person_ids:
        record = records[person_id]
        chain = by_record.get(record.id, [])
        states = ["absent"] + [entry.after["status"] for entry in chain]
        befores = [entry.before["status"] for entry in chain]
        if befores != states[:-1] or states[-1] != record.status.value:
            broken_chains.append((person_id, befores, states))
        if chain and chain[-1].actor_id != record.recorded_by_id:
            wrong_author.append(person_id)
    # Every mark was a change, hence one entry each; the chains are unbroken and the row's
    # author is the author of its last change.
    assert len(entries) == PEOPLE * len(ROUNDS) * 2
    assert broken_chains == []
    assert wrong_author == []
