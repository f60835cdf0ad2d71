"""The browser fixtures (Chromium, live server) for this folder's browser tests."""

from tests.browser.conftest import browser, live_server, pages  # noqa: F401
