"""In a real browser: the demo accounts log in, a coordinator manages centres, with and
without JavaScript."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from reseau.accounts.models import Centre
from reseau.core.extensions import db
from tests.browser.conftest import DEMO_PASSWORD
from tests.factories import PASSWORD, make_centre, make_coordinator, make_department

pytestmark = pytest.mark.browser

# What each demo account must see on its home page (main.home), and must not see.
HOME_SECTIONS = {
    "coordinator": "Coordination régionale",
    "referent": "Mon centre : Centre social du Blanc",
    "trainer": "Mes sessions à animer",
    "volunteer": "Mes prochaines formations",
    "disability": "Demandes d'aménagement",
}


@pytest.fixture
def coordinator(app):
    """A coordinator, two départements and three centres; {email, cher (a département id)}."""
    indre = make_department(code="36", name="Indre")
    cher = make_department(code="18", name="Cher")
    make_centre(name="Centre social du Blanc", town="Le Blanc", department=indre)
    make_centre(name="Centre social de Vierzon", town="Vierzon", department=cher)
    make_centre(name="Centre social Val d'Auron", town="Bourges", department=cher, is_member=False)
    user = make_coordinator(first_name="Claire")
    seeded = SimpleNamespace(email=user.email, cher=cher.id)
    db.session.commit()
    return seeded


def centre_named(name: str) -> SimpleNamespace | None:
    """Read the database from the test while the live server may write.

    On SQLite, a transaction outside a request takes the write lock at BEGIN: end it at once,
    or the live server's next POST waits for it."""
    try:
        centre = db.session.scalar(sa.select(Centre).where(Centre.name == name))
        if centre is None:
            return None
        return SimpleNamespace(
            id=centre.id,
            town=centre.town,
            postcode=centre.postcode,
            department_id=centre.department_id,
        )
    finally:
        db.session.rollback()


def test_each_demo_account_reaches_its_home_page(pages, demo_accounts, log_in):
    for role, email in demo_accounts.items():
        page = pages.open()
        log_in(page, email, DEMO_PASSWORD)
        expect(page).to_have_url(re.compile(r"/$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")
        expect(page.get_by_role("heading", name=HOME_SECTIONS[role])).to_be_visible()
        # Everyone has "Mes prochaines formations"; the coordinator reads the adjustment
        # requests too.
        shared = {"volunteer", "disability"} if role == "coordinator" else {"volunteer"}
        others = [text for key, text in HOME_SECTIONS.items() if key != role and key not in shared]
        for text in others:
            expect(page.get_by_role("heading", name=text)).to_have_count(0)
        assert pages.console_errors(page) == [], role


def test_login_with_a_wrong_password_says_so(pages, coordinator):
    page = pages.open()
    page.goto("/connexion")
    page.locator("#email").fill(coordinator.email)
    page.locator("#password").fill("pas-le-bon")
    page.locator("#login-form button[type=submit]").click()
    expect(page.locator("#login-form")).to_contain_text("incorrect")
    expect(page.locator("#email")).to_have_value(coordinator.email)
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def create_centre_through_the_form(page, department_id: int) -> None:
    page.goto("/admin/centres")
    page.get_by_role("button", name="Ajouter un centre").click()  # <a role=button>
    expect(page.get_by_role("heading", name="Nouveau centre social")).to_be_visible()
    page.locator("#name").fill("Centre social de Saint-Amand")
    page.locator("#postcode").fill("18200")
    page.locator("#town").fill("Saint-Amand-Montrond")
    page.locator("#department_id").select_option(str(department_id))
    page.locator("#centre-form button[type=submit]").click()
    expect(page.get_by_role("heading", name="Centre social de Saint-Amand")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_coordinator_creates_a_centre(pages, coordinator, javascript, log_in):
    page = pages.open(javascript=javascript)
    log_in(page, coordinator.email, PASSWORD)
    create_centre_through_the_form(page, coordinator.cher)

    centre = centre_named("Centre social de Saint-Amand")
    assert centre is not None
    assert (centre.town, centre.postcode, centre.department_id) == (
        "Saint-Amand-Montrond",
        "18200",
        coordinator.cher,
    )
    # One page, not the detail page nested inside the form (an htmx swap of a redirect).
    expect(page.locator("h1")).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"/admin/centres/{centre.id}$"))
    page.goto("/admin/centres")
    expect(page.locator("#centre-results")).to_contain_text("Centre social de Saint-Amand")
    assert pages.console_errors(page) == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_centre_form_errors_keep_what_was_typed(pages, coordinator, javascript, log_in):
    page = pages.open(javascript=javascript)
    log_in(page, coordinator.email, PASSWORD)
    page.goto("/admin/centres/nouveau")
    page.locator("#name").fill("Centre social sans commune")
    page.locator("#postcode").fill("123")
    page.locator("#centre-form button[type=submit]").click()

    expect(page.locator("#postcode-error")).to_contain_text("5 chiffres")
    expect(page.locator("#town-error")).to_be_visible()
    expect(page.locator("#name")).to_have_value("Centre social sans commune")
    expect(page.locator("#postcode")).to_have_attribute("aria-invalid", "true")
    assert centre_named("Centre social sans commune") is None


def test_live_filter_updates_results_without_reloading(pages, coordinator, log_in):
    page = pages.open()
    log_in(page, coordinator.email, PASSWORD)
    page.goto("/admin/centres")
    results = page.locator("#centre-results tbody tr")
    expect(results).to_have_count(3)
    # A full reload would lose this marker; an htmx swap keeps it.
    page.evaluate("window.__sameDocument = true")

    page.locator("#q").fill("vierz")

    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Centre social de Vierzon")
    expect(page).to_have_url(re.compile(r"/admin/centres\?.*q=vierz"))
    assert page.evaluate("window.__sameDocument") is True

    page.locator("#adhesion").select_option("non-adherent")
    page.locator("#q").fill("")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Val d'Auron")
    assert page.evaluate("window.__sameDocument") is True
    assert pages.console_errors(page) == []


def test_filter_works_without_javascript(pages, coordinator, log_in):
    page = pages.open(javascript=False)
    log_in(page, coordinator.email, PASSWORD)
    page.goto("/admin/centres")
    page.locator("#q").fill("blanc")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"q=blanc"))
    results = page.locator("#centre-results tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Centre social du Blanc")
