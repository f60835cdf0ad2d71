"""HTTP around every answer: security headers, caching rules, compression, proxies."""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
from collections.abc import Callable
from typing import NamedTuple

import flask
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from werkzeug.middleware.proxy_fix import ProxyFix

from reseau.core.extensions import compress, db, limiter
from reseau.core.web import cache_plain_urls

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class UploadLimit(flask.Request):
    """A request whose body may be larger than ``MAX_CONTENT_LENGTH`` for the views marked
    with ``allows_upload``. The limit must be known before anything reads the form: the CSRF
    check and ``refuse_nul_bytes`` do, before the view runs (beyond it: a French 413 page)."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and self.endpoint:
            view = current_app.view_functions.get(self.endpoint)
            limit = getattr(view, "max_upload_bytes", None)
            if limit:
                return limit
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def allows_upload(max_bytes: int):
    """Let the view receive a request body of up to ``max_bytes`` (a file upload)."""

    def decorator(view):
        view.max_upload_bytes = max_bytes
        return view

    return decorator


def init_app(app) -> None:
    """Headers on every answer, the rate limiter, compression and the proxies in front."""
    # On top of the request class already set (htmx-flask's, with ``request.htmx``).
    app.request_class = type("Request", (UploadLimit, app.request_class), {})
    _add_security_headers(app)
    cache_plain_urls(app)
    # Before the limiter's hook, so that it runs after it (Flask runs them in reverse order).
    app.after_request(_retry_after_only_on_429)
    limiter.init_app(app)
    compress.init_app(app)
    _end_reads_with_commit(app)
    if app.config.get("PROXY_FIX_HOPS"):
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _end_reads_with_commit(app) -> None:
    """On PostgreSQL, end a GET's transaction that wrote nothing with COMMIT, not ROLLBACK.

    Both end a read alike, but psycopg forgets every prepared statement of the connection on
    a ROLLBACK: each request would then plan every query again (the feed fingerprint's plan
    alone costs more than running it). A request that raised, or wrote (a flush, an UPDATE:
    see ``_note_writes``), is rolled back as before.
    """
    from reseau.core.extensions import db

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return

    @app.teardown_request
    def _commit_reads(exc):
        if exc is not None or flask.request.method not in ("GET", "HEAD"):
            return
        if not db.session.registry.has():
            return
        session = db.session()
        if session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
            return
        if session.in_transaction():
            session.commit()


_WROTE = "reseau_wrote"


@sa.event.listens_for(so.Session, "after_flush")
def _note_flush(session, context):
    session.info[_WROTE] = True


@sa.event.listens_for(so.Session, "do_orm_execute")
def _note_writes(state):
    if not state.is_select:
        state.session.info[_WROTE] = True


@sa.event.listens_for(so.Session, "after_transaction_end")
def _forget_writes(session, transaction):
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def _retry_after_only_on_429(response):
    """Flask-Limiter adds Retry-After to every answer of a limited route: keep it on 429s."""
    if response.status_code != 429:
        response.headers.pop("Retry-After", None)
    return response


def _add_security_headers(app) -> None:
    @app.after_request
    def add_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html":
            # Pages hold personal data: never keep them in shared caches.
            response.headers.setdefault("Cache-Control", "no-store")
        # htmx and plain requests get different bodies from the same URL.
        _vary_on_htmx(response)
        return response


def _vary_on_htmx(response) -> None:
    """Add HX-Request to the answer's Vary, reading the header as a set only when it has
    other names already (a public page's: it names HX-Request, see ``_cache_headers``)."""
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = "HX-Request"
    elif "hx-request" not in (name.strip().lower() for name in vary.split(",")):
        response.vary.add("HX-Request")


# --- public pages cached by HTTP ---------------------------------------------------------------


class RawQuery:
    """A SELECT compiled once per dialect and run straight on the driver: what a 304 reads.

    ``build()`` returns the statement (bound parameters by name). Running it skips
    SQLAlchemy's execution machinery (cache key, compiled cache lookup, result metadata):
    for the one-row fingerprints of the revalidation path that machinery costs more than the
    indexed read itself. Values come back through the columns' own result processing.
    """

    __slots__ = ("_build", "_plans")

    def __init__(self, build: Callable[[], sa.Select]):
        self._build = build
        self._plans: dict[str, _Plan] = {}

    def plan(self, dialect, names) -> _Plan:
        """The driver's SQL for ``dialect``, run with parameters named ``names``."""
        plan = self._plans.get(dialect.name)
        if plan is None:
            statement = self._build()
            if dialect.name == "postgresql":
                statement = _constants_written_out(statement, names)
            compiled = statement.compile(dialect=dialect)
            # IN lists of constants written out once, as SQLAlchemy does at each execution.
            state = compiled.construct_expanded_state(dict.fromkeys(names))
            processors = state.processors
            constants = {
                name: value if processors.get(name) is None else processors[name](value)
                for name, value in state.parameters.items()
                if name not in names
            }
            row = collections.namedtuple(
                "Row", [column.key for column in statement.selected_columns], rename=True
            )
            plan = self._plans[dialect.name] = _Plan(
                row,
                state.statement,
                constants,
                tuple((name, processors.get(name)) for name in names),
                state.positiontup,
                _result_processors(statement, dialect),
            )
        return plan


def _constants_written_out(statement: sa.Select, names) -> sa.Select:
    """``statement`` with its constants (bound values other than ``names``) written into the
    SQL. PostgreSQL's generic plan of a prepared statement then knows them (a status, a
    role): bound, it plans for any value, judges that plan dear and plans the statement
    again at each run, which costs several times running it. (SQLite plans each statement
    once per connection whatever its values: its plans stay as they were.)"""

    def write_out(element):
        if (
            isinstance(element, sa.BindParameter)
            and element.key not in names
            and element.callable is None
            and element.value is not None
        ):
            element = element._clone()
            element.literal_execute = True
            return element
        return None

    return sa.sql.visitors.replacement_traverse(statement, {}, write_out)


def _result_processors(statement: sa.Select, dialect) -> tuple:
    """(position, result processor) of the selected columns that have one: the others'
    values are used as the driver gives them."""
    processors = (_result_processor(column.type, dialect) for column in statement.selected_columns)
    return tuple(
        (position, process) for position, process in enumerate(processors) if process is not None
    )


def _result_processor(column_type, dialect):
    """The type's result processor, read without the driver's column type (a raw read has no
    cursor description yet). PostgreSQL's numeric types need that type to choose theirs: their
    values are taken as the driver gives them (a float for a float column, a Decimal for a
    numeric one), which is what their processor would have kept."""
    try:
        return column_type._cached_result_processor(dialect, None)
    except (sa.exc.InvalidRequestError, TypeError):  # "unknown numeric type": no OID
        return None


class _Plan(NamedTuple):
    row: type  # a named tuple of the selected columns
    sql: str
    constants: dict
    parameters: tuple  # (name, bind processor or None)
    positions: list | None  # the order of a positional driver's values (SQLite)
    results: tuple  # (position, result processor) of the columns that have one


class RawReader:
    """Runs ``RawQuery`` statements on one pooled driver connection, outside any transaction
    (SQLite: the driver's autocommit, see ``configure_sqlite``; PostgreSQL: autocommit for
    the time of the read), without opening the request's ORM session."""

    __slots__ = ("dialect", "_driver", "_engine")

    def __init__(self, engine, driver):
        self.dialect, self._driver, self._engine = engine.dialect, driver, engine

    def first(self, query: RawQuery, parameters: dict) -> tuple | None:
        """The first row of ``query`` run with ``parameters`` (always the same names), as a
        named tuple of its columns' keys."""
        rows = self._run(query, parameters, lambda cursor: [cursor.fetchone()])
        return rows[0] if rows else None

    def all(self, query: RawQuery, parameters: dict) -> list[tuple]:
        """Every row of ``query`` run with ``parameters``, as named tuples."""
        return self._run(query, parameters, lambda cursor: cursor.fetchall())

    def _run(self, query: RawQuery, parameters: dict, fetch) -> list[tuple]:
        plan = query.plan(self.dialect, tuple(parameters))
        values = dict(plan.constants)
        for name, process in plan.parameters:
            value = parameters[name]
            values[name] = value if process is None else process(value)
        if plan.positions is not None:
            values = tuple(values[name] for name in plan.positions)
        cursor = self._driver.cursor()
        listeners = self._engine.dispatch.before_cursor_execute
        for listener in listeners:  # statement counts (tests, bench) see these reads too
            listener(None, cursor, plan.sql, values, None, False)
        try:
            cursor.execute(plan.sql, values)
            rows = fetch(cursor)
        finally:
            cursor.close()
        make, results = plan.row._make, plan.results
        if not results:
            return [make(row) for row in rows if row is not None]
        return [make(_processed(row, results)) for row in rows if row is not None]


def session_reader() -> RawReader:
    """A ``RawReader`` on the ORM session's own connection, inside its transaction (the one
    the request's user was read in; begun if none is): plain rows without the ORM's execution
    and entity loading, no second connection from the pool, the same snapshot as the
    session's reads. It does not flush: for reading pages, never right after writes."""
    connection = db.session.connection()
    return RawReader(connection.engine, connection.connection.driver_connection)


def _processed(row, results) -> list:
    values = list(row)
    for position, process in results:
        values[position] = process(values[position])
    return values


@contextlib.contextmanager
def raw_reader():
    """A ``RawReader`` on a connection of the pool, given back when done."""
    from reseau.core.extensions import db

    engine = db.engine
    pooled = engine.raw_connection()
    driver = pooled.driver_connection
    postgresql = engine.dialect.name == "postgresql"
    try:
        if postgresql:
            driver.autocommit = True  # idle connection: set client-side, no round trip
        yield RawReader(engine, driver)
    finally:
        if postgresql:
            driver.autocommit = False
        pooled.close()


# Bump when the HTML changes for the same rows (new wording, new template): every ETag moves.
PUBLIC_PAGE_FORMAT = "2"
PUBLIC_MAX_AGE = 60
# Headers that choose between a page and its htmx fragment (same URL, different bodies).
PAGE_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request", "HX-Target")
# Flask-Compress appends the encoding to a compressed answer's ETag ("…:gzip").
ENCODED_ETAG_SUFFIXES = ("", ":gzip", ":br", ":zstd", ":deflate")


_VARY = ", ".join(("Cookie", *PAGE_HEADERS))
# Where the WSGI environ holds PAGE_HEADERS (what ``request.headers.get`` reads, without
# its key translation at each call).
_PAGE_HEADER_KEYS = tuple("HTTP_" + name.upper().replace("-", "_") for name in PAGE_HEADERS)


def _page_etag(parts) -> str:
    from flask import request

    environ = request.environ
    key = "\x1f".join(
        (
            PUBLIC_PAGE_FORMAT,
            request.full_path,
            *(environ.get(name, "") for name in _PAGE_HEADER_KEYS),
            repr(parts),
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _client_has(etag: str) -> bool:
    from flask import request

    sent = request.environ.get("HTTP_IF_NONE_MATCH")
    if not sent or (etag not in sent and "*" not in sent):
        return False  # most requests: no header, or another version (no parsing)
    if sent == f'"{etag}"':
        return True  # most revalidations: the one ETag given, sent back as it came
    if request.if_none_match.star_tag:
        return True
    return any(request.if_none_match.contains(etag + suffix) for suffix in ENCODED_ETAG_SUFFIXES)


def _cache_headers(response, etag: str):
    headers = response.headers
    headers["ETag"] = f'"{etag}"'
    headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    # A signed-in person (session cookie) gets another page: shared caches keep them apart.
    if "Vary" in headers:
        response.vary.update({"Cookie", *PAGE_HEADERS})
    else:
        headers["Vary"] = _VARY
    return response


def _anonymous_without_messages() -> bool:
    """Whether the request comes from nobody signed in, with no message waiting to be shown.

    Without a session or remember-me cookie, that is certain and costs nothing (no session
    decoded, no user loaded): the common case of a visitor, a proxy or a crawler."""
    from flask import current_app, request, session
    from flask_login import current_user

    config = current_app.config
    cookies = request.cookies
    if config["SESSION_COOKIE_NAME"] not in cookies and (
        config.get("REMEMBER_COOKIE_NAME", "remember_token") not in cookies
    ):
        return True
    return not current_user.is_authenticated and not session.get("_flashes")


def public_cacheable(fingerprint: Callable[..., object]):
    """Let HTTP caches (the browser, a reverse proxy) keep an anonymous visitor's GET of a page.

    ``fingerprint(reader, *args, **kwargs)`` returns, from one cheap indexed query (a
    ``RawQuery`` run on ``reader``, a ``RawReader``: no ORM session), everything the page's
    bytes depend on (the rows' own versions), or None when the page is not cacheable (then
    the view decides, e.g. a 404). The ETag is a hash of it, of the address and of the htmx
    headers; a client that already holds it gets a 304 without the page being rendered, nor
    the session or the user read. The page itself carries no per-visitor bit (no CSRF token:
    it has no form that posts, see base.html), so the same bytes suit every anonymous
    visitor. Signed-in people, pending messages and any other method bypass this (their
    pages stay ``no-store``).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            from flask import g, make_response, request, session

            if request.method not in ("GET", "HEAD") or not _anonymous_without_messages():
                return view(*args, **kwargs)
            with raw_reader() as reader:
                parts = fingerprint(reader, *args, **kwargs)
            if parts is None:
                return view(*args, **kwargs)
            etag = _page_etag(parts)
            g.shared_page = True  # base.html then renders no CSRF token
            if _client_has(etag):
                response = current_app.response_class(status=304)
                return _cache_headers(response, etag)
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200 and not session.get("_flashes"):
                _cache_headers(response, etag)
            return response

        return wrapper

    return decorator
