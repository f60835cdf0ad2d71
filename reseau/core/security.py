"""Security of requests: session time limits, malformed input refused, tokens kept out of
the logs, a warning when a proxy's headers are ignored. The headers: ``reseau.core.http``."""

from __future__ import annotations

import ipaddress
import logging
import re
import time
from itertools import chain

from flask import abort, flash, request, session
from flask_login import logout_user, user_loaded_from_cookie, user_logged_in
from sqlalchemy.exc import DataError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import SecurityError

from reseau.core.forms import DB_INT_MAX, DB_INT_MIN, parse_int


def _mark_cookie_session(sender, user, **extra) -> None:
    now = int(time.time())
    session["_started"] = now
    session["_seen"] = now
    session["_remembered"] = True


def _mark_login(sender, user, **extra) -> None:
    now = int(time.time())
    session["_started"] = now
    session["_seen"] = now
    if session.get("_remember") == "set":
        session["_remembered"] = True
    else:
        session.pop("_remembered", None)


def session_expired(config, now: int) -> bool:
    """Return whether the logged-in session has passed its idle or absolute limit."""
    started = session.get("_started")
    seen = session.get("_seen")
    if not isinstance(started, int) or not isinstance(seen, int):
        return False  # a session from before the limits: it starts being timed now
    if session.get("_remembered"):
        duration = config["REMEMBER_COOKIE_DURATION"]
        seconds = duration.total_seconds() if hasattr(duration, "total_seconds") else duration
        return now - started > int(seconds)
    if now - seen > config["SESSION_IDLE_MINUTES"] * 60:
        return True
    return now - started > config["SESSION_ABSOLUTE_HOURS"] * 3600


def _seen_every(config) -> int:
    """How often the idle clock is written: once a minute (most answers then keep the same
    cookie), more often when the idle limit itself is short."""
    return max(1, min(60, int(config["SESSION_IDLE_MINUTES"] * 6)))


def extend_session() -> None:
    """« Rester connecté·e »: the idle clock starts again now."""
    session["_seen"] = int(time.time())


def session_timeout(config) -> dict | None:
    """What the page's idle warning needs (seconds left, the idle limit, the warning's lead),
    or None when no idle limit applies (nobody logged in, or « rester connecté·e »)."""
    seen = session.get("_seen")
    if "_user_id" not in session or session.get("_remembered") or not isinstance(seen, int):
        return None
    idle = int(config["SESSION_IDLE_MINUTES"] * 60)
    return {
        "left": max(0, idle - (int(time.time()) - seen)),
        "idle": idle,
        # After a request the clock may be this much older than the answer (see _seen_every).
        "slack": _seen_every(config),
        "warn": min(int(config["SESSION_WARNING_SECONDS"]), idle // 2),
    }


def register_session_timeouts(app) -> None:
    user_logged_in.connect(_mark_login, app)
    user_loaded_from_cookie.connect(_mark_cookie_session, app)

    @app.before_request
    def end_stale_sessions():
        if "_user_id" not in session:
            return
        now = int(time.time())
        if session_expired(app.config, now):
            logout_user()
            session.clear()
            session["_remember"] = "clear"  # Flask-Login deletes the remember cookie too
            flash("Votre session a expiré. Reconnectez-vous pour continuer.", "info")
            return
        if not isinstance(session.get("_started"), int):
            session["_started"] = now
        # Written at most once a minute: most answers keep the same session cookie.
        if not isinstance(session.get("_seen"), int) or now - session["_seen"] >= _seen_every(
            app.config
        ):
            session["_seen"] = now

    app.add_template_global(lambda: session_timeout(app.config), "session_timeout")


# The secret part of token URLs: private feeds, invitations, password resets, registration
# links, QR check-in.
_TOKEN_URL = re.compile(
    r"(/agenda/prive/)[^/?#\s\"']+?(\.ics)"
    r"|(/invitation/|/reinitialiser/|/inscription/|/emargement/\d+/)[^/?#\s\"']+"
)
REDACTED = "…"
# Loggers that write request lines: the development server's, gunicorn's access log, and
# gunicorn's error log ("Error handling request /invitation/…").
REDACTED_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact_tokens(text: str) -> str:
    """Return ``text`` with the token of every token URL replaced by « … »."""

    def replace(match: re.Match) -> str:
        if match.group(1):
            return f"{match.group(1)}{REDACTED}{match.group(2)}"
        return f"{match.group(3)}{REDACTED}"

    return _TOKEN_URL.sub(replace, text)


def _redact(value):
    return redact_tokens(value) if isinstance(value, str) else value


class TokenRedactingFilter(logging.Filter):
    """Take tokens out of log records (the message and its arguments, keeping their shape:
    werkzeug logs the request line as a tuple argument, gunicorn its atoms as a dict)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact(record.msg)
        if isinstance(record.args, dict):
            # In place: gunicorn's dict (SafeAtoms) answers "-" for the atoms it lacks.
            for key, value in record.args.items():
                record.args[key] = _redact(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact(value) for value in record.args)
        return True


def install_log_redaction(*loggers: logging.Logger) -> None:
    """Put the token filter on the request-line loggers (once each, however many apps)."""
    for logger in (*map(logging.getLogger, REDACTED_LOGGERS), *loggers):
        if not any(isinstance(f, TokenRedactingFilter) for f in logger.filters):
            logger.addFilter(TokenRedactingFilter())


# Query parameters holding free text, where a long number is a search (a phone number).
FREE_TEXT_PARAMETERS = frozenset({"q"})


def drop_out_of_range_query_numbers() -> None:
    """Remove from ``request.args`` the whole numbers beyond the databases' integers.

    ``request.args.get("centre", type=int)`` would pass them on to a query (a DataError on
    PostgreSQL, an OverflowError on SQLite); without them the page shows as unfiltered, and
    ``page=99999999999999999999`` shows the first page, like ``page=abc``.
    """
    items = list(request.args.items(multi=True))
    kept = [
        (key, value)
        for key, value in items
        if key in FREE_TEXT_PARAMETERS or _in_range_or_not_a_number(value)
    ]
    if len(kept) != len(items):
        request.args = ImmutableMultiDict(kept)  # werkzeug's cached property takes it


def _in_range_or_not_a_number(value: str) -> bool:
    number = parse_int(value)
    return number is None or DB_INT_MIN <= number <= DB_INT_MAX


FORWARDED_HEADERS = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host")


def warn_about_an_ignored_proxy(app) -> None:
    """With PROXY_FIX_HOPS=0, log once per process that requests from this machine or its
    network carry X-Forwarded-* headers: a reverse proxy is in front and the app ignores
    what it says (every person looks like the proxy to the rate limits). Only from a local
    address: anyone on the internet can send such headers."""
    if app.config.get("PROXY_FIX_HOPS"):
        return

    @app.before_request
    def notice_proxy_headers():
        if app.extensions.get("proxy_warned") or not _from_local_proxy():
            return
        app.extensions["proxy_warned"] = True
        app.logger.warning(
            "Requêtes venues de %s avec des en-têtes X-Forwarded-* alors que "
            "PROXY_FIX_HOPS=0 : un proxy est devant l'application, indiquez PROXY_FIX_HOPS.",
            request.remote_addr,
        )


def _from_local_proxy() -> bool:
    if not any(header in request.headers for header in FORWARDED_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def init_app(app) -> None:
    """Session limits, malformed input refused, log redaction."""
    install_log_redaction(app.logger)
    register_session_timeouts(app)
    warn_about_an_ignored_proxy(app)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def value_out_of_range(error):
        # The last line of defence for a value that no form field checked and the database
        # cannot hold (PostgreSQL: a DataError beyond 32 bits; SQLite: an OverflowError beyond
        # 64 bits): the request was malformed, not a server failure.
        from reseau.core.errors import render_error
        from reseau.core.extensions import db

        db.session.rollback()
        return render_error(400)

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # A Host header outside TRUSTED_HOSTS: no URL can be built, so no templated page.
        body = "Requête incorrecte : ce nom de domaine n'est pas servi ici."
        return body, 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.before_request
    def refuse_nul_bytes():
        # PostgreSQL cannot store NUL in text (the insert would end in a 500) and no person
        # types one: such a request is refused as malformed, for every form of every room.
        fields = chain(request.args.items(multi=True), request.form.items(multi=True))
        for key, value in fields:
            if "\x00" in key or "\x00" in value:
                abort(400)
        # Numbers typed in forms are checked by their fields (a French message next to the
        # field, see forms_fields); numbers in the query string are filters and page
        # numbers, so one beyond the databases' integers is ignored, as a wrong filter is.
        drop_out_of_range_query_numbers()
        # Ids in the URL (<int:...> has no upper bound; ids are 32-bit integers on
        # PostgreSQL): no such object.
        for value in (request.view_args or {}).values():
            if isinstance(value, int) and not DB_INT_MIN <= value <= DB_INT_MAX:
                abort(404)
