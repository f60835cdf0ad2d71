"""Scratch databases for the test suite: a SQLite file, or a PostgreSQL database."""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa

POSTGRES_SERVER = os.environ.get(
    "RESEAU_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
)


def selected_backend() -> str:
    """Return the database the suite runs on: ``sqlite`` (default) or ``postgresql``."""
    backend = os.environ.get("RESEAU_TEST_DB", "sqlite")
    if backend not in ("sqlite", "postgresql"):
        raise RuntimeError(f"RESEAU_TEST_DB must be sqlite or postgresql, not {backend!r}")
    return backend


def create_scratch_database(backend: str, directory) -> str:
    """Create an empty database and return its URL."""
    if backend == "sqlite":
        return f"sqlite:///{directory / f'reseau-{uuid.uuid4().hex[:8]}.sqlite'}"
    name = f"reseau_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return f"{POSTGRES_SERVER}/{name}"


def drop_scratch_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[-1]
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()


def postgres_available() -> bool:
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def empty_all_tables(db) -> None:
    """Delete every row, so that the next test starts from an empty database. The counters
    of writes stay (reseau/core/changes.py): they only ever grow, or a figure kept before
    the emptying could match the counts of other data written after it."""
    tables = [
        table for table in reversed(db.metadata.sorted_tables) if table.name != "table_change"
    ]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                conn.execute(table.delete())


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


class QueryLog:
    """The SQL statements run inside a ``with count_queries():`` block (transaction control
    left out), each on one line."""

    def __init__(self):
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.statements.append(" ".join(statement.split()))


def config_for(url: str, instance_dir) -> dict:
    """The configuration of a test application on the database ``url``."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": None,
        "MAIL_DIRECTORY": str(instance_dir / "mail"),
        "BASE_URL": "http://localhost",
        "SERVER_NAME": "localhost",
        # Rate limits would trip the suite's many logins; tests/security switches them on.
        "RATELIMIT_ENABLED": False,
    }


# Under CI nothing may be skipped: a missing service fails the test instead.
IN_CI = os.environ.get("CI", "").lower() == "true"
