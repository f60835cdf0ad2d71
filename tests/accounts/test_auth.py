"""Logging in and out, cookies, password resets."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from reseau.accounts.models import AccountToken, TokenPurpose, UserStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from tests.accounts.helpers import link_in, new_password_form, outbox
from tests.factories import PASSWORD, make_centre, make_user

WRONG = "Adresse e-mail ou mot de passe incorrect."


def _set_cookie_headers(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


# -- logging in ------------------------------------------------------------------------------


def test_login_page_is_french(client):
    response = client.get("/connexion")
    assert response.status_code == 200
    assert "Se connecter" in response.text
    assert 'name="csrf-token"' in response.text


def test_login_succeeds_and_greets(client, auth):
    user = make_user(first_name="Amélie")
    db.session.commit()
    response = auth.login(user)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "Bonjour Amélie" in client.get("/").text
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_email_is_case_and_space_insensitive(client, auth):
    make_user(email="camille@exemple.test")
    db.session.commit()
    assert auth.login("  Camille@Exemple.TEST ").status_code == 303


def test_wrong_password_and_unknown_email_give_the_same_answer(client, auth):
    user = make_user()
    db.session.commit()
    wrong_password = auth.login(user, "pas-le-bon-mot-de-passe")
    unknown = client.post(
        "/connexion", data={"email": "inconnu@exemple.test", "password": "pas-le-bon"}
    )
    answers = (wrong_password, unknown)
    for response in answers:
        assert response.status_code == 422
        assert WRONG in response.text
        assert "Bonjour" not in client.get("/").text
    # Apart from the typed address, the two forms are identical, to the character.
    forms = [re.search(r'<form id="login-form".*?</form>', r.text, re.S).group(0) for r in answers]
    assert forms[0].replace(user.email, "X") == forms[1].replace("inconnu@exemple.test", "X")


def test_invalid_form_keeps_the_email_and_says_why(client):
    response = client.post("/connexion", data={"email": "pas-une-adresse", "password": ""})
    assert response.status_code == 422
    assert "Saisissez une adresse e-mail valide" in response.text
    assert "Ce champ est obligatoire." in response.text
    assert 'value="pas-une-adresse"' in response.text


def test_pending_account_is_told_to_wait(client, auth):
    user = make_user(status=UserStatus.PENDING)
    db.session.commit()
    response = auth.login(user)
    assert response.status_code == 422
    assert "attend la validation de votre centre" in response.text
    assert client.get("/personnes").status_code == 302


def test_pending_message_needs_the_right_password(client, auth):
    user = make_user(status=UserStatus.PENDING)
    db.session.commit()
    response = auth.login(user, "pas-le-bon-mot-de-passe")
    assert "attend la validation" not in response.text
    assert WRONG in response.text


@pytest.mark.parametrize("status", [UserStatus.DISABLED, UserStatus.ANONYMISED, UserStatus.GUEST])
def test_inactive_account_cannot_log_in(client, auth, status):
    user = make_user(status=status)
    db.session.commit()
    response = auth.login(user)
    assert response.status_code == 422
    assert WRONG in response.text
    assert client.get("/mon-compte").status_code == 302


def test_logged_in_person_visiting_login_goes_home(client, auth):
    make_user(email="a@exemple.test")
    db.session.commit()
    auth.login("a@exemple.test")
    response = client.get("/connexion")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_logout_needs_post_and_ends_the_session(client, auth):
    user = make_user()
    db.session.commit()
    auth.login(user)
    assert client.get("/deconnexion").status_code == 405
    assert client.get("/mon-compte").status_code == 200
    response = auth.logout()
    assert response.status_code == 303
    assert response.headers["Location"] == "/connexion"
    assert client.get("/mon-compte").status_code == 302


def test_logout_ends_the_other_sessions_and_copies_of_the_cookie(app, client, auth):
    user = make_user()
    db.session.commit()
    other = app.test_client()
    other.post("/connexion", data={"email": user.email, "password": PASSWORD})
    auth.login(user)
    copied = client.get_cookie("session").value
    auth.logout()
    assert other.get("/mon-compte").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/mon-compte").status_code == 302
    assert auth.login(user).status_code == 303  # logging in again works


def test_protected_page_redirects_to_login_with_next_and_comes_back(client, auth):
    user = make_user()
    db.session.commit()
    response = client.get("/mon-compte")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")
    login_page = client.get(response.headers["Location"])
    assert "Connectez-vous pour accéder à cette page." in login_page.text
    # The form posts back with the same ``next``.
    assert 'action="/connexion?next=/mon-compte"' in login_page.text
    answer = client.post(
        "/connexion?next=/mon-compte", data={"email": user.email, "password": PASSWORD}
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/mon-compte"


@pytest.mark.parametrize(
    "target",
    [
        "https://exemple.com/",
        "//exemple.com/",
        "///exemple.com/",
        "/\\exemple.com/",
        "\\\\exemple.com",
        "/\t/exemple.com",
        "javascript:alert(1)",
        "exemple.com",
        "http:/exemple.com",
    ],
)
def test_next_refuses_other_sites(client, target):
    user = make_user()
    db.session.commit()
    response = client.post(
        "/connexion",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_session_is_cleared_at_login(client, auth):
    user = make_user()
    db.session.commit()
    client.get("/connexion")
    with client.session_transaction() as session:
        session["planted"] = "par un attaquant"
    auth.login(user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user.id}:{user.session_version}"


def test_session_cookie_flags(client):
    user = make_user()
    db.session.commit()
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    (cookie,) = [c for c in _set_cookie_headers(response) if c.startswith("session=")]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert not any(c.startswith("remember_token=") for c in _set_cookie_headers(response))


def test_remember_me_sets_the_remember_cookie(client):
    user = make_user()
    db.session.commit()
    response = client.post(
        "/connexion", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 303
    (cookie,) = [c for c in _set_cookie_headers(response) if c.startswith("remember_token=")]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    # The remember cookie alone logs the person back in.
    client.delete_cookie("session")
    assert "Bonjour" in client.get("/").text


def test_remember_cookie_stops_working_after_deactivation(client):
    user = make_user()
    db.session.commit()
    client.post("/connexion", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    user.status = UserStatus.DISABLED
    db.session.commit()
    client.delete_cookie("session")
    assert client.get("/mon-compte").status_code == 302


def test_cookies_are_secure_when_configured(app_config, request):
    app_config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    app = request.getfixturevalue("app")
    user = make_user()
    db.session.commit()
    client = app.test_client()
    response = client.post(
        "https://localhost/connexion",
        data={"email": user.email, "password": PASSWORD, "remember": "y"},
    )
    assert response.status_code == 303
    cookies = _set_cookie_headers(response)
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in response.headers


# -- password reset --------------------------------------------------------------------------

RESET_SAID = "Si un compte existe avec cette adresse"


def test_reset_request_answers_the_same_for_unknown_and_known_addresses(client):
    user = make_user()
    db.session.commit()
    answers = []
    for email in (user.email, "inconnu@exemple.test"):
        response = client.post("/mot-de-passe-oublie", data={"email": email})
        assert response.status_code == 303
        answers.append((response.headers["Location"], client.get("/connexion").text))
    assert answers[0][0] == answers[1][0] == "/connexion"
    assert RESET_SAID in answers[0][1]
    assert RESET_SAID in answers[1][1]
    rows = outbox()
    assert [row.recipient for row in rows] == [user.email]
    assert "Réinitialiser votre mot de passe" in rows[0].subject


@pytest.mark.parametrize("status", [UserStatus.PENDING, UserStatus.DISABLED])
def test_reset_request_sends_nothing_to_inactive_accounts(client, status):
    user = make_user(status=status)
    db.session.commit()
    response = client.post("/mot-de-passe-oublie", data={"email": user.email})
    assert response.status_code == 303
    assert outbox() == []


def test_reset_request_with_bad_address_is_422(client):
    response = client.post("/mot-de-passe-oublie", data={"email": "nimporte"})
    assert response.status_code == 422
    assert "Saisissez une adresse e-mail valide" in response.text


def _request_reset(client, user) -> str:
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    return link_in(outbox(user.email)[-1])


def test_reset_link_sets_the_password_once(app, client, auth):
    user = make_user()
    db.session.commit()
    link = _request_reset(client, user)
    assert link.startswith("/reinitialiser/")
    assert client.get(link).status_code == 200
    short = client.post(link, data=new_password_form("court"))
    assert short.status_code == 422
    assert "au moins 10 caractères" in short.text
    response = client.post(link, data=new_password_form("un-tout-nouveau-secret"))
    assert response.status_code == 303
    assert "Votre mot de passe est changé" in client.get("/").text
    auth.logout()
    assert auth.login(user).status_code == 422  # the old password no longer works
    assert auth.login(user, "un-tout-nouveau-secret").status_code == 303
    auth.logout()
    again = client.get(link)
    assert again.status_code == 404
    assert "Ce lien ne fonctionne plus" in again.text
    assert "Demander un nouveau lien" in again.text
    second = client.post(link, data=new_password_form("encore-un-autre-secret"))
    assert second.status_code == 404
    assert auth.login(user, "encore-un-autre-secret").status_code == 422


def test_expired_reset_link_is_refused(client):
    user = make_user()
    db.session.commit()
    link = _request_reset(client, user)
    token = db.session.scalar(sa.select(AccountToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 404
    assert "Ce lien ne fonctionne plus" in response.text


def test_a_new_request_voids_the_older_link(client):
    user = make_user()
    db.session.commit()
    first = _request_reset(client, user)
    second = _request_reset(client, user)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_unknown_token_and_wrong_purpose_are_refused(client):
    user = make_user()
    db.session.commit()
    link = _request_reset(client, user)
    secret = link.rsplit("/", 1)[-1]
    assert client.get(f"/invitation/{secret}").status_code == 404
    assert client.get("/reinitialiser/nimporte-quoi").status_code == 404


def test_reset_link_of_a_since_disabled_account_is_refused(client, auth):
    user = make_user()
    db.session.commit()
    link = _request_reset(client, user)
    user.status = UserStatus.DISABLED
    db.session.commit()
    response = client.post(link, data=new_password_form("un-tout-nouveau-secret"))
    assert response.status_code == 404
    assert "Ce lien ne fonctionne plus" in response.text
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_reset_ends_other_sessions(app, client, auth):
    user = make_user()
    db.session.commit()
    other = app.test_client()
    other.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert other.get("/mon-compte").status_code == 200
    link = _request_reset(client, user)
    client.post(link, data=new_password_form("un-tout-nouveau-secret"))
    assert other.get("/mon-compte").status_code == 302
    assert client.get("/mon-compte").status_code == 200


def test_token_purpose_is_stored_hashed(client):
    user = make_user()
    db.session.commit()
    link = _request_reset(client, user)
    token = db.session.scalar(sa.select(AccountToken))
    assert token.purpose == TokenPurpose.PASSWORD_RESET
    assert link.rsplit("/", 1)[-1] not in token.token_hash


def test_centre_of_user_is_irrelevant_to_login(client, auth):
    user = make_user(centre=make_centre())
    db.session.commit()
    assert auth.login(user).status_code == 303


def test_links_in_emails_use_base_url_not_the_host_header(app_config, request):
    app_config.update(SERVER_NAME=None, BASE_URL="https://reseau.exemple.org/")
    client = request.getfixturevalue("client")
    user = make_user()
    db.session.commit()
    response = client.post(
        "/mot-de-passe-oublie", data={"email": user.email}, headers={"Host": "pirate.example"}
    )
    assert response.status_code == 303
    (mail,) = outbox(user.email)
    assert "https://reseau.exemple.org/reinitialiser/" in mail.body_text
    assert "pirate.example" not in mail.body_text


def test_user_loader_reads_the_roles_with_the_person(app):
    """The loader's one statement gives the person's roles (a string column, no UserRole
    entity); ``set_roles`` drops what was read, so the roles set then are the ones seen."""
    from reseau.accounts.login import _person
    from reseau.accounts.models import Role

    person = make_user(roles=[Role.TRAINER, Role.REFERENT], centre=make_centre())
    plain = make_user()
    db.session.commit()
    person_id, plain_id = person.id, plain.id
    db.session.expunge_all()
    loaded = _person(person_id)
    assert "role_rows" not in loaded.__dict__
    assert loaded.roles == {Role.PARTICIPANT, Role.TRAINER, Role.REFERENT}
    assert loaded.is_trainer and loaded.is_referent and not loaded.is_coordinator
    loaded.set_roles([Role.COORDINATOR])
    assert loaded.roles == {Role.PARTICIPANT, Role.COORDINATOR} and loaded.is_coordinator
    db.session.commit()
    db.session.expunge_all()
    assert _person(person_id).roles == {Role.PARTICIPANT, Role.COORDINATOR}
    assert _person(plain_id).roles == {Role.PARTICIPANT}
