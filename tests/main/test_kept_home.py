"""The coordinator's home, kept between requests (reseau/core/cache.py): what it shows is
what it would show computed afresh, after each write that reaches it and when time alone
moves a session from one list to another."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reseau.attendance.models import Feedback
from reseau.core import cache as kept_figures
from reseau.core.extensions import db
from reseau.enrolment.models import EnrolmentStatus
from reseau.main import views as home_views
from reseau.outbox.models import MailStatus, OutboxMail
from tests.factories import enrol, make_coordinator, make_session, make_trainer, make_user
from tests.kept_pages import fresh_page, shown_page

URL = "/"


def _same(app, client) -> str:
    page = shown_page(client, URL)
    assert page == fresh_page(app, client, URL)
    return page


def test_each_write_that_reaches_the_coordinators_home_shows_at_once(app, client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    db.session.commit()
    pages = [_same(app, client)]

    def after(change):
        change()
        db.session.commit()
        pages.append(_same(app, client))
        assert pages[-1] != pages[-2], change

    soon = datetime.now(UTC) + timedelta(days=2)
    session = make_session(starts_at=soon, capacity=1)  # this week or next, no trainer
    after(lambda: None if session.trainers.append(make_trainer()) else None)
    after(lambda: [enrol(session, make_user()), enrol(session, make_user(),
                   status=EnrolmentStatus.WAITLISTED)])  # fmt: skip
    after(lambda: make_user())  # one more active person
    mail = OutboxMail(
        recipient="x@exemple.test", subject="Test", body_text="…", status=MailStatus.FAILED
    )
    after(lambda: db.session.add(mail))
    ended = make_session(starts_at=datetime.now(UTC) - timedelta(days=3))
    after(lambda: db.session.add(Feedback(session_id=ended.id, satisfaction=4)))


def test_a_session_that_ends_comes_to_close_without_any_write(app, client, auth, monkeypatch):
    """No write happens when a session ends: the kept figures hold until that moment."""
    now = datetime.now(UTC)
    make_session(starts_at=now + timedelta(minutes=30), hours=1)
    db.session.commit()
    auth.login(make_coordinator())
    db.session.commit()
    before = shown_page(client, URL)
    later = now + timedelta(hours=2)
    monkeypatch.setattr(kept_figures, "utcnow", lambda: later)
    monkeypatch.setattr(home_views, "utcnow", lambda: later)
    after = shown_page(client, URL)
    assert after != before
    assert 'id="attention-close" class="needs-action"' in after
    assert after == fresh_page(app, client, URL)
