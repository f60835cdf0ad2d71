"""Serving feeds (issue 14): past window, compression, 410, revoking, one-click links, rate
limits per address, links on the listening address, UIDs independent of the host, settings."""

from __future__ import annotations

import ast
import gzip
import logging
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import click
import pytest
import sqlalchemy as sa
from flask import Flask

import reseau
from reseau import create_app
from reseau.calendars.feeds import feed_context
from reseau.calendars.models import CalendarSetting, CalendarToken, FeedKind
from reseau.calendars.tokens import feed_token, issue_token
from reseau.config import default_config
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.outbox import base_url, external_url
from tests.calendars.helpers import events, get, parse_both, vevents
from tests.factories import enrol, make_centre, make_referent, make_session, make_user

CATALOGUE = "/agenda/catalogue.ics"


def _private_url(user, kind=FeedKind.PERSON) -> str:
    url = f"/agenda/prive/{feed_token(issue_token(kind, user, actor=user))}.ics"
    db.session.commit()
    return url


def _uid(seance) -> str:
    return f"seance-{seance.id}@localhost"


def test_subscription_feeds_keep_a_bounded_past(app, client):
    old = make_session(starts_at=utcnow() - timedelta(days=400), title="Il y a 13 mois")
    recent = make_session(starts_at=utcnow() - timedelta(days=300), title="Il y a 10 mois")
    person = make_user()
    enrol(old, person)
    enrol(recent, person)
    url = _private_url(person)
    for feed in (CATALOGUE, url):
        parsed, other = parse_both(get(client, feed).data)
        assert set(events(parsed)) == set(vevents(other)) == {_uid(recent.seances[0])}
    # The one-session download keeps everything.
    parsed, _ = parse_both(get(client, f"/sessions/{old.id}/agenda.ics").data)
    assert set(events(parsed)) == {_uid(old.seances[0])}
    # A longer window (a setting) brings it back, with a new ETag.
    first = get(client, CATALOGUE)
    app.config["CALENDAR_PAST_MONTHS"] = 24
    longer = get(client, CATALOGUE, headers={"If-None-Match": first.headers["ETag"]})
    assert longer.status_code == 200
    assert _uid(old.seances[0]) in events(parse_both(longer.data)[0])


def test_feeds_and_pages_are_compressed_and_304_still_works(app, client, monkeypatch):
    for _ in range(3):
        make_session(seances=3, description="Une description assez longue " * 5)
    db.session.commit()
    plain = get(client, CATALOGUE)
    zipped = get(client, CATALOGUE, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    parse_both(gzip.decompress(zipped.data))
    etag = zipped.headers["ETag"]
    assert etag == plain.headers["ETag"][:-1] + ':gzip"'

    def fail(*args, **kwargs):
        raise AssertionError("built")

    monkeypatch.setattr("reseau.calendars.feeds.build", fail)
    again = get(client, CATALOGUE, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    page = get(client, "/catalogue", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Catalogue" in gzip.decompress(page.data).decode()


def test_a_person_revokes_an_address_without_a_new_one(app, client, auth):
    person = make_user()
    url = _private_url(person)
    auth.login(person)
    page = get(client, "/agendas").text
    assert 'action="/agendas/person/desactiver"' in page
    response = client.post("/agendas/person/desactiver")
    db.session.rollback()
    assert response.status_code == 303
    gone = get(client, url)
    assert gone.status_code == 410
    assert "Retry-After" not in gone.headers
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CalendarToken)
            .where(CalendarToken.revoked_at.is_(None))
        )
        == 0
    )
    assert "Obtenir l'adresse de cet agenda" in get(client, "/agendas").text
    assert client.post("/agendas/person/desactiver").status_code == 303  # nothing left: fine
    assert client.post("/agendas/nimporte/desactiver").status_code == 404


def test_one_click_google_and_outlook_links(app, client, auth):
    centre = make_centre(name="Centre des Rives")
    referent = make_referent(centre)
    _private_url(referent, FeedKind.CENTRE)
    auth.login(referent)
    page = get(client, "/agendas").text
    row = db.session.scalar(sa.select(CalendarToken).where(CalendarToken.kind == FeedKind.CENTRE))
    address = f"http://localhost/agenda/prive/{feed_token(row)}.ics"
    import html
    import re

    links = [html.unescape(link) for link in re.findall(r'href="([^"]+)"', page)]
    google = [link for link in links if link.startswith("https://calendar.google.com/")]
    outlook = [link for link in links if link.startswith("https://outlook.live.com/")]
    assert "webcal://" + address.split("://")[1] in [
        parse_qs(urlsplit(g).query)["cid"][0] for g in google
    ]
    queries = [parse_qs(urlsplit(link).query) for link in outlook]
    assert {"url": [address], "name": ["Agenda du centre – Centre des Rives"]} in queries
    assert any(q["url"] == ["http://localhost/agenda/catalogue.ics"] for q in queries)
    assert "S'abonner dans Google Agenda" in page and "S'abonner dans Outlook" in page


@pytest.fixture
def limited(app_config):
    app_config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_FEED="2 per minute",
        RATELIMIT_TOKEN="3 per minute",
    )
    return app_config


def test_private_feeds_are_limited_per_address_not_per_client(limited, client):
    first, second = make_user(), make_user()
    url_a, url_b = _private_url(first), _private_url(second)
    for _ in range(2):
        answer = get(client, url_a)
        assert answer.status_code == 200
        assert "Retry-After" not in answer.headers
    limited_answer = get(client, url_a)
    assert limited_answer.status_code == 429
    assert int(limited_answer.headers["Retry-After"]) > 0
    # A fetcher polling many people's feeds from one address is not stopped by the first.
    assert get(client, url_b).status_code == 200
    # Revoked or no longer valid addresses are not guesses.
    db.session.execute(sa.update(CalendarToken).values(revoked_at=utcnow()))
    db.session.commit()
    for _ in range(5):
        assert get(client, url_b).status_code in (410, 429)
    # Wrong addresses are: three, then 429 from this client.
    for n in range(3):
        assert get(client, f"/agenda/prive/{'A' * 42}{n}.ics").status_code == 404
    assert get(client, "/agenda/prive/" + "B" * 43 + ".ics").status_code == 429


@pytest.fixture
def own_instance(tmp_path, monkeypatch):
    """Applications made by the test keep their instance/ files in the test's folder."""
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path / "instance"))


def test_links_follow_the_address_flask_run_listens_on(
    database_url, tmp_path, caplog, own_instance
):
    config = _config(database_url, tmp_path, BASE_URL=None)
    run = click.Context(click.Command("run"), info_name="run")
    run.params = {"host": "127.0.0.1", "port": 5201, "cert": None}
    with run:
        app = create_app(config)
    with app.app_context():
        assert base_url() == "http://127.0.0.1:5201"
        assert external_url("main.home") == "http://127.0.0.1:5201/"
        assert feed_context().base_url == "http://127.0.0.1:5201"
        _close(app)
    assert (tmp_path / "instance" / "listen_url").read_text().strip() == "http://127.0.0.1:5201"
    # A command run later (tick, send-mail) hands out the same links.
    later = create_app(config)
    with later.app_context():
        assert base_url() == "http://127.0.0.1:5201"
    # With an explicit local BASE_URL that disagrees: a warning at start-up.
    caplog.set_level(logging.WARNING)
    with run:
        create_app({**config, "BASE_URL": "http://127.0.0.1:5000"})
    assert "BASE_URL is http://127.0.0.1:5000 but the server listens on http://127.0.0.1:5201" in (
        caplog.text
    )


def test_without_base_url_links_follow_the_server_not_the_host_header(
    database_url, tmp_path, own_instance
):
    app = create_app(_config(database_url, tmp_path, BASE_URL=None, SERVER_NAME=None))
    with app.app_context():
        client = app.test_client()
        client.get(
            "/connexion",
            base_url="http://127.0.0.1:5201",
            environ_overrides={"HTTP_HOST": "evil.example"},
        )
        assert base_url() == "http://127.0.0.1:5201"
        db.engine.dispose()


def test_event_uids_do_not_follow_base_url(database_url, tmp_path, own_instance):
    config = _config(database_url, tmp_path, BASE_URL="http://127.0.0.1:5000")
    app = create_app(config)
    with app.app_context():
        try:
            session = make_session()
            db.session.commit()
            first = app.test_client().get(CATALOGUE).data
            db.session.rollback()
            assert f"seance-{session.seances[0].id}@127.0.0.1".encode() in first
            stored = db.session.scalar(sa.select(CalendarSetting.value))
            assert stored == "127.0.0.1"
            moved = create_app({**config, "BASE_URL": "https://formation.example.org"})
            with moved.app_context():
                data = moved.test_client().get(CATALOGUE).data
                _close(moved)
            assert f"seance-{session.seances[0].id}@127.0.0.1".encode() in data
            assert b"https://formation.example.org/catalogue/sessions/" in data
            chosen = create_app({**config, "CALENDAR_UID_HOST": "reseau.example.org"})
            with chosen.app_context():
                data = chosen.test_client().get(CATALOGUE).data
                _close(chosen)
            assert f"seance-{session.seances[0].id}@reseau.example.org".encode() in data
        finally:
            db.session.remove()
            from tests.databases import empty_all_tables

            empty_all_tables(db)
            db.engine.dispose()


def _close(app) -> None:
    """Give back the connections of an application the test made (in its app context)."""
    db.session.remove()
    db.engine.dispose()


def _config(database_url, tmp_path, **overrides) -> dict:
    from tests.databases import config_for

    (tmp_path / "instance").mkdir(exist_ok=True)
    config = config_for(database_url, tmp_path)
    config.update(overrides)
    return {key: value for key, value in config.items() if value is not None or key == "BASE_URL"}


FLASK_OWN = {
    "DEBUG",
    "TESTING",
    "SECRET_KEY",
    "SERVER_NAME",
    "REMEMBER_COOKIE_NAME",
    "SESSION_COOKIE_NAME",
    "SQLALCHEMY_DATABASE_URI",
    "SQLALCHEMY_ENGINE_OPTIONS",
    "WTF_CSRF_ENABLED",
}


def test_every_setting_read_is_in_config_py_and_the_readme(app):
    """Every ``config["X"]`` / ``config.get("X")`` in the package has a default in config.py,
    and the README's table names it (Flask's and extensions' own settings aside)."""
    read = set()
    for path in Path(reseau.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            key = None
            if isinstance(node, ast.Subscript) and _is_config(node.value):
                key = node.slice
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and _is_config(node.func.value)
                and node.args
            ):
                key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                read.add(key.value)
    defaults = default_config(app.instance_path)
    assert read - set(defaults) - FLASK_OWN == set()
    readme = (Path(reseau.__file__).parent.parent / "README.md").read_text()
    for name in (
        "CALENDAR_UID_HOST",
        "CALENDAR_TOKEN_KEY",
        "CALENDAR_FEED_CACHE_ENTRIES",
        "CALENDAR_PAST_MONTHS",
        "NETWORK_CONTACT_EMAIL",
        "RATELIMIT_FEED",
        "BASE_URL",
    ):
        assert f"`{name}`" in readme, name


def _is_config(node) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "config") or (
        isinstance(node, ast.Name) and node.id == "config"
    )
