"""Small helpers shared by every feature's views."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template
from flask.templating import Environment
from htmx_flask import request

from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import time_fr


def wants_fragment() -> bool:
    """Return whether the request is an htmx request for a fragment.

    Not for a boosted page, nor for a history restore (Back after the cache missed): both
    replace the whole body and need the full page.
    """
    return (
        bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request
    )


def render_page(template: str, fragment: str | None = None, *, status: int = 200, **context):
    """Render the full page, or only ``fragment`` (the partial the page includes) for htmx."""
    if fragment is not None and wants_fragment():
        return render_template(fragment, **context), status
    return render_template(template, **context), status


def render_confirmation(
    form,
    *,
    title: str,
    text: list[str],
    action: str,
    yes: str,
    back: str,
    hidden: dict[str, str] | None = None,
    status: int = 200,
):
    """Ask before a destructive action: a page with a POST form (no JavaScript needed); to
    htmx, the same form alone, which ``app.js`` shows in the page's <dialog>. The form
    carries ``back`` (``next``): where to go once done, or when the answer is no."""
    form.next.data = back
    return render_page(
        "confirm.html",
        "_confirm.html",
        status=status,
        form=form,
        title=title,
        text=text,
        action=action,
        yes=yes,
        back=back,
        hidden=hidden or {},
        in_dialog=wants_fragment(),
    )


def back_to(default: str) -> str:
    """Return the page to go back to: ``next`` (query string or form) if it is ours."""
    return safe_next(request.values.get("next"), default)


def form_status(form) -> int:
    """422 for a submitted form with errors (htmx swaps it in; tests can tell), else 200."""
    return 422 if form.is_submitted() and form.errors else 200


def see_other(location: str):
    """Answer a navigating POST with 303, so reloading never re-submits."""
    return redirect(location, code=303)


def navigate(location: str):
    """Answer a successful form POST by going to ``location``.

    A plain or boosted request gets a 303. A form posted by htmx into itself (hx-target
    "this") must not: htmx would follow the redirect and swap the whole next page into the
    form. It gets ``HX-Redirect`` instead, and the browser loads ``location`` as a page.
    """
    if wants_fragment():
        # Without its #fragment: a same-page location with only a new fragment would not reload.
        return "", 204, {"HX-Redirect": location.split("#")[0]}
    return see_other(location)


def edit_page(
    form,
    template: str,
    fragment: str,
    *,
    save: Callable[[dict], Any],
    done: Callable[[Any], tuple[str, str]],
    **context,
):
    """The shape of an edit view. A valid POST saves through ``save(form.data)`` (the room's
    operation, which records the audit), commits, flashes the message ``done(saved)`` gives
    and goes to its location; anything else shows the form (422 when it has errors)."""
    if form.validate_on_submit():
        saved = save(form.data)
        db.session.commit()
        message, location = done(saved)
        flash(message, "success")
        return navigate(location)
    return render_page(template, fragment, form=form, status=form_status(form), **context)


def autosaved(back: str, message: str | None = None, status: int = 200):
    """Answer an autosaved answer: to htmx the small "enregistré" state (or ``message``, the
    error), otherwise a flash and back to the form at ``back``."""
    if wants_fragment():
        return render_page("_saved.html", message=message, at=time_fr(utcnow()), status=status)
    if status == 200:
        flash("Réponse enregistrée.", "success")
    else:
        flash(message or "Cette réponse n'a pas pu être enregistrée.", "error")
    return see_other(back)


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` if it is a path on this site, else ``default`` (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    # Browsers read "/\\host" as "//host" and drop tabs and newlines: refuse both.
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return default
    return target


def cache_plain_urls(app) -> None:
    """Templates' ``url_for`` answers a link without parameters from a per-process table.

    The navigation and the layout build some forty such links on every page (each a walk
    of werkzeug's URL map); their path depends only on the endpoint and on where the
    application is mounted (``request.script_root``). Links with parameters (other than a
    static file's name), relative endpoints (``.name``) and external links are built as
    before.
    """
    from flask import has_request_context
    from flask import request as flask_request

    build = app.url_for
    table: dict[tuple, str] = {}

    def url_for(endpoint: str, **values) -> str:
        plain = not values or (endpoint == "static" and values.keys() == {"filename"})
        if not plain or endpoint.startswith(".") or not has_request_context():
            return build(endpoint, **values)
        key = (flask_request.script_root, endpoint, values.get("filename"))
        url = table.get(key)
        if url is None:
            url = table[key] = build(endpoint, **values)
        return url

    app.jinja_env.globals["url_for"] = url_for


class _Globals(ChainMap):
    """A template's globals whose ``keys()`` is a set.

    Each ``{% from … import %}`` asks Jinja for the importing context's global names not in
    the imported template's (``names - template.globals.keys()``): with a ChainMap's keys
    view that is a Python-level lookup through every map for each of some fifty names, six
    imports a page. A set makes it one C-level difference; nothing is cached, so globals
    added later are seen as before."""

    def keys(self):
        return frozenset().union(*self.maps)


class ReseauEnvironment(Environment):
    """Flask's Jinja environment with ``_Globals`` for the templates' globals."""

    def make_globals(self, d):
        return _Globals({} if d is None else d, self.globals)
