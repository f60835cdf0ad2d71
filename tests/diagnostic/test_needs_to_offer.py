"""From needs to offer: a session from a ranked need, and one invitation per published session."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.catalogue.signals import session_published
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.outbox.models import OutboxMail
from tests.diagnostic.fixtures import build_world
from tests.factories import make_coordinator, make_referent, make_session


def test_create_session_from_a_ranked_need(app, client, auth):
    w = build_world()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    response = client.post(f"/admin/diagnostic/{w.campaign.id}/themes/{w.t2.id}/session")
    assert response.status_code == 303
    session = db.session.scalar(sa.select(TrainingSession))
    assert session.status == SessionStatus.DRAFT
    assert session.theme_id == w.t2.id
    assert session.department_id == w.d36.id  # 36 asks most for the employer's role
    assert session.title == "La fonction employeur"
    assert response.headers["Location"].endswith(f"/admin/sessions/{session.id}/modifier")


def test_create_session_is_for_the_coordinator_and_campaign_themes_only(app, client, auth):
    w = build_world()
    referent = make_referent(w.a)
    coordinator = make_coordinator()
    other_theme = type(w.t1)(name="Hors questionnaire", slug="hors")
    db.session.add(other_theme)
    db.session.commit()
    auth.login(referent)
    assert (
        client.post(f"/admin/diagnostic/{w.campaign.id}/themes/{w.t1.id}/session").status_code
        == 403
    )
    auth.logout()
    auth.login(coordinator)
    url = f"/admin/diagnostic/{w.campaign.id}/themes/{other_theme.id}/session"
    assert client.post(url).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0


def _need_mails():
    return db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.dedup_key.like("diagnostic:need:%"))
    ).all()


def test_publishing_a_session_invites_who_asked_once(app):
    w = build_world()
    coordinator = make_coordinator()
    session = make_session(theme_id=w.t2.id, title="Recruter sans se tromper")
    db.session.commit()
    session_published.send(session, actor=coordinator)
    db.session.commit()
    mails = _need_mails()
    # T2 wanted by p2 (priority), p3 (yes), p4 (yes); not p1 (no), p5, p6.
    expected = {w.people[key].email for key in ("p2", "p3", "p4")}
    assert {mail.recipient for mail in mails} == expected
    assert all("Recruter sans se tromper" in mail.body_text for mail in mails)
    assert all(f"/catalogue/sessions/{session.id}" in mail.body_text for mail in mails)
    # Published again (or the signal handled twice): nobody gets a second e-mail.
    session_published.send(session, actor=coordinator)
    db.session.commit()
    assert len(_need_mails()) == 3
    # Another session on the same theme is a new invitation.
    second = make_session(theme_id=w.t2.id, title="Recruter, suite")
    session_published.send(second, actor=coordinator)
    db.session.commit()
    assert len(_need_mails()) == 6


def test_session_audience_and_theme_without_need(app):
    from reseau.catalogue.models import Audience

    w = build_world()
    session = make_session(theme_id=w.t2.id, audience=Audience.SALARIES)
    nothing = make_session(title="Sans thème")
    draft = make_session(theme_id=w.t1.id, status=SessionStatus.DRAFT)
    db.session.commit()
    for sent in (session, nothing, draft):
        session_published.send(sent, actor=None)
    db.session.commit()
    assert [mail.recipient for mail in _need_mails()] == [w.people["p2"].email]


def test_results_show_covered_needs(app, client, auth):
    w = build_world()
    coordinator = make_coordinator()
    make_session(theme_id=w.t1.id, starts_at=utcnow() + timedelta(days=10))
    make_session(theme_id=w.t2.id, starts_at=utcnow() - timedelta(days=10))  # already past
    db.session.commit()
    auth.login(coordinator)
    html = client.get(f"/diagnostic/resultats?campagne={w.campaign.id}").text
    fond = html.split("<strong>Les fondamentaux du centre social</strong>")[1].split("</li>")[0]
    employer = html.split("<strong>La fonction employeur</strong>")[1].split("</li>")[0]
    assert "Besoin couvert" in fond
    assert "Besoin couvert" not in employer
