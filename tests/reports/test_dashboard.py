"""The coordinator's home: what needs attention now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reseau.attendance import rollups
from reseau.attendance.models import Feedback
from reseau.catalogue.models import SessionStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment import operations
from reseau.enrolment.models import EnrolmentStatus
from reseau.reports.dashboard import attention
from tests.factories import enrol, make_coordinator, make_session, make_trainer, make_user

NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)  # a Wednesday


def _titles(item):
    return [s.title for s in item.sessions]


def test_attention_lists(app):
    trainer = make_trainer()
    week = make_session(starts_at=NOW + timedelta(days=1), title="Cette semaine")
    week.trainers.append(trainer)
    make_session(starts_at=NOW + timedelta(days=20), title="Sans formateur")
    make_session(
        starts_at=NOW + timedelta(days=30), title="Brouillon sans formateur",
        status=SessionStatus.DRAFT,
    )  # fmt: skip
    full = make_session(starts_at=NOW + timedelta(days=10), title="Complète", capacity=1)
    full.trainers.append(trainer)
    enrol(full, make_user())
    enrol(full, make_user(), EnrolmentStatus.WAITLISTED)
    not_full = make_session(starts_at=NOW + timedelta(days=11), title="Place libre", capacity=2)
    not_full.trainers.append(trainer)
    enrol(not_full, make_user())
    enrol(not_full, make_user(), EnrolmentStatus.WAITLISTED)
    past = make_session(starts_at=NOW - timedelta(days=8), title="À clôturer")
    past.trainers.append(trainer)
    closed = make_session(
        starts_at=NOW - timedelta(days=9), title="Déjà clôturée", status=SessionStatus.CLOSED
    )
    db.session.add_all(
        [
            Feedback(session=closed, satisfaction=4, created_at=NOW - timedelta(days=1)),
            Feedback(session=past, satisfaction=5, created_at=NOW - timedelta(days=60)),
        ]
    )
    db.session.flush()
    rollups.rebuild()  # the enrolments above were written raw: the session tallies from them
    result = attention(NOW)
    assert _titles(result.this_week) == ["Cette semaine"]
    assert _titles(result.without_trainer) == ["Sans formateur", "Brouillon sans formateur"]
    assert _titles(result.full_with_waitlist) == ["Complète"]
    assert _titles(result.to_close) == ["À clôturer"]
    assert result.feedback == 1
    assert result.anything


def test_full_with_waitlist_follows_the_enrolment_operations(app):
    """The list reads the sessions' tallies: kept by the operations in their transaction."""
    coordinator, trainer = make_coordinator(), make_trainer()
    starts = utcnow() + timedelta(days=10)
    session = make_session(starts_at=starts, title="Une place", capacity=1)
    session.trainers.append(trainer)
    first, second = make_user(), make_user()
    operations.enrol(first, session, actor=first)
    assert attention().full_with_waitlist.count == 0
    waiting = operations.enrol(second, session, actor=second)
    assert waiting.status == EnrolmentStatus.WAITLISTED
    assert _titles(attention().full_with_waitlist) == ["Une place"]
    operations.change_capacity(session, 2, actor=coordinator)
    assert attention().full_with_waitlist.count == 0


def test_coordinator_home_shows_it(app, client, auth):
    coordinator = make_coordinator()
    make_session(starts_at=utcnow() - timedelta(days=3), title="Session à clôturer")
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/").get_data(as_text=True)
    assert "Coordination régionale" in html and "À regarder maintenant" in html
    close = html[html.index('id="attention-close"') :]
    assert "Session à clôturer" in close[: close.index("</article>")]
    assert 'href="/bilan"' in html


def test_participant_home_has_no_dashboard(app, client, auth):
    person = make_user()
    db.session.commit()
    auth.login(person)
    html = client.get("/").get_data(as_text=True)
    assert "À regarder maintenant" not in html
    assert 'href="/bilan"' not in html
