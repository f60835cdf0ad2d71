"""In a real browser: "Mes agendas" with and without JavaScript (CSP on, no console error)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from reseau.core.extensions import db
from tests.factories import enrol, make_session, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def volunteer(app):
    person = make_user(first_name="Léa")
    enrol(make_session(title="Accueillir les familles"), person)
    email = person.email
    db.session.commit()
    return email


@pytest.mark.parametrize("javascript", [True, False])
def test_my_calendars_gives_a_working_address(pages, volunteer, javascript, log_in):
    page = pages.open(javascript=javascript)
    log_in(page, volunteer)
    page.get_by_role("link", name="Mes agendas").click()
    expect(page.get_by_role("heading", name="Mes agendas", level=1)).to_be_visible()
    page.get_by_role("button", name="Obtenir l'adresse de cet agenda").first.click()
    expect(page.get_by_text("Votre adresse d'agenda est prête.")).to_be_visible()
    address = page.get_by_label("Adresse de l'agenda (personnelle, ne la partagez pas)")
    url = address.input_value()
    assert "/agenda/prive/" in url
    expect(page.get_by_role("img", name="Code QR de l'adresse de l'agenda")).to_be_visible()
    copy = page.locator("#agenda-person").get_by_role("button", name="Copier l'adresse")
    if javascript:
        expect(copy).to_be_visible()
        copy.click()
        expect(page.locator("#agenda-person .copy-status")).to_have_text("Adresse copiée.")
    else:
        expect(copy).to_be_hidden()
    feed = page.request.get(url)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "Accueillir les familles" in feed.text()
    assert pages.console_errors(page) == []
