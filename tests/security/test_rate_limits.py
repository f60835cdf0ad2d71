"""Rate limits (Flask-Limiter) on logging in, password resets, invitation links, feeds and QR
check-in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from reseau.core.extensions import db
from tests.factories import make_user


@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_STORAGE_URI"] = "memory://"
    app_config["RATELIMIT_LOGIN"] = "3 per minute"
    app_config["RATELIMIT_TOKEN"] = "3 per minute"
    app_config["RATELIMIT_FEED"] = "3 per minute"
    app_config["RATELIMIT_CHECKIN"] = "3 per minute"
    return app_config


def test_login_attempts_are_limited_with_a_french_429(client):
    user = make_user()
    db.session.commit()
    for _ in range(3):
        answer = client.post("/connexion", data={"email": user.email, "password": "faux-mot"})
        assert answer.status_code == 422
    answer = client.post("/connexion", data={"email": user.email, "password": "faux-mot"})
    assert answer.status_code == 429
    assert "Trop de tentatives" in answer.get_data(as_text=True)
    # Even the right password waits: guessing cannot go on in the background.
    answer = client.post("/connexion", data={"email": user.email, "password": "x"})
    assert answer.status_code == 429
    # Showing the login page is not an attempt.
    assert client.get("/connexion").status_code == 200


def test_password_reset_requests_are_limited(client):
    for _ in range(3):
        answer = client.post("/mot-de-passe-oublie", data={"email": "a@exemple.test"})
        assert answer.status_code == 303
    assert client.post("/mot-de-passe-oublie", data={"email": "a@exemple.test"}).status_code == 429


@pytest.mark.parametrize("path", ["/invitation/{}", "/reinitialiser/{}", "/agenda/prive/{}.ics"])
def test_token_guessing_is_limited(client, path):
    for n in range(3):
        assert client.get(path.format(f"jeton-{n}")).status_code == 404
    assert client.get(path.format("jeton-4")).status_code == 429


def test_qr_check_in_is_limited_per_person_with_a_french_429(client, auth):
    from reseau.attendance import checkin
    from tests.attendance.helpers import running_session

    session, _, (first, second) = running_session(people=2)
    seance = session.seances[0]
    db.session.commit()
    # Not logged in: the login page, not counted (a room logs in from one address).
    for n in range(5):
        assert client.get(f"/emargement/{seance.id}/jeton-{n}").status_code == 302
    auth.login(first)
    for n in range(3):
        assert client.get(f"/emargement/{seance.id}/jeton-{n}").status_code == 400
    answer = client.get(f"/emargement/{seance.id}/{checkin.make_token(seance.id)}")
    assert answer.status_code == 429
    assert "Trop de tentatives" in answer.get_data(as_text=True)
    assert client.post(f"/emargement/{seance.id}/jeton").status_code == 429
    # Counted per person: someone else in the same room (same address) still checks in.
    auth.logout()
    auth.login(second)
    answer = client.post(f"/emargement/{seance.id}/{checkin.make_token(seance.id)}")
    assert answer.status_code == 303
    from reseau.attendance.models import Attendance

    assert (
        db.session.scalar(sa.select(Attendance.person_id).where(Attendance.seance_id == seance.id))
        == second.id
    )


def test_storage_comes_from_the_environment(app, monkeypatch):
    from reseau.config import default_config

    assert default_config(app.instance_path)["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://cache:6379/0")
    assert default_config(app.instance_path)["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"


def _register(client, email: str, remote: str):
    return client.post(
        "/inscription",
        data={
            "first_name": "Léa",
            "last_name": "Martin",
            "email": email,
            "category": "benevole",
            "centre_id": "1",
        },
        environ_base={"REMOTE_ADDR": remote},
    )


def test_registration_is_limited_per_client(client):
    for n in range(3):
        assert _register(client, f"a{n}@exemple.test", "10.0.0.1").status_code == 422
    answer = _register(client, "a4@exemple.test", "10.0.0.1")
    assert answer.status_code == 429
    assert "Trop de tentatives" in answer.get_data(as_text=True)
    assert _register(client, "a5@exemple.test", "10.0.0.2").status_code == 422


def test_registration_and_reset_requests_are_limited_per_address(app, client):
    app.config["RATELIMIT_ADDRESS"] = "2 per minute"
    for n in range(2):
        assert _register(client, "cible@exemple.test", f"10.0.1.{n}").status_code == 422
    # Each request would mail the address: from a third client, it waits all the same.
    assert _register(client, " Cible@Exemple.test", "10.0.1.9").status_code == 429
    assert _register(client, "autre@exemple.test", "10.0.1.9").status_code == 422
    for n in range(2):
        answer = client.post(
            "/mot-de-passe-oublie",
            data={"email": "cible@exemple.test"},
            environ_base={"REMOTE_ADDR": f"10.0.2.{n}"},
        )
        assert answer.status_code == 303
    answer = client.post(
        "/mot-de-passe-oublie",
        data={"email": "cible@exemple.test"},
        environ_base={"REMOTE_ADDR": "10.0.2.9"},
    )
    assert answer.status_code == 429
