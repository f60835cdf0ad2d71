"""deploy-check, backup and restore."""

from __future__ import annotations

import sqlite3

import click
import pytest

from reseau import create_app
from reseau.core.backup import backup_sqlite, restore_sqlite, table_counts
from reseau.core.deploy import deploy_problems
from reseau.core.extensions import db
from tests.databases import selected_backend
from tests.security.settings import SAFE


def test_a_safe_configuration_has_no_problem():
    assert deploy_problems(SAFE, environ={}) == []


@pytest.mark.parametrize(
    "change, environ, expected",
    [
        ({"DEBUG": True}, {}, "debug"),
        ({"SECRET_KEY": None}, {}, "SECRET_KEY manque"),
        ({"SECRET_KEY": "dev"}, {}, "SECRET_KEY est faible"),
        ({"SESSION_COOKIE_SECURE": False}, {}, "Secure"),
        ({"TRUSTED_HOSTS": None}, {}, "TRUSTED_HOSTS"),
        ({"BASE_URL": "http://formation.exemple.fr"}, {}, "https"),
        (
            {"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/reseau.sqlite"},
            {"WEB_CONCURRENCY": "4"},
            "SQLite avec 4 workers",
        ),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, {"GUNICORN_CMD_ARGS": "--workers 3"}, "Redis"),
        ({"WTF_CSRF_ENABLED": False}, {}, "CSRF"),
    ],
)
def test_each_unsafe_setting_is_listed(change, environ, expected):
    problems = deploy_problems({**SAFE, **change}, environ=environ)
    assert any(expected in problem for problem in problems), problems


def test_deploy_check_command_fails_on_the_development_defaults(runner):
    result = runner.invoke(args=["deploy-check"])
    assert result.exit_code == 1
    assert "TRUSTED_HOSTS" in result.output and "https" in result.output


def _sqlite_app(tmp_path, name="live.sqlite"):
    path = tmp_path / name
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "x" * 40,
            "MAIL_DIRECTORY": str(tmp_path / "mail"),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        from tests.factories import make_centre, make_user

        make_user(centre=make_centre())
        make_user()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return app, path


def test_backup_copies_a_live_wal_database_consistently(tmp_path):
    app, live = _sqlite_app(tmp_path)
    # A writer holds the WAL open with uncheckpointed pages while the backup runs.
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO department (code, name) VALUES ('99', 'Essai')")
    writer.commit()
    try:
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copie.sqlite")])
    finally:
        writer.close()
    assert result.exit_code == 0, result.output
    assert "intégrité ok" in result.output and "pg_dump" in result.output
    copy = sqlite3.connect(tmp_path / "copie.sqlite")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM department WHERE code = '99'").fetchone()[0] == 1
    assert copy.execute("SELECT count(*) FROM user").fetchone()[0] == 2
    copy.close()


def test_restore_checks_integrity_and_row_counts(tmp_path):
    app, live = _sqlite_app(tmp_path)
    counts = backup_sqlite(live, tmp_path / "copie.sqlite")
    with sqlite3.connect(live) as connection:  # the database changes after the backup
        connection.execute("DELETE FROM user_role")
        connection.execute("DELETE FROM user")
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["restore", "--yes", str(tmp_path / "copie.sqlite")]
        )
    assert result.exit_code == 0, result.output
    assert "nombres de lignes identiques" in result.output
    with sqlite3.connect(live) as connection:
        assert table_counts(connection) == counts
        assert connection.execute("SELECT count(*) FROM user").fetchone()[0] == 2


def test_restore_refuses_a_damaged_backup(tmp_path):
    app, live = _sqlite_app(tmp_path)
    damaged = tmp_path / "abime.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["restore", "--yes", str(damaged)])
    assert result.exit_code != 0
    assert "abîmée" in result.output or "Error" in result.output
    with sqlite3.connect(live) as connection:
        assert connection.execute("SELECT count(*) FROM user").fetchone()[0] == 2
    with pytest.raises(click.ClickException), app.app_context():
        restore_sqlite(tmp_path / "absent.sqlite", live)


def test_backup_on_postgresql_explains_pg_dump(runner):
    if selected_backend() != "postgresql":
        pytest.skip("the PostgreSQL advice is shown when the database is PostgreSQL")
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0
    assert "pg_dump" in result.output
