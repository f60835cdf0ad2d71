"""In a real browser at phone size (390×844), JavaScript off: a complaint sent from the
footer's link gets its reference; the coordinator answers it; the programme shows on the
session page. No page scrolls sideways."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from reseau.complaints.models import Complaint
from reseau.core.extensions import db
from reseau.core.i18n import today_paris
from reseau.outbox.models import OutboxMail
from tests.browser.conftest import page_width
from tests.factories import PASSWORD, make_coordinator, make_module, make_session

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seeded(app):
    coordinator = make_coordinator(email="claire.moreau@exemple.fr")
    module = make_module(
        title="La participation des habitants au projet",
        prerequisites="Aucun.",
        access_delay="Inscription jusqu'à 8 jours avant la session.",
    )
    session = make_session(title="La participation des habitants – Tours", module=module)
    values = SimpleNamespace(session=session.id, coordinator=coordinator.email)
    db.session.commit()  # read nothing after: the live server writes
    return values


def _stored() -> tuple:
    try:
        complaint = db.session.scalar(sa.select(Complaint))
        mails = db.session.scalars(sa.select(OutboxMail.recipient).order_by(OutboxMail.id)).all()
        return complaint.reference, complaint.session_id, complaint.category.value, mails
    finally:
        db.session.rollback()


def test_sending_a_complaint_without_javascript_on_a_phone(pages, log_in, seeded):
    page = pages.open(javascript=False)
    page.set_viewport_size(PHONE)
    page.goto(f"/catalogue/sessions/{seeded.session}")
    expect(page.get_by_role("heading", name="Programme")).to_be_visible()
    expect(page.get_by_text("Inscription jusqu'à 8 jours avant la session.")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    page.get_by_role("link", name="Réclamation ou difficulté").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réclamation ou difficulté")
    assert page_width(page) <= PHONE["width"]
    # Sent half-filled: the French messages, what was typed kept.
    page.get_by_label("Votre nom").fill("Martine Robin")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Choisissez un sujet dans la liste.")).to_be_visible()
    expect(page.get_by_label("Votre nom")).to_have_value("Martine Robin")
    assert page_width(page) <= PHONE["width"]
    page.get_by_label("Difficulté rencontrée").check()
    page.get_by_label("À quel sujet ?").select_option(label="Lieu, accueil")
    page.get_by_label("Session concernée (facultatif)").select_option(str(seeded.session))
    page.get_by_label("Votre adresse e-mail").fill("martine.robin@exemple.fr")
    page.get_by_label("Votre message").fill("Pas de place pour se garer près du centre social.")
    page.get_by_role("button", name="Envoyer").click()
    reference = f"R-{today_paris().year}-0001"
    expect(page.get_by_role("heading", level=1)).to_have_text("Message envoyé")
    expect(page.get_by_text(reference)).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    assert _stored() == (
        reference,
        seeded.session,
        "place",
        ["martine.robin@exemple.fr", "claire.moreau@exemple.fr"],
    )

    coordinator = pages.open(javascript=False)
    coordinator.set_viewport_size(PHONE)
    log_in(coordinator, seeded.coordinator, PASSWORD)
    coordinator.goto("/admin/reclamations")
    assert page_width(coordinator) <= PHONE["width"]
    coordinator.get_by_role("link", name=reference).click()
    coordinator.get_by_label("Réponse envoyée à la personne").fill("Un parking est à 200 m.")
    coordinator.get_by_role("button", name="Envoyer la réponse").click()
    expect(coordinator.get_by_text("Réponse envoyée à martine.robin@exemple.fr.")).to_be_visible()
    coordinator.get_by_role("button", name="Clôturer la réclamation").click()
    expect(coordinator.get_by_text(f"Réclamation {reference} clôturée.")).to_be_visible()
    assert page_width(coordinator) <= PHONE["width"]
