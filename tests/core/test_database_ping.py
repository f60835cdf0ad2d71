"""PostgreSQL: pooled connections are checked before use only when they sat idle.

A connection the server dropped (a restart, an idle timeout) must never reach a request: the
pool pings a connection idle longer than ``DATABASE_PING_IDLE_SECONDS`` and replaces it when
the ping fails; a connection used a moment ago is handed out without a round trip.
"""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from reseau.core.extensions import db


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: a SQLite file cannot drop its connection")
    return app


def _terminate(pid: int) -> None:
    """Drop backend ``pid`` as a server restart would, from a connection of its own."""
    killer = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with killer.connect() as connection:
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


def _backend_pid() -> int:
    with db.engine.connect() as connection:
        return connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


@pytest.fixture
def ping_always(app_config):
    app_config["DATABASE_PING_IDLE_SECONDS"] = 0  # every connection back in the pool is idle


def test_a_dropped_idle_connection_is_replaced_before_a_request_sees_it(
    ping_always, postgresql, client
):
    first = _backend_pid()
    _terminate(first)
    # Idle for more than 0 s: pinged, found dead, replaced by the pool, and the page answers.
    assert client.get("/catalogue").status_code == 200
    assert _backend_pid() != first


@contextlib.contextmanager
def _pool_of_one_killed(idle_seconds: int):
    """A one-connection pool pinging after ``idle_seconds``, whose connection the server dropped."""
    from reseau.core import database

    engine = sa.create_engine(db.engine.url, poolclass=sa.pool.QueuePool, pool_size=1)
    database.ping_idle_connections(engine, idle_seconds=idle_seconds)
    with engine.connect() as connection:
        pid = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    _terminate(pid)
    try:
        yield engine, pid
    finally:
        engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(postgresql):
    # Not idle long enough to be checked: handed out as it is, without a round trip, so the
    # dead connection shows only when it is used (which is what proves no ping was sent).
    with (
        _pool_of_one_killed(idle_seconds=3600) as (engine, _pid),
        pytest.raises(sa.exc.OperationalError),
        engine.connect() as connection,
    ):
        connection.execute(sa.text("SELECT 1"))


def test_an_idle_connection_that_died_is_discarded(postgresql):
    # No error: the pool pinged the dead connection and gave a new one.
    with _pool_of_one_killed(idle_seconds=0) as (engine, pid), engine.connect() as connection:
        assert connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one() != pid
