"""The cold questionnaire through ``tick``: sent N days after the end (per cycle), one
reminder M days later to those who gave no answer, nothing sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.evaluation import operations
from reseau.evaluation.models import ColdAnswer, ColdSchedule, ColdSurvey
from reseau.outbox.models import OutboxMail
from tests.evaluation.fixtures import closed_session
from tests.factories import make_centre, make_cycle, make_module, make_referent


def _mails(prefix: str) -> list[OutboxMail]:
    return db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.subject.like(f"{prefix}%")).order_by(OutboxMail.id)
    ).all()


@pytest.fixture
def later(monkeypatch):
    """Move the evaluation room's clock ``days`` ahead."""

    def move(days: int):
        moved = utcnow() + timedelta(days=days)
        monkeypatch.setattr(operations, "utcnow", lambda: moved)

    return move


def test_tick_sends_the_questionnaire_then_one_reminder_and_nothing_twice(app, runner, later):
    session, came, absent = closed_session(91)
    too_soon, _, _ = closed_session(10)
    too_old, _, _ = closed_session(200)
    db.session.commit()

    first = runner.invoke(args=["tick"])
    assert first.exit_code == 0, first.output
    assert "2 questionnaire(s) à froid pour 1 session(s)" in first.output
    invitations = _mails("Trois mois après")
    assert sorted(m.recipient for m in invitations) == sorted(p.email for p in came)
    assert "/evaluation-a-froid" in invitations[0].body_text
    assert db.session.get(ColdSurvey, session.id).invited == 2
    assert db.session.get(ColdSurvey, too_soon.id) is None
    assert db.session.get(ColdSurvey, too_old.id) is None

    second = runner.invoke(args=["tick"])
    assert "0 questionnaire(s) à froid pour 0 session(s), 0 relance(s)" in second.output
    assert len(_mails("Trois mois après")) == 2

    # One person answers one question; 14 days later only the other one is reminded, once.
    answer = db.session.scalar(sa.select(ColdAnswer).where(ColdAnswer.person_id == came[0].id))
    operations.save_cold_field(answer, "gained", "Je sais lire un budget")
    db.session.commit()
    later(13)
    assert "0 relance(s)" in runner.invoke(args=["tick"]).output
    later(15)
    assert "1 relance(s)" in runner.invoke(args=["tick"]).output
    assert "0 relance(s)" in runner.invoke(args=["tick"]).output
    later(40)
    assert "0 relance(s)" in runner.invoke(args=["tick"]).output
    reminders = _mails("Rappel : votre avis")
    assert [m.recipient for m in reminders] == [came[1].email]


def test_the_delay_and_reminder_follow_the_cycle(app, later):
    cycle = make_cycle()
    db.session.add(ColdSchedule(cycle_id=cycle.id, delay_days=30, reminder_days=7))
    session, came, _ = closed_session(31, people=1, absent=0, module=make_module(cycle=cycle))
    default, _, _ = closed_session(31, people=1, absent=0)
    db.session.commit()
    counts = operations.tick()
    assert (counts["sessions"], counts["invited"]) == (1, 1)
    db.session.commit()
    assert db.session.get(ColdSurvey, session.id) is not None
    assert db.session.get(ColdSurvey, default.id) is None
    later(8)
    assert operations.tick()["reminders"] == 1
    db.session.commit()
    assert operations.tick()["reminders"] == 0


def test_referents_are_asked_once_a_year_what_the_trainings_brought(app, monkeypatch):
    centre = make_centre()
    referent = make_referent(centre)
    session, came, _ = closed_session(400, people=1, absent=0)
    came[0].centre = centre
    db.session.commit()
    year = session.starts_at.year
    from datetime import UTC, datetime

    monkeypatch.setattr(operations, "utcnow", lambda: datetime(year + 1, 1, 10, 9, tzinfo=UTC))
    assert operations.tick()["reviews"] == 0  # not before 15 January
    monkeypatch.setattr(operations, "utcnow", lambda: datetime(year + 1, 2, 1, 9, tzinfo=UTC))
    assert operations.tick()["reviews"] == 1
    db.session.commit()
    assert operations.tick()["reviews"] == 0
    (mail,) = _mails("Ce que les formations")
    assert mail.recipient == referent.email and f"/mon-centre/bilan-annuel/{year}" in mail.body_text
