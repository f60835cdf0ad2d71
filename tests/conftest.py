"""Fixtures: an application and an empty database per test, on SQLite or PostgreSQL."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import g

from reseau import create_app
from reseau.core.extensions import db
from tests import factories
from tests.databases import (
    IN_CI,
    QueryLog,
    config_for,
    create_scratch_database,
    drop_scratch_database,
    empty_all_tables,
    postgres_available,
    selected_backend,
)


def pytest_report_header(config):
    return (
        f"reseau: database {selected_backend()}{' (CI: nothing may be skipped)' if IN_CI else ''}"
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """An empty scratch database with the models' tables, shared by the run, dropped at the end."""
    backend = selected_backend()
    if backend == "postgresql" and not postgres_available():
        message = "PostgreSQL is not reachable on 127.0.0.1:5432"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    url = create_scratch_database(backend, tmp_path_factory.mktemp("db"))
    app = create_app(config_for(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    drop_scratch_database(url)


@pytest.fixture
def app_config(database_url, tmp_path):
    """The configuration of the test's application; tests may change it before using ``app``."""
    return config_for(database_url, tmp_path)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)

    def _fresh_request_globals():
        # Requests reuse the test's app context, hence its ``g``: forget what the previous
        # request (of any client) left there, such as the logged-in person or the CSRF token,
        # as the fresh context of a real request would. First of the before_request functions.
        for name in list(vars(g)):
            delattr(g, name)

    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)

    with app.app_context():
        yield app
        db.session.remove()
        empty_all_tables(db)
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user_or_email, password: str = factories.PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.post("/connexion", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/deconnexion")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def htmx_headers():
    return {"HX-Request": "true"}


@pytest.fixture
def count_queries(app):
    """``with count_queries() as log:`` counts the statements the block runs (``len(log)``).

    ``fresh=True`` first forgets what the session holds, so a request pays for all it loads.
    ``count_queries.page(client, url)``: the statements of one GET, which must answer 200."""

    @contextmanager
    def counting(*, fresh: bool = False):
        if fresh:
            db.session.remove()
        log = QueryLog()
        sa.event.listen(db.engine, "before_cursor_execute", log)
        try:
            yield log
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", log)

    def page(client, url: str, *, fresh: bool = True) -> int:
        with counting(fresh=fresh) as log:
            response = client.get(url)
        assert response.status_code == 200, url
        return len(log)

    counting.page = page
    return counting
