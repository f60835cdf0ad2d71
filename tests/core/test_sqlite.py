"""SQLite: write transactions take the lock at BEGIN (BEGIN IMMEDIATE), reads stay deferred."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from reseau.core.database import reset_read_only, set_read_only
from reseau.core.extensions import db
from tests.factories import make_user


@pytest.fixture
def sqlite_engine(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has row locks and no database-wide write lock")
    db.session.commit()
    return db.engine


def _other_writer(engine) -> sqlite3.Connection:
    # A second connection that does not wait: a held write lock fails it at once.
    return sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)


def test_pragmas(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_write_transaction_takes_the_lock_at_begin(sqlite_engine):
    other = _other_writer(sqlite_engine)
    try:
        with sqlite_engine.connect() as conn:
            transaction = conn.begin()
            # Only a read so far; a deferred BEGIN would not hold any write lock yet.
            conn.execute(sa.text("SELECT count(*) FROM department")).scalar()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("INSERT INTO department (code, name) VALUES ('99', 'Autre')")
            conn.execute(sa.text("INSERT INTO department (code, name) VALUES ('36', 'Indre')"))
            transaction.commit()
        other.execute("INSERT INTO department (code, name) VALUES ('99', 'Autre')")
    finally:
        other.close()
    with sqlite_engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM department")).scalar()
    assert count == 2


def test_read_only_requests_begin_deferred(sqlite_engine):
    other = _other_writer(sqlite_engine)
    token = set_read_only(True)
    try:
        with sqlite_engine.connect() as conn:
            transaction = conn.begin()
            assert conn.execute(sa.text("SELECT count(*) FROM department")).scalar() == 0
            # A reader does not block a writer (WAL), and keeps its snapshot.
            other.execute("INSERT INTO department (code, name) VALUES ('99', 'Autre')")
            assert conn.execute(sa.text("SELECT count(*) FROM department")).scalar() == 0
            transaction.rollback()
    finally:
        reset_read_only(token)
        other.close()


def test_check_then_insert_is_serialised(sqlite_engine):
    """Two writers that count then insert: the second sees the first's row.

    Interleaved by hand rather than by threads: the first transaction begins and reads; the
    second cannot even begin (it would wait, here it fails at once) until the first commits.
    """
    other = _other_writer(sqlite_engine)
    try:
        with sqlite_engine.connect() as first:
            transaction = first.begin()
            seen = first.execute(sa.text("SELECT count(*) FROM department")).scalar()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            first.execute(
                sa.text("INSERT INTO department (code, name) VALUES (:c, :n)"),
                {"c": str(seen + 10), "n": f"Département {seen}"},
            )
            transaction.commit()
        other.execute("BEGIN IMMEDIATE")
        (seen_by_second,) = other.execute("SELECT count(*) FROM department").fetchone()
        other.execute("COMMIT")
    finally:
        other.close()
    assert seen_by_second == 1


def test_get_requests_do_not_take_the_write_lock(sqlite_engine, client, auth):
    # A page served while another connection writes: readers neither wait nor fail.
    user = make_user(first_name="Lou")
    db.session.commit()
    auth.login(user)
    # Requests share the test's session: end what the login left open, as a real request's
    # end would (Flask-SQLAlchemy removes the session with the request's app context).
    db.session.rollback()
    other = sqlite3.connect(sqlite_engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO department (code, name) VALUES ('99', 'Autre')")
        page = client.get("/mon-compte")
        assert page.status_code == 200
        assert "Lou" in page.text
        other.execute("COMMIT")
    finally:
        other.close()
