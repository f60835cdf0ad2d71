"""In a real browser: the site navigation fits a phone (a "Menu" disclosure that works without
JavaScript) and stays on one row on a desktop screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, page_width

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# Every link the coordinator's menu offers, in order.
COORDINATOR_LINKS = [
    "Catalogue",
    "Accueil",
    "Mes formations",
    "Bilan",
    "Formations",
    "Centres",
    "Personnes",
    "Parcours partagés",
    "Diagnostic des besoins",
    "Valorisation du bénévolat",
    "Adhésions",
    "Journal",
    "Certificats de réalisation",
    "Mes agendas",
    "Mes données",
    "Mon compte",
]


def _nav(page):
    return page.get_by_role("navigation", name="Navigation principale")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_coordinator_menu_fits_a_phone_and_every_link_is_reachable(
    pages, demo_accounts, javascript, log_in
):
    page = pages.open(javascript=javascript)
    page.set_viewport_size(PHONE)
    log_in(page, demo_accounts["coordinator"], DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))

    assert page_width(page) <= PHONE["width"]
    nav = _nav(page)
    # Closed, the menu hides its links; the logout button stays at hand.
    expect(nav.get_by_role("link", name="Mes formations", exact=True)).to_have_count(0)
    expect(nav.get_by_role("button", name="Se déconnecter")).to_be_in_viewport()

    nav.get_by_text("Menu", exact=True).click()
    links = nav.get_by_role("link")
    expect(links).to_have_text(["Réseau", *COORDINATOR_LINKS])
    for index in range(links.count()):
        link = links.nth(index)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.inner_text()
    assert page_width(page) <= PHONE["width"]
    expect(nav.get_by_role("link", name="Accueil", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(nav.get_by_role("link", name="Mes données")).to_have_attribute("href", "/mes-donnees")
    expect(nav.get_by_role("link", name="Journal")).to_have_attribute("href", "/admin/journal")

    nav.get_by_role("link", name="Mes formations", exact=True).click()
    expect(page).to_have_url(re.compile(r"/mes-formations$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes formations")
    # The new page comes with its menu closed again, the current link marked inside it.
    nav = _nav(page)
    expect(nav.get_by_role("link", name="Mes formations", exact=True)).to_have_count(0)
    nav.get_by_text("Menu", exact=True).click()
    expect(nav.get_by_role("link", name="Mes formations", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    nav.get_by_role("link", name="Journal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal des actions sensibles")

    _nav(page).get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    assert page_width(page) <= PHONE["width"]
    if javascript:
        assert pages.console_errors(page) == []


def test_volunteer_menu_fits_a_phone(pages, demo_accounts, log_in):
    page = pages.open()
    page.set_viewport_size(PHONE)
    log_in(page, demo_accounts["volunteer"], DEMO_PASSWORD)
    assert page_width(page) <= PHONE["width"]
    nav = _nav(page)
    nav.get_by_text("Menu", exact=True).click()
    expect(nav.get_by_role("link", name="Mes données")).to_be_visible()
    expect(nav.get_by_role("link", name="Journal")).to_have_count(0)
    expect(nav.get_by_role("link", name="Formations", exact=True)).to_have_count(0)


def test_coordinator_navigation_is_one_row_on_a_desktop(pages, demo_accounts, log_in):
    page = pages.open()
    page.set_viewport_size(DESKTOP)
    log_in(page, demo_accounts["coordinator"], DEMO_PASSWORD)

    nav = _nav(page)
    assert nav.bounding_box()["height"] < 90
    assert page_width(page) <= DESKTOP["width"]
    expect(nav.get_by_text("Menu", exact=True)).to_be_hidden()
    for name in ("Catalogue", "Accueil", "Mes formations", "Bilan", "Mes données", "Mon compte"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    # The administration links wait in a dropdown.
    expect(nav.get_by_role("link", name="Journal")).to_have_count(0)
    nav.locator("summary", has_text="Administration").click()
    for name in ("Formations", "Centres", "Personnes", "Diagnostic des besoins", "Journal"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    nav.get_by_role("link", name="Centres", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/centres"))
    assert _nav(page).bounding_box()["height"] < 90
    assert pages.console_errors(page) == []
