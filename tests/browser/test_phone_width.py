"""In a real browser at 390 × 844: every page each demo person reaches fits the phone's width
(no horizontal scroll), and no page logs a console error or a CSP violation.

Each person's pages are found by the bounded crawl of ``tests/crawl.py`` (GET only, from the
home page and the navigation, no downloads, no logout)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_ACCOUNTS, DEMO_PASSWORD, page_width
from tests.crawl import crawl

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
EXTRA_START = {"coordinator": ["/bilan?annee=2011"], "referent": ["/bilan?annee=2011"]}

# The elements that stick out on the right, deepest first: what to fix when the test fails.
WIDEST = """(limit) => {
  const out = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.right > limit + 1 && box.width > 0) {
      const inside = [...element.children].some(c => c.getBoundingClientRect().right > limit + 1);
      if (!inside) {
        out.push(`${element.tagName.toLowerCase()}.${element.className} (${Math.round(box.right)} px): `
          + (element.textContent || "").trim().slice(0, 50));
      }
    }
  }
  return out.slice(0, 5);
}"""


def visit_all(app, pages, page, role: str, check) -> list[str]:
    """Crawl the person's pages in ``page``; ``check(path)`` runs on each; the paths seen."""

    def fetch(path):
        try:
            response = page.goto(path)
        except PlaywrightError:  # a download the crawl could not tell from its address
            return None
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            return None
        assert response.status < 500, (role, path, response.status)
        check(path)
        return urlsplit(page.url).path, page.content()

    return crawl(
        app,
        fetch,
        ["/", *EXTRA_START.get(role, [])],
        base=pages.base_url,
        max_pages=60,
    )


@pytest.mark.parametrize("role", ["anonymous", *DEMO_ACCOUNTS])
def test_every_page_fits_a_phone_with_no_console_error(app, pages, demo_accounts, role, log_in):
    page = pages.open()
    page.set_viewport_size(PHONE)
    if role != "anonymous":
        log_in(page, demo_accounts[role], DEMO_PASSWORD)
    too_wide: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    logged = pages.console_errors(page)

    def check(path):
        width = page_width(page)
        if width > PHONE["width"]:
            too_wide[f"{path} ({width} px)"] = page.evaluate(WIDEST, PHONE["width"])
        if logged:
            errors[path] = list(logged)
            logged.clear()

    visited = visit_all(app, pages, page, role, check)
    assert len(visited) > 5, visited
    assert not too_wide, (
        f"{len(too_wide)} of {len(visited)} pages are wider than 390 px: {too_wide}"
    )
    assert not errors, errors


def test_bilan_chart_labels_are_not_cut_on_a_desktop(pages, demo_accounts, log_in):
    page = pages.open()
    page.set_viewport_size(DESKTOP)
    log_in(page, demo_accounts["coordinator"], DEMO_PASSWORD)
    page.goto("/bilan?annee=2011")
    labels = page.locator("svg.chart text")
    expect(labels.first).to_be_visible()
    cut = page.evaluate(
        """() => [...document.querySelectorAll("svg.chart")].flatMap(svg => {
          const frame = svg.getBoundingClientRect();
          return [...svg.querySelectorAll("text")].filter(t => {
            const box = t.getBoundingClientRect();
            return box.left < frame.left - 1 || box.right > frame.right + 1;
          }).map(t => t.textContent);
        })"""
    )
    assert cut == []
    assert not any("…" in text for text in labels.all_text_contents())
    assert pages.console_errors(page) == []


def test_the_catalogue_shows_results_first_on_a_phone_and_filters_live(pages, demo_accounts):
    page = pages.open()
    page.set_viewport_size(PHONE)
    page.goto("/catalogue")
    filters = page.locator("details#catalogue-filters")
    expect(filters).not_to_have_attribute("open", "")
    expect(page.get_by_label("Rechercher")).to_be_hidden()
    expect(page.locator("#catalogue-results h3").first).to_be_in_viewport()
    count = page.locator("#catalogue-count")
    before = count.inner_text()

    page.get_by_text("Filtrer les sessions").click()
    page.get_by_label("Rechercher").fill("Bourges")
    expect(count).not_to_have_text(before)  # swapped by htmx, no reload
    assert "Bourges" in page.locator("#catalogue-results").inner_text()
    assert page_width(page) <= PHONE["width"]
    # htmx's swaps add no inline style the CSP would refuse (indicator styles are ours).
    assert pages.console_errors(page) == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_catalogue_filters_are_open_on_a_desktop_with_javascript(pages, javascript):
    page = pages.open(javascript=javascript)
    page.set_viewport_size(DESKTOP)
    page.goto("/catalogue")
    search = page.get_by_label("Rechercher")
    if javascript:
        expect(search).to_be_visible()
    else:  # folded, one click away, no script needed
        expect(search).to_be_hidden()
        page.get_by_text("Filtrer les sessions").click()
        expect(search).to_be_visible()
