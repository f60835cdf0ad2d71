"""Pages with kept figures (reseau/core/cache.py), read as the tests compare them: without
what follows the clock, and computed afresh with the cache off."""

from __future__ import annotations

import re

# The CSRF tokens (signed with the time) and the session's seconds left.
CLOCK = re.compile(
    r'(?<=name="csrf-token" content=")[^"]*|(?<=data-token=")[^"]*|(?<=data-left=")[^"]*'
    r'|(?<=name="csrf_token" value=")[^"]*'
)


def shown_page(client, url: str) -> str:
    """The page, without what follows the clock."""
    return CLOCK.sub("", client.get(url).get_data(as_text=True))


def fresh_page(app, client, url: str) -> str:
    """The page computed without the cache (``FIGURES_CACHE_SECONDS=0``)."""
    kept = app.config["FIGURES_CACHE_SECONDS"]
    app.config["FIGURES_CACHE_SECONDS"] = 0
    try:
        return shown_page(client, url)
    finally:
        app.config["FIGURES_CACHE_SECONDS"] = kept
