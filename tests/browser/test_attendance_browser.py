"""In a real browser at phone size (390×844): the trainer marks three people with taps,
reloads and finds the states saved; a participant checks in through the QR code's link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.factories import make_centre, make_session, make_trainer, make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _running_session():
    trainer = make_trainer(first_name="Sophie", last_name="Durand")
    start = (utcnow() - timedelta(minutes=20)).replace(microsecond=0)
    session = make_session(title="Accueillir les bénévoles", starts_at=start, trainers=[trainer])
    centre = make_centre(name="Centre social « Les Œillets »")
    people = [
        make_user(first_name=first, last_name=last, centre=centre)
        for first, last in (("Zoé", "Aubert"), ("Loïc", "Bernard"), ("Maëlle", "Céleste"))
    ]
    for person in people:
        db.session.add(Enrolment(session=session, person=person, status=EnrolmentStatus.CONFIRMED))
    db.session.flush()
    return session, trainer, people


def test_trainer_marks_three_people_with_taps(pages, app, log_in):
    session, trainer, people = _running_session()
    email = trainer.email
    ids = [person.id for person in people]
    db.session.commit()

    page = pages.open()
    page.set_viewport_size(PHONE)
    page.goto("/connexion")
    log_in(page, email)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_attached()
    page.goto("/mes-sessions")
    page.get_by_role("link", name="Accueillir les bénévoles").click()
    page.get_by_role("link", name="Émargement").first.click()
    expect(page.get_by_role("heading", name="Émargement")).to_be_visible()
    # A marker on window: gone if the page reloaded.
    page.evaluate("window.reseauMarker = 'same page'")
    taps = list(zip(ids, ("Présent·e", "En retard", "Absent·e"), strict=True))
    for person_id, label in taps:
        person = page.locator(f"#attendee-{person_id}")
        person.get_by_text(label, exact=True).click()
        expect(page.locator(f"#attendee-{person_id}")).to_contain_text(f"Enregistré : {label}")
    assert page.evaluate("window.reseauMarker") == "same page"
    page.reload()
    for person_id, label in taps:
        expect(
            page.locator(f"#attendee-{person_id}").get_by_label(label, exact=True)
        ).to_be_checked()
        expect(page.locator(f"#attendee-{person_id}")).to_contain_text(f"Enregistré : {label}")
    # The roster fits the phone's width (the status buttons never scroll sideways).
    for person_id in ids:
        box = page.locator(f"#attendee-{person_id}").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert pages.console_errors(page) == []


def test_participant_checks_in_through_the_qr_link(pages, app, log_in):
    session, trainer, people = _running_session()
    seance_id, trainer_email, participant_email = (
        session.seances[0].id,
        trainer.email,
        people[0].email,
    )
    participant_id = people[0].id
    db.session.commit()

    trainer_page = pages.open()
    trainer_page.set_viewport_size(PHONE)
    trainer_page.goto("/connexion")
    log_in(trainer_page, trainer_email)
    expect(trainer_page.get_by_role("button", name="Se déconnecter")).to_be_attached()
    trainer_page.goto(f"/mes-sessions/seances/{seance_id}/qr")
    expect(
        trainer_page.get_by_role("img", name="QR code du lien d'émargement de la séance")
    ).to_be_visible()
    link = trainer_page.locator(".checkin-link").inner_text()

    phone = pages.open()
    phone.set_viewport_size(PHONE)
    phone.goto(link)
    expect(phone.locator("#login-form")).to_be_visible()
    log_in(phone, participant_email)
    phone.get_by_role("button", name="Je suis présent·e").click()
    expect(phone.get_by_role("main")).to_contain_text("vous êtes enregistré·e présent·e")

    trainer_page.goto(f"/mes-sessions/seances/{seance_id}")
    expect(
        trainer_page.locator(f"#attendee-{participant_id}").get_by_label("Présent·e", exact=True)
    ).to_be_checked()
    for page in (trainer_page, phone):
        assert pages.console_errors(page) == []


def test_without_javascript_the_form_saves_the_whole_roster(pages, app, log_in):
    session, trainer, people = _running_session()
    seance_id, email = session.seances[0].id, trainer.email
    ids = [person.id for person in people]
    db.session.commit()

    page = pages.open(javascript=False)
    page.set_viewport_size(PHONE)
    page.goto("/connexion")
    log_in(page, email)
    page.goto(f"/mes-sessions/seances/{seance_id}")
    page.locator(f"#attendee-{ids[0]}").get_by_label("Excusé·e", exact=True).check()
    page.locator(f"#attendee-{ids[2]}").get_by_label("Absent·e", exact=True).check()
    page.get_by_role("button", name="Enregistrer tout l'émargement").click()
    expect(page.get_by_role("main")).to_contain_text("Émargement enregistré (2 changements).")
    page.get_by_role("button", name="Tous présents").click()
    expect(page.get_by_role("main")).to_contain_text("1 personne marquée présente.")
    for person_id, label in zip(ids, ("Excusé·e", "Présent·e", "Absent·e"), strict=True):
        expect(
            page.locator(f"#attendee-{person_id}").get_by_label(label, exact=True)
        ).to_be_checked()
