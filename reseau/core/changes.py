"""What changed, table by table: the counters a kept figure (the bilan, the diagnostic results;
``core.cache``) is checked against, kept without a row that every write must lock.

Every transaction that wrote adds one, as it commits, to a counter per table it wrote, in
rows of its own: one row per (table, slot), the slot being the PostgreSQL backend its
connection talks to (0 on SQLite, whose writers take turns anyway). Two transactions never
share a backend, so no write waits on another for these rows. A reader adds a table's rows
up: the sum moves with every committed write to the table, whatever the order in which
transactions took their numbers and committed (a maximum of versions would miss a
transaction that started first and committed last).

The writes are seen as the statements run (INSERT, UPDATE, DELETE, upserts, the ORM's and
raw SQL alike; one that changed no row counts nothing), so no code path has to remember to
announce its changes; the
tables a figure reads are seen the same way while it is computed (``reading``). ``fold`` adds
the rows of backends that are gone into slot 0 (``tick``), which keeps every sum as it was.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
import weakref
from collections.abc import Iterable, Iterator

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.engine import Engine
from sqlalchemy.sql import visitors

from reseau.core.extensions import db

TABLE = "table_change"
WRITTEN = "reseau_written_tables"  # in a connection's info: the tables written, not committed
# Per engine: whether its database has the table yet (an old one is being upgraded).
_ready: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()

# The table a data-changing statement writes ("FOR UPDATE" locks rows, "DO UPDATE SET" is an
# upsert's second half).
_WRITE = re.compile(
    r'\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|(?<!FOR\s)(?<!DO\s)UPDATE|DELETE\s+FROM)\s+"?(\w+)"?',
    re.IGNORECASE,
)
_COUNT = (
    "INSERT INTO table_change (table_name, slot, changes) VALUES {values} "
    "ON CONFLICT (table_name, slot) DO UPDATE SET changes = table_change.changes + 1"
)
_NAME = re.compile(r'"?(\w+)"?')
_WORD = re.compile(r"\w+")
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)

_reading: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "reseau_tables_read", default=None
)


class TableChange(db.Model):
    """How many committed transactions wrote to ``table_name`` through backend ``slot``."""

    __tablename__ = TABLE

    table_name: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    slot: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    changes: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)


def _tables_of(statement: str, context) -> set[str]:
    """The tables a statement reads: named after FROM or JOIN in its text, and those of the
    compiled statement when there is one (subqueries and CTEs included)."""
    tables = set(_READ.findall(statement))
    element = getattr(getattr(context, "compiled", None), "statement", None)
    if element is not None:  # "FROM a, b" has a second table the text alone hides
        tables.update(tables_in(element))
    return tables


def tables_in(element) -> set[str]:
    """The tables a statement (SQLAlchemy's, not compiled) names, subqueries and CTEs included."""
    return {node.name for node in visitors.iterate(element) if isinstance(node, sa.Table)}


def _on_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    reading = _reading.get()
    if reading is not None:
        reading.update(_tables_of(statement, context))


def _on_statement_done(conn, cursor, statement, parameters, context, executemany) -> None:
    """After a statement ran: the tables it wrote, unless it changed no row (an UPDATE that
    matched nothing, an upsert that did nothing, a DELETE of nothing: nothing to count)."""
    head = statement[:8].upper()
    if head.startswith("SELECT"):
        return
    if head == "TRUNCATE":  # every table of the list (tests empty the database so)
        written = _NAME.findall(statement[8:].split(" RESTART")[0].split(" CASCADE")[0])
    elif cursor.rowcount == 0:
        return
    else:
        written = _WRITE.findall(statement)
    if written:
        conn.info.setdefault(WRITTEN, set()).update(name.lower() for name in written)


def _table_exists(dbapi_connection, dialect: str) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        if dialect == "postgresql":
            cursor.execute("SELECT to_regclass('table_change') IS NOT NULL")
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'table_change'")
        return bool(cursor.fetchone()[0])
    finally:
        cursor.close()


def _slot(dbapi_connection, dialect: str) -> int:
    return dbapi_connection.info.backend_pid if dialect == "postgresql" else 0


def _count_on_commit(conn) -> None:
    """Add one to the counters of the tables this transaction wrote, just before it commits
    (straight to the driver: no statement event, and nothing of SQLAlchemy's per statement)."""
    written = conn.info.pop(WRITTEN, None)
    if not written:
        return
    written.discard(TABLE)
    if not written:
        return
    dialect = conn.dialect.name
    dbapi_connection = conn.connection.dbapi_connection
    # A migration may create or drop the table: look again whenever one commits.
    if not _ready.get(conn.engine) or "alembic_version" in written:
        _ready[conn.engine] = _table_exists(dbapi_connection, dialect)
        if not _ready[conn.engine]:
            return
    names = sorted(written)
    slot = _slot(dbapi_connection, dialect)
    if dialect == "postgresql" and _in_transaction(dbapi_connection):
        _count_and_commit(conn, dbapi_connection, names, slot)
        return
    mark = "%s" if dialect == "postgresql" else "?"
    values = ", ".join(f"({mark}, {int(slot)}, 1)" for _ in names)  # the names are bound
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_COUNT.format(values=values), names)
    finally:
        cursor.close()


def _in_transaction(dbapi_connection) -> bool:
    """Whether psycopg's connection is in a transaction that can still commit (not idle, as
    in autocommit, nor failed)."""
    from psycopg.pq import TransactionStatus

    return dbapi_connection.info.transaction_status == TransactionStatus.INTRANS


def _count_and_commit(conn, dbapi_connection, names: list[str], slot: int) -> None:
    """PostgreSQL: the counters' upsert and the COMMIT in one round trip (the simple query
    protocol runs both; it stops at the first error, so no count commits without the rest).
    psycopg's own ``commit()``, which SQLAlchemy calls next, sends nothing on an idle
    connection: the transaction ends once, and SQLAlchemy ends its own as usual. No bound
    parameters (the simple protocol takes none): the names are quoted as literals, and the
    regular expressions that found them only ever match word characters."""
    values = ", ".join(f"({_literal(name)}, {int(slot)}, 1)" for name in names)
    statement = _COUNT.format(values=values) + "; COMMIT"
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(statement, prepare=False)
    except conn.dialect.loaded_dbapi.Error as error:
        # As a failed COMMIT is raised by SQLAlchemy (IntegrityError, OperationalError…).
        raise sa.exc.DBAPIError.instance(
            statement, None, error, conn.dialect.loaded_dbapi.Error
        ) from error
    finally:
        cursor.close()


def _literal(name: str) -> str:
    if not _WORD.fullmatch(name):  # never: the names are \w+; a guard, not a quoting rule
        raise ValueError(f"nom de table inattendu : {name!r}")
    return f"'{name}'"


def _forget_on_rollback(conn) -> None:
    conn.info.pop(WRITTEN, None)


def watch(engine: Engine) -> None:
    """Count the committed writes of ``engine``'s connections, table by table."""
    sa.event.listen(engine, "before_cursor_execute", _on_statement)
    sa.event.listen(engine, "after_cursor_execute", _on_statement_done)
    sa.event.listen(engine, "commit", _count_on_commit)
    sa.event.listen(engine, "rollback", _forget_on_rollback)


@contextlib.contextmanager
def reading() -> Iterator[set[str]]:
    """Collect the tables the statements run inside the block read (and write)."""
    tables: set[str] = set()
    token = _reading.set(tables)
    try:
        yield tables
    finally:
        _reading.reset(token)


@functools.cache
def _versions_statement(every: bool) -> sa.Select:
    """Built once: the request's own transaction runs it (on SQLite the same snapshot as
    the figure read after it; a raw read outside it could see newer rows)."""
    query = sa.select(TableChange.table_name, sa.func.sum(TableChange.changes)).group_by(
        TableChange.table_name
    )
    if every:
        return query
    return query.where(TableChange.table_name.in_(sa.bindparam("names", expanding=True)))


def versions(names: Iterable[str] | None = None) -> dict[str, int]:
    """Each table's count of committed writes (all tables when ``names`` is None; a table
    never written is left out, which reads as 0)."""
    if names is None:
        rows = db.session.execute(_versions_statement(True))
    else:
        rows = db.session.execute(_versions_statement(False), {"names": list(names)})
    return {name: int(total) for name, total in rows}


def writes_pending() -> bool:
    """Whether the current transaction wrote something it has not committed yet (a figure
    read now would see it while the counters do not)."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return True
    return session.in_transaction() and bool(session.connection().info.get(WRITTEN))


def fold() -> str:
    """Add the rows of PostgreSQL backends that are gone into slot 0 (every sum unchanged);
    a ``tick`` task. SQLite has only slot 0."""
    if db.session.get_bind().dialect.name != "postgresql":
        return "Compteurs de modifications : rien à regrouper."
    folded = db.session.execute(
        sa.text(
            "WITH gone AS (DELETE FROM table_change WHERE slot <> 0 AND slot NOT IN "
            "(SELECT pid FROM pg_stat_activity) RETURNING table_name, changes) "
            "INSERT INTO table_change (table_name, slot, changes) "
            "SELECT table_name, 0, sum(changes) FROM gone GROUP BY table_name "
            "ON CONFLICT (table_name, slot) DO UPDATE "
            "SET changes = table_change.changes + excluded.changes"
        )
    ).rowcount
    return f"Compteurs de modifications : {folded} table(s) regroupée(s)."
