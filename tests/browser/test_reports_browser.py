"""In a real browser: the coordinator opens the bilan, changes the year, the charts follow."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_the_year_switch_updates_figures_and_charts(pages, bilan_coordinator, log_in):
    page = pages.open()
    log_in(page, bilan_coordinator, PASSWORD)
    page.get_by_role("link", name="Bilan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan")

    # Wait until htmx has wired the form (it does so just after swapping the boosted page).
    page.wait_for_function(
        "() => document.querySelector('#period-form')['htmx-internal-data'] !== undefined"
    )
    page.locator("#annee").focus()
    page.locator("#annee").select_option("2011")  # htmx: only the bilan is replaced
    expect(page.locator("#bilan-title")).to_have_text("Année 2011")
    page.wait_for_url("**annee=2011**")
    expect(page.locator("#fig-participants")).to_have_text("5")
    expect(page.locator("#annee")).to_be_focused()  # the forms came back, the focus stayed
    chart = page.locator("#chart-categories")
    expect(chart).to_have_attribute("data-values", "1,2,1,1")
    expect(chart.locator("rect")).to_have_count(4)
    expect(page.locator("#chart-months")).to_have_attribute(
        "data-values", "0,0,6,0,0,2,0,0,0,0,0,0"
    )

    page.get_by_role("navigation", name="Changer d'année").get_by_role(
        "button", name="2012"
    ).click()
    expect(page.locator("#bilan-title")).to_have_text("Année 2012")
    page.wait_for_url("**annee=2012**")
    expect(page.locator("#fig-participants")).to_have_text("1")
    expect(page.locator("#annee")).to_have_value("2012")  # the year field follows
    expect(page.locator("#chart-categories")).to_have_attribute("data-values", "0,1,0,0")
    expect(page.locator("#chart-months")).to_have_attribute(
        "data-values", "3,0,0,0,0,0,0,0,0,0,0,0"
    )
    assert pages.console_errors(page) == []
    # The back button brings 2011 back (htmx asks the server for the whole page again).
    page.go_back()
    expect(page.locator("#bilan-title")).to_have_text("Année 2011")
    expect(page.locator("#fig-participants")).to_have_text("5")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)


def test_the_bilan_works_without_javascript(pages, bilan_coordinator, log_in):
    page = pages.open(javascript=False)
    log_in(page, bilan_coordinator)
    page.goto("/bilan")
    page.locator("#annee").select_option("2011")
    page.get_by_role("button", name="Afficher l'année").click()
    expect(page.locator("#bilan-title")).to_have_text("Année 2011")
    expect(page.locator("#fig-participants")).to_have_text("5")
    page.get_by_role("button", name="2012").click()
    expect(page.locator("#fig-participants")).to_have_text("1")
