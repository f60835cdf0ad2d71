"""In a real browser, with a 12-second idle limit: the warning comes before the session ends,
takes the focus, and « Rester connecté·e » extends the session without a reload (RGAA 13.1.4).
Left alone, the warning says the session has ended, and the server agrees."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, Pages, serving

pytestmark = pytest.mark.browser

IDLE_MINUTES = 0.2  # 12 s; the warning shows for the last 6 (half the limit at most)


@pytest.fixture
def short_session_url(database_url, tmp_path):
    config = {"SESSION_IDLE_MINUTES": IDLE_MINUTES, "SESSION_WARNING_SECONDS": 60}
    with serving(database_url, tmp_path / "mail", **config) as (_, url):
        yield url


@pytest.fixture
def short_pages(browser, short_session_url, app):
    pages = Pages(browser, short_session_url)
    yield pages
    pages.close()


def test_the_idle_warning_extends_the_session_and_says_when_it_has_ended(
    short_pages, demo_accounts, log_in
):
    page = short_pages.open()
    log_in(page, demo_accounts["volunteer"], DEMO_PASSWORD)
    page.get_by_role("link", name="Mes formations").first.click()
    warning = page.get_by_role("alertdialog", name="Votre session va bientôt se terminer")
    expect(warning).to_be_hidden()

    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("vous serez déconnecté·e dans moins d'une minute")
    stay = warning.get_by_role("button", name="Rester connecté·e")
    expect(stay).to_be_focused()
    stay.click()
    expect(warning).to_be_hidden()
    url = page.url

    # The clock restarted: the warning comes again, then the end.
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("Votre session a expiré", timeout=15_000)
    expect(warning.get_by_role("button", name="Rester connecté·e")).to_be_hidden()
    expect(warning.get_by_role("link", name="Se reconnecter")).to_be_visible()
    assert page.url == url  # no reload on the way
    # The server counts whole seconds and ends the session once more than the limit has
    # passed: the page may say so up to two seconds earlier.
    page.wait_for_timeout(2_000)
    page.reload()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    assert short_pages.console_errors(page) == []


def test_without_javascript_the_warning_stays_hidden(short_pages, demo_accounts, log_in):
    page = short_pages.open(javascript=False)
    log_in(page, demo_accounts["volunteer"], DEMO_PASSWORD)
    expect(page.locator("#session-timeout")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
