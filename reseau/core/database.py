"""The database: set-up for SQLite and PostgreSQL, time columns, row locks, counts."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import time
from datetime import UTC, datetime

import click
import flask
import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from reseau.core.extensions import db

# Requests that only read (GET, HEAD) begin SQLite transactions as deferred, so readers never
# queue behind writers; everything else takes the write lock at BEGIN (see configure_sqlite).
_read_only = contextvars.ContextVar("reseau_read_only", default=False)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and returned as an aware UTC datetime.

    SQLite has no time zones; storing UTC everywhere keeps both databases identical and
    leaves Europe/Paris to the display layer.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def configure_sqlite(engine: Engine) -> None:
    """Set the pragmas and transaction mode Réseau relies on for an SQLite engine.

    pysqlite's default emits BEGIN lazily and as DEFERRED, so two writers can both read
    "one seat left" and both insert. Taking the lock at BEGIN (``BEGIN IMMEDIATE``) makes
    check-then-write sequences safe; the busy timeout lets the second writer wait its turn.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Straight to the driver: every request begins a transaction, and SQLAlchemy's
        # statement machinery would cost more than the BEGIN itself.
        conn.connection.driver_connection.execute(
            "BEGIN" if _read_only.get() else "BEGIN IMMEDIATE"
        )


@contextlib.contextmanager
def standalone_write(engine: Engine):
    """Run a small write in its own transaction, even from a read-only (GET) request.

    A deferred SQLite transaction that reads and then writes fails with "database is locked"
    when another writer commits in between; this one takes the write lock at BEGIN instead.
    Use it for bookkeeping writes made while serving a GET (e.g. a feed's last fetch time).
    """
    token = _read_only.set(False)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        _read_only.reset(token)


def lock_row(obj, *, shared: bool = False):
    """Re-read ``obj``'s row under a lock held until the transaction ends; return ``obj``.

    The rule for every read-then-write on a row others may change at the same time: lock,
    re-read, check, write. PostgreSQL takes ``SELECT … FOR UPDATE`` (``FOR SHARE`` with
    ``shared``: writers wait, other sharers do not); SQLite renders no lock clause, its write
    transaction already holds the database from ``BEGIN IMMEDIATE``. Call it before changing
    ``obj`` (fresh values replace unflushed ones).
    """
    mapper = sa.inspect(obj).mapper
    keys = mapper.primary_key_from_instance(obj)
    parameters = {f"key_{n}": key for n, key in enumerate(keys)}
    return so.object_session(obj).execute(_lock_statement(mapper, shared), parameters).scalar_one()


@functools.cache
def _lock_statement(mapper, shared: bool) -> sa.Select:
    # Built once per model: every mark and enrolment locks a row or two, and building the
    # statement cost more than running it.
    return (
        sa.select(mapper.class_)
        .where(*(column == sa.bindparam(f"key_{n}") for n, column in enumerate(mapper.primary_key)))
        .with_for_update(read=shared, of=mapper.class_)
        .execution_options(populate_existing=True)
    )


def add_or_lock(model, key: dict, **values):
    """The row of ``model`` whose primary key (or a unique constraint's columns) is ``key``,
    locked (see ``lock_row``); when there is none, a new one made of ``key`` and ``values``
    (the columns it cannot be without), flushed. Two transactions creating the same row at once: the second waits for the
    first's insert, then locks and returns that row instead of failing."""
    session = db.session

    def locked():
        return session.scalar(
            sa.select(model)
            .filter_by(**key)
            .with_for_update(of=model)
            .execution_options(populate_existing=True)
        )

    row = locked()
    if row is not None:
        return row
    row = model(**key, **values)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except sa.exc.IntegrityError:
        return locked()
    return row


def is_read_only() -> bool:
    """Whether the current request only reads (its SQLite transaction is deferred)."""
    return _read_only.get()


def set_read_only(value: bool):
    """Mark the current context as read-only (deferred SQLite transactions); return a token."""
    return _read_only.set(value)


def reset_read_only(token) -> None:
    _read_only.reset(token)


def counts(session, **queries: sa.Select) -> dict[str, int]:
    """Run several ``SELECT count(...)`` queries as one round trip: ``{name: count}``.

    Pages that show a handful of totals (home dashboards, the bilan) would otherwise make one
    query per figure; scalar subqueries keep their cost to a single statement.
    """
    if not queries:
        return {}
    return run_counts(session, counts_statement(**queries))


def counts_statement(**queries: sa.Select) -> sa.Select:
    """The statement of :func:`counts`, to build once and run with :func:`run_counts`."""
    return sa.select(*(query.scalar_subquery().label(name) for name, query in queries.items()))


def run_counts(session, statement: sa.Select, **parameters) -> dict[str, int]:
    """Run a :func:`counts_statement` with its bound ``parameters``: ``{name: count}``."""
    row = session.execute(statement, parameters).one()
    return {name: int(value or 0) for name, value in row._asdict().items()}


def ping_idle_connections(engine: sa.Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use when it sat idle more than ``idle_seconds``.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: a round trip as dear as a whole
    revalidation (``304``). A connection dropped by a server restart or an idle timeout has
    sat unused for at least as long as the outage, so pinging only the idle ones keeps the
    guarantee (no stale connection handed to a request once the server is back) and costs
    nothing under load. A failed ping raises ``DisconnectionError``: the pool discards the
    connection and hands out a new one (``tests/core/test_database_ping.py``)."""

    @sa.event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at <= idle_seconds:
            return  # new, or in use a moment ago
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_connection.rollback()  # the ping's transaction, not the request's
        except Exception as error:  # the driver's own errors: the connection is gone
            raise sa.exc.DisconnectionError(str(error)) from error


MIGRATIONS = "reseau.migrations_directory"


def init_migrations(app):
    """Flask-Migrate bound to ``app``, on first use: it imports alembic and mako (10 MB), which a
    web worker never needs (``flask db`` and the migration tests call this)."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        from reseau.core.extensions import db

        Migrate(app, db, directory=app.extensions[MIGRATIONS])
    return app.extensions["migrate"]


class _MigrateCommands(click.Group):
    """``flask db``: Flask-Migrate's own group (its options, its commands), loaded when run."""

    def make_context(self, info_name, args, parent=None, **extra):
        init_migrations(flask.current_app)
        from flask_migrate.cli import db as commands

        return commands.make_context(info_name, args, parent=parent, **extra)


def init_app(app, migrations_directory: str) -> None:
    """Bind the database and migrations to ``app``; SQLite gets Réseau's pragmas and BEGIN mode.

    GET and HEAD requests begin deferred SQLite transactions (readers never queue behind
    writers); every other request takes the write lock at BEGIN (see ``configure_sqlite``).
    """
    from reseau.core import changes
    from reseau.core.extensions import db

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            changes.watch(engine)
            if engine.dialect.name == "sqlite":
                configure_sqlite(engine)
            else:
                ping_idle_connections(engine, app.config["DATABASE_PING_IDLE_SECONDS"])
    app.extensions[MIGRATIONS] = migrations_directory
    app.cli.add_command(_MigrateCommands("db", help="Perform database migrations."))

    @app.before_request
    def _mark_read_only():
        set_read_only(flask.request.method in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _unmark_read_only(exc):
        set_read_only(False)


# --- SQL functions written for both databases (the reports and the funders' report) ----


class hours_between(FunctionElement):  # noqa: N801 (an SQL function, named like one)
    """The hours between two timestamps, as a float, on SQLite and PostgreSQL."""

    type = sa.Float()
    inherit_cache = True


@compiles(hours_between)
def _hours_default(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 3600.0)"
    )


@compiles(hours_between, "sqlite")
def _hours_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 24.0)"
    )


class year_month(FunctionElement):  # noqa: N801
    """'YYYY-MM' of a (UTC) timestamp."""

    type = sa.String()
    inherit_cache = True


@compiles(year_month)
def _year_month_default(element, compiler, **kw):
    return f"to_char({compiler.process(list(element.clauses)[0], **kw)}, 'YYYY-MM')"


@compiles(year_month, "sqlite")
def _year_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(list(element.clauses)[0], **kw)})"
