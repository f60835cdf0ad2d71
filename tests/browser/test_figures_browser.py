"""Issue 23, in a real browser: the bilan of one kind of session (htmx and without
JavaScript), and the sub-category suggestions that follow the category chosen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_the_kind_filter_replaces_the_bilan(pages, bilan_coordinator, log_in):
    page = pages.open()
    log_in(page, bilan_coordinator, PASSWORD)
    page.goto("/bilan?annee=2011")
    page.wait_for_function(
        "() => document.querySelector('#period-form')['htmx-internal-data'] !== undefined"
    )
    page.locator("#type").focus()
    page.locator("#type").select_option("rencontre_regionale")
    expect(page.locator("#bilan-title")).to_have_text("Année 2011 · Rencontres régionales")
    page.wait_for_url("**type=rencontre_regionale**")
    expect(page.locator("#bilan-kind-summary")).to_have_text(
        "1 rencontre régionale ; 1 centre social qui a participé à la rencontre."
    )
    expect(page.locator("#fig-participants")).to_have_text("2")
    expect(page.locator("#type")).to_be_focused()
    # Another year keeps the kind.
    page.get_by_role("navigation", name="Changer d'année").get_by_role(
        "button", name="2012"
    ).click()
    page.wait_for_url("**annee=2012**")
    expect(page.locator("#bilan-title")).to_have_text("Année 2012 · Rencontres régionales")
    expect(page.locator("#type")).to_have_value("rencontre_regionale")
    assert pages.console_errors(page) == []


def test_the_kind_filter_without_javascript(pages, bilan_coordinator, log_in):
    page = pages.open(javascript=False)
    log_in(page, bilan_coordinator)
    page.goto("/bilan?annee=2011")
    page.locator("#type").select_option("formation")
    page.get_by_role("button", name="Afficher l'année").click()
    expect(page.locator("#bilan-title")).to_have_text("Année 2011 · Formations")
    expect(page.locator("#fig-held")).to_have_text("1")
    page.locator("#du").fill("2011-01-01")
    page.locator("#au").fill("2011-06-30")
    page.get_by_role("button", name="Afficher la période").click()
    expect(page.locator("#bilan-title")).to_have_text(
        "Du 1 janvier 2011 au 30 juin 2011 · Formations"
    )


def test_sub_category_suggestions_follow_the_category(pages, bilan_coordinator, log_in):
    page = pages.open()
    log_in(page, bilan_coordinator, PASSWORD)
    page.goto("/personnes/nouvelle")
    field = page.get_by_label("Précision (facultatif)")
    expect(field).to_have_attribute("list", "sub-category-all")
    page.locator("#category").select_option("partenaire")
    expect(field).to_have_attribute("list", "sub-category-partenaire")
    page.locator("#category").select_option("elu")
    expect(field).to_have_attribute("list", "sub-category-elu")
    options = page.locator("#sub-category-elu option")
    expect(options.first).to_have_attribute("value", "élu municipal")
    page.locator("#first_name").fill("Paul")
    page.locator("#last_name").fill("Lemaire")
    page.locator("#email").fill("paul.lemaire@exemple.test")
    field.fill("élu municipal")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paul Lemaire")
    expect(page.get_by_text("Élu·e / administrateur·rice (élu municipal)")).to_be_visible()
    assert pages.console_errors(page) == []
