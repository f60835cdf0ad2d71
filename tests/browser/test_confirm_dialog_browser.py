"""In a real browser: a destructive action opens a confirmation dialog with JavaScript, a
confirmation page without it (issue 13)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reseau.core.extensions import db
from tests.factories import PASSWORD, make_coordinator, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(app):
    coordinator = make_coordinator()
    person = make_user(first_name="Bérénice", last_name="Tilleul")
    ids = {"email": coordinator.email, "person": person.id}
    db.session.commit()
    return ids


def test_disabling_opens_a_dialog_that_can_be_dismissed(pages, seeded, log_in):
    page = pages.open()
    log_in(page, seeded["email"], PASSWORD)
    page.goto(f"/personnes/{seeded['person']}")
    page.get_by_role("button", name="Désactiver le compte").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Désactiver le compte de Bérénice Tilleul ?")
    expect(page).to_have_url(re.compile(rf"/personnes/{seeded['person']}$"))  # still the page
    dialog.get_by_role("button", name="Non, revenir en arrière").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Désactiver le compte").click()
    dialog.get_by_label("Motif").fill("A quitté le centre.")
    dialog.get_by_role("button", name="Oui, désactiver le compte").click()
    expect(page.locator("#messages")).to_contain_text(
        "Le compte de Bérénice Tilleul est désactivé."
    )
    expect(dialog).to_be_hidden()
    assert pages.console_errors(page) == []


def test_without_javascript_the_confirmation_is_a_page(pages, seeded, log_in):
    page = pages.open(javascript=False)
    log_in(page, seeded["email"], PASSWORD)
    page.goto(f"/personnes/{seeded['person']}")
    page.get_by_role("button", name="Désactiver le compte").click()
    expect(page).to_have_url(re.compile(rf"/personnes/{seeded['person']}/statut$"))
    expect(page.locator("h1")).to_have_text("Désactiver le compte de Bérénice Tilleul ?")
    page.get_by_role("button", name="Oui, désactiver le compte").click()
    expect(page.locator("#messages")).to_contain_text(
        "Le compte de Bérénice Tilleul est désactivé."
    )
