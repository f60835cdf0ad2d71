"""Browser tests: Playwright drives Debian's Chromium against a live Réseau server.

One Chromium for the whole run, a fresh browser context (cookies, storage) per page. The live
server shares the test database with the ``app`` fixture, which empties it after each test:
every test seeds the data it needs through ``app`` before opening pages. CSRF is on, as in
production. On failure, a screenshot and the HTML of every open page go to test-artifacts/.

On SQLite, a transaction the test itself opens outside a request (reading a model after the
commit, a lazy attribute) takes the write lock at BEGIN and holds it until it ends: the live
server's next POST then waits. Keep plain values (ids, e-mails) before committing, and end any
later read with ``db.session.rollback()``.
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from devdata.demo import load_demo
from devdata.demo import specs as demo_specs
from reseau import create_app
from reseau.core.extensions import db
from tests.databases import selected_backend
from tests.factories import PASSWORD, make_coordinator
from tests.reports.fixtures import build_year

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("RESEAU_CHROMIUM", "/usr/bin/chromium")
# Debian's Chromium, headless, as root, on a machine whose network is closed: no sandbox, no
# background connections (they would be refused, many at a time), no updates, no sync.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000

try:  # Playwright's assertions wait 5 s by default, pages 10 s: one timeout for both.
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None


class _QuietRequestHandler(WSGIRequestHandler):
    """Keep the live server's access log out of the test output (errors are still logged)."""

    def log_request(self, code="-", size="-"):
        pass


def _unavailable(message: str):
    """Skip the browser tests, or fail them under CI where nothing may be skipped."""
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# One Playwright and one Chromium per test process, even when another test folder imports
# these fixtures into its own conftest (pytest then holds two ``browser`` fixtures, and a second
# sync Playwright cannot start inside the first one's event loop).
_chromium: dict = {"users": 0}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    if not _chromium["users"]:
        playwright = sync_playwright().start()
        _chromium["playwright"] = playwright
        _chromium["browser"] = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
    _chromium["users"] += 1
    yield _chromium["browser"]
    _chromium["users"] -= 1
    if not _chromium["users"]:
        _chromium.pop("browser").close()
        _chromium.pop("playwright").stop()


@contextmanager
def serving(database_url: str, mail_directory: Path, **config):
    """The application (``config`` added) served on 127.0.0.1, a free port, in a background
    thread: ``(app, url)``; stopped on leaving."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": True,
            "MAIL_SERVER": None,
            "MAIL_DIRECTORY": str(mail_directory),
            # Every browser test logs in from 127.0.0.1: the rate limits are tested elsewhere.
            "RATELIMIT_ENABLED": False,
            **config,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    """The application served on 127.0.0.1 (a free port) in a background thread; its URL."""
    instance = tmp_path_factory.mktemp("live-instance")
    with serving(database_url, instance / "mail") as (app, url):
        app.config["BASE_URL"] = url
        yield url


class Pages:
    """Opens pages, each in its own browser context, and closes them after the test."""

    def __init__(self, browser, base_url: str):
        self._browser = browser
        self.base_url = base_url
        self.opened = []  # (context, page, console errors)

    def open(self, *, javascript: bool = True):
        context = self._browser.new_context(
            base_url=self.base_url,
            java_script_enabled=javascript,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        errors: list[str] = []

        def on_console(message):
            # Every error counts: base.html links the favicon, so Chromium asks for no other.
            if message.type == "error":
                errors.append(f"{message.text} ({message.location.get('url')})")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        self.opened.append((context, page, errors))
        return page

    def console_errors(self, page) -> list[str]:
        """Errors the page logged: failed scripts, CSP violations, failed htmx requests."""
        return next(errors for _, p, errors in self.opened if p is page)

    def save_artifacts(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        for index, (_, page, errors) in enumerate(self.opened):
            stem = ARTIFACTS / f"{name}-{index}"
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
                html = page.content()
            except Exception as exc:  # a closed page must not hide the test failure
                html = f"<!-- page unavailable: {exc} -->"
            notes = f"<!-- url: {page.url}\n     console errors: {errors} -->\n"
            Path(f"{stem}.html").write_text(notes + html, encoding="utf-8")

    def close(self) -> None:
        for context, _, _ in self.opened:
            context.close()
        self.opened.clear()


@pytest.fixture
def pages(browser, live_server, app, request):
    """Open pages on the live server; ``app`` is requested first, so it empties the database
    only after every page is closed.

    Browser tests in other folders import ``browser``, ``live_server`` and ``pages`` from this
    module into their conftest.py."""
    pages = Pages(browser, live_server)
    failed_before = request.session.testsfailed
    yield pages
    # The test's own report is counted before its fixtures are torn down.
    if request.session.testsfailed > failed_before:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.name}-{selected_backend()}")
        pages.save_artifacts(name)
    pages.close()


@pytest.fixture
def page(pages):
    """A page with JavaScript on, in its own browser context."""
    return pages.open()


@pytest.fixture
def log_in():
    """``log_in(page, email, password=PASSWORD)``: log in through the login form, with or
    without JavaScript, and wait for the logged-in page. A page already on the login form
    (sent there with ``?next=``) logs in where it is, so it goes on to ``next``."""

    def logging_in(page, email: str, password: str = PASSWORD) -> None:
        if "/connexion" not in page.url:
            page.goto("/connexion")
        form = page.locator("#login-form")
        form.locator("#email").fill(email)
        form.locator("#password").fill(password)
        form.locator("button[type=submit]").click()
        # Attached, not visible: on a phone the menu holding it is folded.
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_attached()
        # The button is in the DOM before the stylesheet has loaded; measuring then sees the
        # unstyled page.
        page.wait_for_load_state("load")

    return logging_in


def page_width(page) -> int:
    """The page's scroll width once the document and its stylesheet have loaded (a width read
    between a navigation's commit and its load measures the unstyled page)."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth")


DEMO_PASSWORD = demo_specs.DEMO_PASSWORD
DEMO_ACCOUNTS = {
    "coordinator": demo_specs.COORDINATOR,
    "referent": demo_specs.REFERENT,
    "trainer": demo_specs.FORMATRICE,
    "volunteer": demo_specs.BENEVOLE,
}


@pytest.fixture
def demo_accounts(app):
    """The demo data with its four accounts (password ``demo``); {role: e-mail}."""
    load_demo()
    db.session.commit()
    return DEMO_ACCOUNTS


@pytest.fixture
def bilan_coordinator(app):
    """The bilan's year of tests (tests/reports/fixtures.py) and a coordinator; the e-mail."""
    build_year()
    email = make_coordinator().email
    db.session.commit()
    return email
