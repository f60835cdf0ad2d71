"""The test database is built by ``create_all``: give it the Alembic revision /sante expects."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa

from reseau.core.database import MIGRATIONS
from reseau.core.extensions import db
from reseau.main.health import _code_heads


@contextlib.contextmanager
def schema_at_head(app, revisions=None):
    """Record ``revisions`` (the code's head by default) as the database's, then forget it."""
    revisions = revisions or _code_heads(app.extensions[MIGRATIONS])
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
        )
        for revision in revisions:
            conn.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": revision})
    try:
        yield
    finally:
        db.session.rollback()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE alembic_version")
