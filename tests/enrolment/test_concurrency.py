"""Concurrent enrolments over HTTP against a real gunicorn server with two workers.

Runs on the suite's database (SQLite, or PostgreSQL with RESEAU_TEST_DB=postgresql): the
session row lock (PostgreSQL) or the immediate write transaction (SQLite) must keep the
counts exact and the waitlist in arrival order, whatever worker answers.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus

BENCH = Path(__file__).resolve().parents[2] / "bench" / "enrol_burst.py"
POSITION_RE = re.compile(r"Liste d'attente, position (\d+)")


@pytest.fixture(scope="module")
def burst():
    spec = importlib.util.spec_from_file_location("enrol_burst", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def queue(session_id: int, status: EnrolmentStatus) -> list[Enrolment]:
    """Return the enrolments in ``status``, in queue order, people loaded."""
    return list(
        db.session.scalars(
            sa.select(Enrolment)
            .options(sa.orm.joinedload(Enrolment.person))
            .where(Enrolment.session_id == session_id, Enrolment.status == status)
            .order_by(Enrolment.queued_at, Enrolment.id)
        )
    )


def test_concurrent_enrolments_never_overbook(app, database_url, burst):
    seats, people = 5, 24
    session_id, emails = burst.create_people_and_session(people, seats)
    db.session.remove()
    with burst.gunicorn_server(database_url, workers=2) as base:
        clients = burst.logged_in_clients(base, emails, session_id, threads=4)
        # Everyone at once, plus a double click from the first person.
        calls = [lambda c=c: c.enrol(session_id) for c in clients]
        calls.append(lambda: clients[0].enrol(session_id))
        results = burst.fire(calls)
        statuses = sorted(status for status, _, _ in results)
        # One of the double click's two requests is refused with a French message.
        assert statuses == [200] * people + [409], statuses
        refused = next(body for status, body, _ in results if status == 409)
        assert "déjà" in refused

        db.session.expire_all()
        confirmed = queue(session_id, EnrolmentStatus.CONFIRMED)
        waiting = queue(session_id, EnrolmentStatus.WAITLISTED)
        assert (len(confirmed), len(waiting)) == (seats, people - seats)
        # Arrival order: every confirmed person arrived before every waitlisted one.
        assert max(e.queued_at for e in confirmed) <= min(e.queued_at for e in waiting)
        # Each waitlisted person was told a distinct position, 1..n without gaps, and the
        # position they were told is their place in the queue.
        told = {}
        for client, (_status, body, _) in zip(clients, results, strict=False):
            match = POSITION_RE.search(body)
            if match:
                told[client] = int(match.group(1))
        assert sorted(told.values()) == list(range(1, people - seats + 1))

        # Three confirmed people cancel at once: the first three waiting move up, in order.
        holders = {e.person.email for e in confirmed}
        leaving = [c for c, e in zip(clients, emails, strict=True) if e in holders][:3]
        # End this test's own transaction: on SQLite it holds the write lock.
        db.session.rollback()
        results = burst.fire([lambda c=c: c.cancel(session_id) for c in leaving])
        assert [status for status, _, _ in results] == [200, 200, 200]

        db.session.expire_all()
        now_confirmed = queue(session_id, EnrolmentStatus.CONFIRMED)
        assert len(now_confirmed) == seats
        assert {e.id for e in waiting[:3]} <= {e.id for e in now_confirmed}
        still_waiting = queue(session_id, EnrolmentStatus.WAITLISTED)
        assert [e.id for e in still_waiting] == [e.id for e in waiting[3:]]
