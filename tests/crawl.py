"""A bounded crawl of the pages a person reaches from their home page and the navigation.

Shared by the HTML validity test (Flask's test client) and the browser tests (phone width,
console errors): GET only, same origin, no downloads, no logout, at most a few URLs per
endpoint (a list of 300 sessions is checked on its first pages, not on every session).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from werkzeug.exceptions import HTTPException

# Paths of files rather than pages (exports, calendars, PDFs, QR images, JSON).
DOWNLOAD = re.compile(
    r"\.(csv|xlsx|pdf|ics|json|png|svg|ico|txt|js|css)$|/export|/telecharger|/qr|/static/"
    r"|/agenda/|/webcal"
)
# Links that change something or end the visit even as a GET.
SKIPPED = re.compile(r"/deconnexion|/logout")
PER_ENDPOINT = 2
MAX_PAGES = 80


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag != "a":
            return
        attributes = dict(attrs)
        if "download" in attributes or attributes.get("target") == "_blank":
            return
        href = attributes.get("href")
        if href:
            self.links.append(href)


def links_of(html: str, base: str) -> list[str]:
    """Same-origin page links of ``html`` (relative to ``base``), as path?query."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.links:
        href = urldefrag(urljoin(base, href)).url
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(base).netloc:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if DOWNLOAD.search(parts.path) or SKIPPED.search(parts.path):
            continue
        found.append(path)
    return found


def crawl(
    app,
    fetch: Callable[[str], tuple[str, str] | None],
    start: Iterable[str] = ("/",),
    *,
    base: str = "http://localhost",
    per_endpoint: int = PER_ENDPOINT,
    max_pages: int = MAX_PAGES,
) -> list[str]:
    """Visit pages breadth first from ``start``; return the URLs visited.

    ``fetch(path)`` returns ``(final_url, html)`` for a page, or None when the answer is not
    an HTML page (a redirect to a download, an error it records itself)."""
    adapter = app.url_map.bind(urlsplit(base).netloc)
    queue = list(start)
    seen: set[str] = set(queue)
    per: dict[str, int] = {}
    visited: list[str] = []
    while queue and len(visited) < max_pages:
        path = queue.pop(0)
        endpoint = _endpoint(adapter, path)
        if endpoint is None or endpoint == "static":
            continue
        # The query string does not make a new kind of page: filters count with their page.
        if per.get(endpoint, 0) >= per_endpoint:
            continue
        per[endpoint] = per.get(endpoint, 0) + 1
        answer = fetch(path)
        visited.append(path)
        if answer is None:
            continue
        final_url, html = answer
        for link in links_of(html, urljoin(base, final_url)):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return visited


def _endpoint(adapter, path: str) -> str | None:
    parts = urlsplit(path)
    try:
        endpoint, _ = adapter.match(parts.path, method="GET")
    except HTTPException:
        return None
    except Exception:  # a redirect (RequestRedirect is an HTTPException too) or bad path
        return None
    return endpoint
