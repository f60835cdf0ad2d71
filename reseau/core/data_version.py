"""A version of the data, changed by every write, and a small cache keyed by it.

The bilan and the diagnostic results aggregate every enrolment, attendance mark and answer of a
period: at national scale that is hundreds of thousands of rows, whatever indexes there are.
Their figures only change when the data does, so each worker keeps the latest results in
memory, keyed by the data's version:

- ``data_version`` holds one row whose ``token`` is replaced by a random value in the same
  transaction as any write to the domain's tables (an ORM flush, or a bulk INSERT/UPDATE/DELETE
  through the session). Every worker reads the same row, so a change made through one worker is
  seen by all at their next request: one indexed single-row query.
- Writes that change nothing the reports show do not count: outgoing mail, the audit log,
  tokens, and a person's login bookkeeping (last login, session version, password).
- Entries also expire after ``CACHE_SECONDS`` (60 s by default), because some figures
  depend on the clock (a session counts as held once it has ended). ``0`` turns the cache off.

The same cache keeps the public catalogue's pages as anonymous visitors get them (they are the
same for every visitor but for the CSRF token, put back on the way out) and the calendar feeds'
fingerprints (what a 304 answer costs). Each application has its own cache, at most
``CACHE_ENTRIES`` entries, least recently used first out.

Cached values may hold ORM objects loaded with everything the templates read; they are
detached from their session and must be treated as read-only.
"""

from __future__ import annotations

import functools
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, g, has_request_context, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from reseau.core.extensions import db

T = TypeVar("T")

ROW_NAME = "data"
IGNORED_TABLES = frozenset(
    {"data_version", "outbox_mail", "audit_log", "account_token", "calendar_token", "tick_run"}
    | {"pending_import"}  # an uploaded file before its preview is confirmed
)
# Columns of a person that the reports never show: changing only these is not a change.
BOOKKEEPING_COLUMNS = frozenset(
    {"last_login_at", "session_version", "password_hash", "updated_at"}
)
_CHANGED = "data_version_changed"


class DataVersion(db.Model):
    __tablename__ = "data_version"

    name: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    token: so.Mapped[str] = so.mapped_column(sa.String(32))


def current_token(session=None) -> str:
    """The data's current version ("" before the first write)."""
    session = session or db.session
    return session.scalar(sa.select(DataVersion.token).where(DataVersion.name == ROW_NAME)) or ""


def _request_token() -> str:
    """The version as this request first read it: one query however many figures it shows.

    (A request that writes bypasses the cache altogether, see ``cached``.)
    """
    if not has_request_context():
        return current_token()
    if "data_token" not in g:
        g.data_token = current_token()
    return g.data_token


def _bump(session: so.Session) -> None:
    if session.info.get(_CHANGED):
        return  # once per transaction is enough
    session.info[_CHANGED] = True
    token = secrets.token_hex(16)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(DataVersion.__table__).values(name=ROW_NAME, token=token)
    statement = statement.on_conflict_do_update(index_elements=["name"], set_={"token": token})
    session.connection().execute(statement)


def _matters(instance, *, dirty: bool) -> bool:
    table = getattr(type(instance), "__tablename__", None)
    if table is None or table in IGNORED_TABLES:
        return False
    if dirty and table == "user":
        state = sa.inspect(instance)
        changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
        return bool(changed - BOOKKEEPING_COLUMNS)
    return True


def _after_flush(session: so.Session, flush_context) -> None:
    if session.info.get(_CHANGED):
        return
    if (
        any(_matters(obj, dirty=False) for obj in session.new)
        or any(_matters(obj, dirty=False) for obj in session.deleted)
        or any(_matters(obj, dirty=True) for obj in session.dirty if session.is_modified(obj))
    ):
        _bump(session)


def _do_orm_execute(state: so.ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None or table.name in IGNORED_TABLES:
        return
    _bump(state.session)


def _transaction_ended(session: so.Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)


def install() -> None:
    """Listen to every session's writes (once per process)."""
    if sa.event.contains(so.Session, "after_flush", _after_flush):
        return
    sa.event.listen(so.Session, "after_flush", _after_flush)
    sa.event.listen(so.Session, "do_orm_execute", _do_orm_execute)
    sa.event.listen(so.Session, "after_transaction_end", _transaction_ended)


class FigureCache:
    """A small least-recently-used cache of computed figures, per worker process."""

    def __init__(self, max_entries: int = 64):
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, max_age: float):
        """The value kept under ``key`` if younger than ``max_age`` seconds, else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_at, value = entry
            if time.monotonic() - stored_at > max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def figure_cache() -> FigureCache:
    """The current application's cache (tests make many applications: none shares one)."""
    app = current_app._get_current_object()
    cache = app.extensions.get("figure_cache")
    if cache is None:
        cache = app.extensions["figure_cache"] = FigureCache(app.config.get("CACHE_ENTRIES", 256))
    return cache


def cached(key: tuple, compute: Callable[[], T], *, token: str | None = None) -> T:
    """Return ``compute()``, reusing the result while the data's version is unchanged.

    ``None`` is not kept: it means "not worth keeping" (see ``public_page``). ``token`` is the
    data's version when the caller has already read it (in a query it had to make anyway).
    """
    max_age = current_app.config.get("CACHE_SECONDS", 60)
    if not max_age or db.session.info.get(_CHANGED):
        # Off, or this transaction has written: its figures are not yet everyone's.
        return compute()
    full_key = (_request_token() if token is None else token, *key)
    cache = figure_cache()
    value = cache.get(full_key, max_age)
    if value is not None:
        return value
    value = compute()
    if value is not None:
        cache.put(full_key, value)
    return value


CSRF_PLACEHOLDER = b"\x00csrf-token\x00"


def _without_token(html: bytes) -> bytes:
    """What the cache keeps: the page with the CSRF token of whoever rendered it taken out."""
    return html.replace(generate_csrf().encode(), CSRF_PLACEHOLDER)


def _with_token(html: bytes) -> bytes:
    """What a person gets: the kept page with their own CSRF token put back."""
    return html.replace(CSRF_PLACEHOLDER, generate_csrf().encode())


def cached_html(key: tuple, render: Callable[[], str]) -> Markup:
    """A rendered piece of page, kept like figures; the person's CSRF token is put back in.

    For the report pages, where turning thousands of cached figures into HTML costs more than
    anything else. ``render`` must return our own template's output (already escaped).
    """
    html = cached(key, lambda: _without_token(render().encode()))
    return Markup(_with_token(html).decode())  # noqa: S704 (our templates' output, escaped)


def public_page(view):
    """Serve an anonymous visitor's GET of a public page from the cache.

    The page is rendered once per data version (and ``CACHE_SECONDS``), for every anonymous
    visitor: the visitor's own CSRF token replaces the stored one on the way out. A signed-in
    person, a pending flash message or an answer other than 200 bypasses the cache.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if (
            request.method != "GET"
            or current_user.is_authenticated
            or session.get("_flashes")
            or not current_app.config.get("CACHE_SECONDS", 60)
        ):
            return view(*args, **kwargs)
        # Everything the answer depends on: the address and the htmx headers that choose
        # between the page and its fragment.
        key = (
            "page",
            request.full_path,
            *(request.headers.get(name, "") for name in PAGE_HEADERS),
        )
        stored = cached(key, lambda: _render_for_cache(view, args, kwargs))
        if stored is None:
            return view(*args, **kwargs)
        body, headers = stored
        return current_app.response_class(_with_token(body), 200, headers)

    return wrapper


PAGE_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request", "HX-Target")


def _render_for_cache(view, args, kwargs):
    response = current_app.make_response(view(*args, **kwargs))
    if response.status_code != 200 or response.is_streamed or session.get("_flashes"):
        return None
    headers = [(k, v) for k, v in response.headers.items() if k.lower() != "set-cookie"]
    return _without_token(response.get_data()), headers
