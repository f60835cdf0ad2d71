"""Sessions: cookie flags, idle and absolute timeouts, proxies and trusted hosts."""

from __future__ import annotations

import time

import pytest

from reseau import create_app
from reseau.core.extensions import db
from tests.factories import PASSWORD, make_user


def _shift(client, **seconds_ago):
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = int(time.time()) - ago


def test_session_cookie_is_httponly_and_lax(client, auth):
    user = make_user()
    db.session.commit()
    answer = auth.login(user)
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development default


def test_secure_cookies_and_hsts_in_production(app_config, tmp_path):
    app_config["SESSION_COOKIE_SECURE"] = True
    app = create_app(app_config)
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    answer = app.test_client().get("/")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")


def test_an_idle_session_ends(app, client, auth):
    user = make_user()
    db.session.commit()
    auth.login(user)
    assert client.get("/mon-compte").status_code == 200
    _shift(client, _seen=app.config["SESSION_IDLE_MINUTES"] * 60 + 5)
    answer = client.get("/mon-compte")
    assert answer.status_code == 302 and "/connexion" in answer.location
    assert client.get("/mon-compte").status_code == 302  # and stays ended


def test_an_active_session_ends_after_the_absolute_limit(app, client, auth):
    user = make_user()
    db.session.commit()
    auth.login(user)
    _shift(client, _started=app.config["SESSION_ABSOLUTE_HOURS"] * 3600 + 5, _seen=10)
    answer = client.get("/mon-compte")
    assert answer.status_code == 302 and "/connexion" in answer.location


def test_a_recent_session_goes_on(app, client, auth):
    user = make_user()
    db.session.commit()
    auth.login(user)
    _shift(client, _seen=app.config["SESSION_IDLE_MINUTES"] * 60 - 60)
    assert client.get("/mon-compte").status_code == 200


def test_remember_me_has_no_idle_limit_but_an_absolute_one(app, client):
    user = make_user()
    db.session.commit()
    client.post(
        "/connexion",
        data={"email": user.email, "password": "mot-de-passe-de-test", "remember": "y"},
    )
    _shift(client, _seen=app.config["SESSION_IDLE_MINUTES"] * 60 + 5)
    assert client.get("/mon-compte").status_code == 200
    _shift(client, _started=app.config["REMEMBER_COOKIE_DURATION"] + 5)
    assert client.get("/mon-compte").status_code == 302
    # The remember cookie is gone too: it cannot bring the session back.
    assert client.get("/mon-compte").status_code == 302


def test_trusted_hosts_refuse_other_host_headers(app_config):
    app_config["TRUSTED_HOSTS"] = ["localhost"]
    app = create_app(app_config)
    client = app.test_client()
    assert client.get("/", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_trusted_hosts_from_the_environment(monkeypatch, tmp_path):
    from reseau.config import default_config

    monkeypatch.setenv("TRUSTED_HOSTS", "formation.exemple.fr, .exemple.fr")
    assert default_config(str(tmp_path))["TRUSTED_HOSTS"] == ["formation.exemple.fr", ".exemple.fr"]
    monkeypatch.delenv("TRUSTED_HOSTS")
    assert default_config(str(tmp_path))["TRUSTED_HOSTS"] is None


@pytest.mark.parametrize("hops, expected", [(0, "http"), (1, "https")])
def test_proxy_fix_is_configurable(app_config, hops, expected):
    app_config["PROXY_FIX_HOPS"] = hops
    app = create_app(app_config)
    seen = {}

    @app.get("/_scheme")
    def _scheme():
        from flask import request

        seen["scheme"] = request.scheme
        seen["remote"] = request.remote_addr
        return ""

    app.test_client().get(
        "/_scheme", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert seen["scheme"] == expected
    assert (seen["remote"] == "203.0.113.9") is (hops == 1)


def test_rester_connecte_restarts_the_idle_clock(app, client, auth):
    """The idle warning's button: a form POST goes back where it was, htmx gets 204."""
    user = make_user()
    db.session.commit()
    auth.login(user)
    page = client.get("/mes-formations").get_data(as_text=True)
    assert 'id="session-timeout"' in page and 'data-idle="7200"' in page
    _shift(client, _seen=app.config["SESSION_IDLE_MINUTES"] * 60 - 60)
    response = client.post("/session/prolonger", data={"next": "/mes-formations"})
    assert response.status_code == 303 and response.headers["Location"] == "/mes-formations"
    with client.session_transaction() as session:
        assert abs(session["_seen"] - time.time()) < 5
    assert client.post("/session/prolonger", headers={"HX-Request": "true"}).status_code == 204
    # An address of another site is not followed.
    response = client.post("/session/prolonger", data={"next": "https://example.org/"})
    assert response.headers["Location"] == "/"


def test_no_idle_warning_for_remembered_sessions(app, client):
    user = make_user()
    db.session.commit()
    client.post("/connexion", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    page = client.get("/mes-formations").get_data(as_text=True)
    assert "Se déconnecter" in page and 'id="session-timeout"' not in page
