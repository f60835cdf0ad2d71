"""French error pages, full and as htmx fragments; CSRF; security headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import abort

from reseau.accounts.models import Department
from reseau.core.extensions import db
from tests.factories import (
    PASSWORD,
    make_centre,
    make_coordinator,
    make_department,
    make_user,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "reseau" / "templates"


@pytest.fixture
def app_config(app_config):
    # Let the 500 handler answer instead of re-raising into the test.
    app_config["PROPAGATE_EXCEPTIONS"] = False
    return app_config


@pytest.fixture
def failing_app(app):
    """The app with test-only routes that fail after writing to the database."""

    def write_then_crash():
        db.session.add(Department(code="99", name="Jamais enregistré"))
        db.session.flush()
        raise RuntimeError("panne simulée")

    def duplicate_key():
        db.session.add(Department(code="36", name="Doublon"))
        db.session.flush()  # IntegrityError: the session must be rolled back to render
        return "jamais"

    def forbidden():
        abort(403)

    app.add_url_rule("/test/panne", "test_crash", write_then_crash, methods=["GET", "POST"])
    app.add_url_rule("/test/doublon", "test_duplicate", duplicate_key, methods=["POST"])
    app.add_url_rule("/test/interdit", "test_forbidden", forbidden)
    return app


def _departments() -> list[str]:
    return list(db.session.scalars(sa.select(Department.name).order_by(Department.id)))


def test_404_page_is_french(client):
    response = client.get("/cette-page-nexiste-pas")
    assert response.status_code == 404
    assert '<html lang="fr">' in response.text
    assert "Page introuvable" in response.text
    assert "Revenir à l'accueil" in response.text


def test_403_page_is_french(client, auth):
    user = make_user()
    db.session.commit()
    auth.login(user)
    response = client.get("/admin/centres")
    assert response.status_code == 403
    assert "Accès refusé" in response.text
    assert "Vous n'avez pas accès à cette page" in response.text.replace("&#39;", "'")


def test_405_page_is_french(client):
    response = client.get("/deconnexion")
    assert response.status_code == 405
    assert "Action impossible" in response.text


def test_500_page_is_french_and_rolls_back(failing_app, client):
    make_department(code="36", name="Indre")
    db.session.commit()
    response = client.post("/test/panne")
    assert response.status_code == 500
    assert '<html lang="fr">' in response.text
    assert "Erreur du serveur" in response.text
    assert "panne simulée" not in response.text
    assert _departments() == ["Indre"]
    # The session is usable again: the next request works.
    assert client.get("/").status_code == 200


def test_500_after_a_database_error_still_renders_for_a_logged_in_person(failing_app, client):
    make_department(code="36", name="Indre")
    user = make_coordinator(first_name="Claire")
    db.session.commit()
    client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    response = client.post("/test/doublon")
    assert response.status_code == 500
    assert "Erreur du serveur" in response.text
    assert _departments() == ["Indre"]
    assert "Bonjour Claire" in client.get("/").text


def test_htmx_errors_are_fragments_retargeted_to_messages(failing_app, client, htmx_headers):
    for url, method, code, title in [
        ("/nulle-part", "GET", 404, "Page introuvable"),
        ("/test/interdit", "GET", 403, "Accès refusé"),
        ("/test/panne", "POST", 500, "Erreur du serveur"),
    ]:
        response = client.open(url, method=method, headers=htmx_headers)
        assert response.status_code == code
        assert response.headers["HX-Retarget"] == "#messages"
        assert response.headers["HX-Reswap"] == "innerHTML"
        assert "<html" not in response.text
        assert 'role="alert"' in response.text
        assert title in response.text
    assert _departments() == []


def test_error_page_falls_back_when_rendering_fails(failing_app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("base de données injoignable")

    monkeypatch.setattr("reseau.core.errors.render_template", broken)
    response = client.get("/test/panne")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert '<html lang="fr">' in response.text
    assert "Erreur du serveur" in response.text


def test_anonymous_htmx_fragment_request_sends_the_window_to_login(client, htmx_headers):
    response = client.get(
        "/personnes?q=mar",
        headers={**htmx_headers, "HX-Current-URL": "http://localhost/personnes?statut=active"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/connexion?next=%2Fpersonnes%3Fstatut%3Dactive"
    assert "Connexion nécessaire" in response.text
    boosted = client.get("/personnes", headers={**htmx_headers, "HX-Boosted": "true"})
    assert boosted.status_code == 302
    assert boosted.headers["Location"].startswith("/connexion?next=")


def test_nul_bytes_in_input_are_refused_not_500(client, auth):
    centre = make_centre()
    coordinator = make_coordinator()
    db.session.commit()
    response = client.post(
        "/inscription",
        data={
            "first_name": "Léa\x00",
            "last_name": "Martin",
            "email": "lea@exemple.test",
            "category": "benevole",
            "centre_id": str(centre.id),
            "password": "un-mot-de-passe-long",
            "password_confirm": "un-mot-de-passe-long",
        },
    )
    assert response.status_code == 400
    assert "Requête incorrecte" in response.text
    auth.login(coordinator)
    search = client.get("/personnes", query_string={"q": "a\x00b"})
    assert search.status_code == 400


# -- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def csrf_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _meta_token(page: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert match, "the base layout must expose the CSRF token"
    return match.group(1)


def test_post_without_csrf_token_is_refused_in_french(csrf_config, client, htmx_headers):
    user = make_user()
    db.session.commit()
    client.get("/connexion")
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert '<html lang="fr">' in response.text
    assert "Le formulaire a expiré ou n&#39;est pas valide" in response.text
    fragment = client.post(
        "/connexion", data={"email": user.email, "password": PASSWORD}, headers=htmx_headers
    )
    assert fragment.status_code == 400
    assert fragment.headers["HX-Retarget"] == "#messages"
    assert "<html" not in fragment.text
    assert "Bonjour" not in client.get("/").text


def test_csrf_token_in_the_form_is_accepted(csrf_config, client):
    user = make_user()
    db.session.commit()
    page = client.get("/connexion").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page
    )
    assert token, page
    response = client.post(
        "/connexion",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 303


def test_csrf_header_from_the_layout_is_accepted(csrf_config, client, htmx_headers):
    user = make_user(first_name="Inès")
    db.session.commit()
    token = _meta_token(client.get("/connexion").text)
    response = client.post(
        "/connexion",
        data={"email": user.email, "password": PASSWORD},
        headers={**htmx_headers, "X-CSRFToken": token},
    )
    assert response.status_code == 303
    page = client.get("/")
    assert "Bonjour Inès" in page.text
    # A logged-in htmx POST (logout) with the fresh token from the page's meta tag.
    logout = client.post(
        "/deconnexion", headers={**htmx_headers, "X-CSRFToken": _meta_token(page.text)}
    )
    assert logout.status_code == 303
    refused = client.post("/deconnexion", headers={**htmx_headers, "X-CSRFToken": "faux"})
    assert refused.status_code in (302, 400)


def test_wrong_csrf_token_is_refused(csrf_config, client):
    client.get("/connexion")
    response = client.post(
        "/mot-de-passe-oublie", data={"email": "a@exemple.test"}, headers={"X-CSRFToken": "x"}
    )
    assert response.status_code == 400


# -- security headers and templates ----------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/connexion", "/nulle-part", "/static/reseau.css"])
def test_security_headers(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers
    assert "HX-Request" in response.headers.get("Vary", "")
    response.close()


def test_html_pages_are_not_cached(client):
    assert client.get("/connexion").headers["Cache-Control"] == "no-store"


def test_layout_exposes_csrf_meta_and_loads_scripts_from_files(client):
    page = client.get("/connexion").text
    assert '<meta name="csrf-token" content="' in page
    for script in re.findall(r"<script[^>]*>", page):
        assert "src=" in script


@pytest.mark.parametrize(
    "template",
    sorted(
        str(path.relative_to(TEMPLATES))
        for folder in ("accounts", "errors", "main", "macros")
        for path in (TEMPLATES / folder).glob("*.html")
    )
    + ["base.html", "_nav.html", "_flashes.html"],
)
def test_templates_respect_the_csp(template):
    text = (TEMPLATES / template).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline script"
    assert not re.search(r"\sstyle=", text), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", text), "inline event handler"
