"""The migrations build exactly the models' schema, on the database under test."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from reseau import create_app
from reseau.core.database import init_migrations
from reseau.core.extensions import db
from tests.databases import (
    config_for,
    create_scratch_database,
    drop_scratch_database,
    selected_backend,
)


def test_upgrade_to_head_matches_models(database_url, tmp_path):
    url = create_scratch_database(selected_backend(), tmp_path)
    try:
        app = create_app(config_for(url, tmp_path))
        init_migrations(app)
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(
                    conn, opts={"compare_type": True, "compare_server_default": True}
                )
                differences = compare_metadata(context, db.metadata)
                version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            db.engine.dispose()
        assert differences == []
        assert version is not None
    finally:
        drop_scratch_database(url)
