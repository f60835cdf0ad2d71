"""The counters of committed writes, table by table (reseau/core/changes.py), that kept
figures are checked against: what moves them, what does not, and that two writers never
wait on each other for them (PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from reseau.accounts.models import Centre
from reseau.core import changes
from reseau.core.extensions import db
from tests.databases import selected_backend
from tests.factories import make_centre


def _counts(*names):
    found = changes.versions(names)
    return tuple(found.get(name, 0) for name in names)


def test_a_committed_write_counts_once_per_table_and_transaction(app):
    before = _counts("centre", "department")
    centre = make_centre()  # and its département
    db.session.flush()
    centre.name = "Centre social des Trois Cités"
    db.session.flush()  # two statements on centre, one transaction
    db.session.commit()
    assert _counts("centre", "department") == (before[0] + 1, before[1] + 1)


def test_a_rolled_back_write_and_a_read_count_nothing(app):
    make_centre()
    db.session.commit()
    before = _counts("centre")
    make_centre()
    db.session.flush()
    db.session.rollback()
    db.session.scalars(sa.select(Centre).with_for_update()).all()  # locks, changes nothing
    db.session.commit()
    assert _counts("centre") == before


def test_raw_sql_writes_count_too(app):
    centre = make_centre()
    db.session.commit()
    before = _counts("centre")
    db.session.execute(
        sa.text("\n  UPDATE centre SET town = 'Poitiers' WHERE id = :id"), {"id": centre.id}
    )
    db.session.commit()
    assert _counts("centre") == (before[0] + 1,)
    # Statements that change no row count nothing: a DELETE and an UPDATE matching nothing.
    db.session.execute(sa.delete(Centre).where(Centre.id == -1))
    db.session.execute(sa.text("UPDATE centre SET town = 'Niort' WHERE id = -1"))
    db.session.commit()
    assert _counts("centre") == (before[0] + 1,)


def test_reading_collects_the_tables_a_block_reads(app):
    with changes.reading() as tables:
        db.session.execute(
            sa.select(Centre.name).where(
                Centre.department_id.in_(sa.text("SELECT id FROM department"))
            )
        ).all()
        db.session.execute(sa.text('SELECT count(*) FROM "user" u JOIN user_role r ON 1=1'))
    assert {"centre", "user", "user_role", "department"} <= tables


def test_the_migration_and_the_model_agree_on_the_table(app):
    columns = {column["name"] for column in sa.inspect(db.engine).get_columns("table_change")}
    assert columns == {"table_name", "slot", "changes"}


@pytest.mark.skipif(selected_backend() != "postgresql", reason="PostgreSQL's backends")
def test_two_writers_of_one_table_never_wait_for_each_other(app):
    """Each connection counts in its own backend's row: the second commits while the first
    still holds its uncommitted count (a shared row would make it wait: lock_timeout)."""
    centres = [make_centre(), make_centre()]
    db.session.commit()
    before = _counts("centre")
    first, second = db.engine.connect(), db.engine.connect()
    try:
        for connection, centre in zip((first, second), centres, strict=True):
            connection.execute(sa.text("SET lock_timeout = '2s'"))
            connection.execute(
                sa.text("UPDATE centre SET town = town WHERE id = :id"), {"id": centre.id}
            )
        # Both transactions are open; the first commits its count, then the second.
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()
    assert _counts("centre") == (before[0] + 2,)


@pytest.mark.skipif(selected_backend() != "postgresql", reason="PostgreSQL's backends")
def test_fold_keeps_every_sum(app):
    make_centre()
    db.session.commit()
    # A backend that is gone (no such process) left its counts.
    db.session.execute(
        sa.insert(changes.TableChange).values(table_name="centre", slot=2**30, changes=5)
    )
    db.session.commit()
    before = changes.versions()
    assert "regroupée" in changes.fold()
    db.session.commit()
    assert changes.versions() == before
    slots = db.session.scalars(
        sa.select(changes.TableChange.slot).where(changes.TableChange.table_name == "centre")
    ).all()
    assert 2**30 not in slots and 0 in slots


@pytest.mark.skipif(selected_backend() != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_a_truncate_counts_for_every_table_it_empties(app):
    before = _counts("centre", "department")
    db.session.execute(sa.text('TRUNCATE "centre", "department" RESTART IDENTITY CASCADE'))
    db.session.commit()
    after = _counts("centre", "department")
    assert after == (before[0] + 1, before[1] + 1)


@pytest.mark.skipif(selected_backend() != "postgresql", reason="psycopg's round trips")
def test_the_counts_and_the_commit_go_in_one_round_trip(app, tmp_path):
    """PostgreSQL: the counters' upsert carries the COMMIT (libpq's trace shows the messages
    sent); psycopg then sends no second COMMIT and SQLAlchemy sees the transaction ended."""
    centre = make_centre()
    db.session.commit()
    before = _counts("centre")
    trace = tmp_path / "libpq.trace"
    with db.engine.connect() as connection, trace.open("w") as out:
        raw = connection.connection.dbapi_connection
        connection.execute(
            sa.text("UPDATE centre SET town = 'Poitiers' WHERE id = :id"), {"id": centre.id}
        )
        raw.pgconn.trace(out.fileno())
        connection.commit()
        raw.pgconn.untrace()
        assert not connection.in_transaction()
        assert raw.info.transaction_status == 0  # idle
    sent = [line.split("\t") for line in trace.read_text().splitlines()]
    queries = [fields[4] for fields in sent if fields[1] == "F" and fields[3] != "Terminate"]
    assert len(queries) == 1
    assert "INSERT INTO table_change" in queries[0] and queries[0].endswith('COMMIT"')
    assert _counts("centre") == (before[0] + 1,)


@pytest.mark.skipif(selected_backend() != "postgresql", reason="a deferred constraint")
def test_a_commit_that_fails_raises_as_sqlalchemy_does_and_counts_nothing(app):
    """The COMMIT sent with the counts fails (a deferred unique constraint): SQLAlchemy's
    IntegrityError, nothing counted, the connection usable again after a rollback."""
    before = _counts("changes_probe")
    with db.engine.connect() as connection:
        connection.execute(
            sa.text(
                "CREATE TEMPORARY TABLE changes_probe (n int UNIQUE DEFERRABLE INITIALLY DEFERRED)"
            )
        )
        connection.commit()
        connection.execute(sa.text("INSERT INTO changes_probe VALUES (1), (1)"))
        with pytest.raises(sa.exc.IntegrityError):
            connection.commit()
        connection.rollback()
        assert connection.execute(sa.text("SELECT count(*) FROM changes_probe")).scalar() == 0
        connection.commit()
    assert _counts("changes_probe") == before
