"""Mon parcours in a real browser at phone size (390×844) with JavaScript off: the volunteer
opens it from the menu, reads their figures, shares it; their referent then finds it in
"Parcours partagés" and reads it. No page is wider than the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from reseau.core.extensions import db
from tests.browser.conftest import page_width
from tests.parcours.fixtures import build_world

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _open_menu_link(page, name: str) -> None:
    # On a phone the navigation folds into a <details> "Menu": no JavaScript needed.
    page.locator("nav.site details.menu > summary").click()
    page.locator("nav.site details.menu").get_by_role("link", name=name).click()


def test_the_volunteer_shares_their_parcours_and_the_referent_reads_it(pages, app, log_in):
    world = build_world()
    person, referent = world.person.email, world.referent.email
    db.session.commit()

    page = pages.open(javascript=False)
    page.set_viewport_size(PHONE)
    log_in(page, person)
    _open_menu_link(page, "Mon parcours")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon parcours")
    expect(page.locator("#total-hours")).to_have_text("8,5 h")
    expect(page.locator("#total-sessions")).to_have_text("2 formations")
    expect(page.locator("#hours-per-year")).to_contain_text("2024")
    skills = page.locator("#skills")
    expect(skills).to_contain_text("2024 : 2 → 2025 : 4")
    expect(skills).to_contain_text("en progrès de 2 niveaux")
    assert page_width(page) <= PHONE["width"]

    sharing = page.get_by_label("Mon ou ma référent·e de centre peut consulter mon parcours")
    expect(sharing).not_to_be_checked()
    sharing.check()
    page.get_by_role("button", name="Enregistrer mon choix").click()
    expect(page.locator(".flash-success")).to_contain_text("peut désormais consulter")
    expect(sharing).to_be_checked()
    assert not pages.console_errors(page)

    other = pages.open(javascript=False)
    other.set_viewport_size(PHONE)
    log_in(other, referent)
    _open_menu_link(other, "Parcours partagés")
    expect(other.get_by_role("heading", level=1)).to_have_text("Parcours partagés")
    assert page_width(other) <= PHONE["width"]
    other.get_by_role("link", name="Voir le parcours de Martine Robin").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Parcours de Martine Robin")
    expect(other.locator("#skills")).to_contain_text("2024 : 3 → 2025 : 2")
    expect(other.get_by_role("button", name="Enregistrer mon choix")).to_have_count(0)
    assert page_width(other) <= PHONE["width"]
    assert not pages.console_errors(other)
