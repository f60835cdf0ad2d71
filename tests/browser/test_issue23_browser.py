"""Issue 23 in a real browser: the roster's counter follows each tap, the home page shows
what waits for the person, publishing an incomplete session asks first (JavaScript on/off)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from reseau.catalogue.models import PromotionMode, SessionStatus, TrainingSession
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.attendance.helpers import attend_all, past_session
from tests.diagnostic.fixtures import make_campaign
from tests.factories import (
    PASSWORD,
    make_centre,
    make_coordinator,
    make_session,
    make_trainer,
    make_user,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_roster_counter_follows_each_tap(pages, log_in, app):
    trainer = make_trainer()
    start = (utcnow() - timedelta(minutes=20)).replace(microsecond=0)
    session = make_session(title="Compter en direct", starts_at=start, trainers=[trainer])
    centre = make_centre()
    people = [make_user(centre=centre, last_name=f"Personne{n}") for n in range(3)]
    for person in people:
        db.session.add(Enrolment(session=session, person=person, status=EnrolmentStatus.CONFIRMED))
    db.session.commit()
    seance_id, email, ids = session.seances[0].id, trainer.email, [p.id for p in people]
    db.session.rollback()  # no read transaction left open while the browser writes

    page = pages.open()
    log_in(page, email, PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(f"/mes-sessions/seances/{seance_id}")
    summary = page.locator("#roster-summary")
    expect(summary).to_contain_text("Présent·e : 0")
    expect(summary).to_contain_text("Non marqué·es : 3")
    page.evaluate("window.reseauMarker = 'same page'")
    for marked, person_id in enumerate(ids, start=1):
        page.locator(f"#attendee-{person_id}").get_by_text("Présent·e", exact=True).click()
        expect(summary).to_contain_text(f"Présent·e : {marked}")
        expect(summary).to_contain_text(f"Non marqué·es : {3 - marked}")
    # Changing one mark moves it from one count to the other.
    page.locator(f"#attendee-{ids[0]}").get_by_text("Absent·e", exact=True).click()
    expect(summary).to_contain_text("Présent·e : 2")
    expect(summary).to_contain_text("Absent·e : 1")
    assert page.evaluate("window.reseauMarker") == "same page"  # never reloaded
    assert page.locator("#roster-summary").count() == 1
    assert pages.console_errors(page) == []


def test_home_page_shows_what_waits_for_the_volunteer(pages, log_in, app):
    person = make_user(first_name="Nadia")
    make_campaign(title="Diagnostic régional 2026")
    offered = make_session(
        title="La fonction employeur", promotion_mode=PromotionMode.OFFER, capacity=1
    )
    db.session.add(
        Enrolment(
            session=offered,
            person=person,
            status=EnrolmentStatus.OFFERED,
            offer_expires_at=utcnow() + timedelta(hours=40),
        )
    )
    closed, _, attendees = past_session(people=0, title="Les fondamentaux")
    attend_all(closed, person)
    closed.status, closed.closed_at = SessionStatus.CLOSED, utcnow()
    db.session.commit()
    email, closed_id = person.email, closed.id
    db.session.rollback()

    page = pages.open()
    log_in(page, email, PASSWORD)
    page.set_viewport_size(PHONE)
    todo = page.locator("#todo")
    expect(todo).to_contain_text("Une place vous est proposée")
    expect(todo).to_contain_text("Diagnostic régional 2026")
    expect(todo).to_contain_text("Votre avis est attendu")
    expect(todo).to_contain_text("Attestation disponible")
    # The greeting is the heading, not also a message above it.
    expect(page.locator("#messages")).not_to_contain_text("Bonjour")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Nadia")
    expect(
        todo.get_by_role("link", name=re.compile("Télécharger mon attestation"))
    ).to_have_attribute("href", f"/mes-formations/{closed_id}/attestation.pdf")
    # Accepting the seat from the home page.
    todo.get_by_role("button", name=re.compile("Accepter la place")).click()
    expect(page.locator("#messages")).to_contain_text("la place est à vous")
    expect(page.locator("#todo")).not_to_contain_text("Une place vous est proposée")
    # The feedback link leads to the form.
    page.locator("#todo").get_by_role("button", name=re.compile("Donner mon avis")).click()
    expect(page).to_have_url(re.compile(rf"/mes-formations/{closed_id}/avis$"))
    assert pages.console_errors(page) == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_publishing_an_incomplete_session_asks_first(pages, log_in, app, javascript):
    coordinator = make_coordinator()
    draft = make_session(title="Sans formatrice", status=SessionStatus.DRAFT)
    db.session.commit()
    email, session_id = coordinator.email, draft.id
    db.session.rollback()

    page = pages.open(javascript=javascript)
    log_in(page, email, PASSWORD)
    page.goto(f"/admin/sessions/{session_id}")
    page.get_by_role("button", name="Publier").click()
    if javascript:
        question = page.locator("dialog#confirm-dialog")
        expect(question).to_be_visible()
        expect(page).to_have_url(re.compile(rf"/admin/sessions/{session_id}$"))
    else:
        question = page.locator("main")
        expect(page).to_have_url(re.compile(rf"/admin/sessions/{session_id}/publier$"))
    expect(question).to_contain_text("Publier « Sans formatrice » quand même ?")
    expect(question).to_contain_text("aucun·e formateur·rice")
    db.session.expire_all()
    assert db.session.get(TrainingSession, session_id).status == SessionStatus.DRAFT
    db.session.rollback()
    question.get_by_role("button", name="Oui, publier quand même").click()
    expect(page.locator("#messages")).to_contain_text("Session « Sans formatrice » publiée")
    db.session.expire_all()
    assert db.session.get(TrainingSession, session_id).status == SessionStatus.PUBLISHED
    db.session.rollback()
    if javascript:
        assert pages.console_errors(page) == []
