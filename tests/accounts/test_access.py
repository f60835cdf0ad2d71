"""Who may reach what: every route of the main and accounts blueprints, for every role.

A new route of these blueprints makes ``test_every_route_has_expectations`` fail until it is
added to ``EXPECTED`` below.
"""

from __future__ import annotations

import pytest

from reseau.accounts.models import UserStatus
from reseau.core.extensions import db
from tests.factories import (
    make_centre,
    make_coordinator,
    make_department,
    make_referent,
    make_trainer,
    make_user,
)

ROLES = ("anonymous", "participant", "trainer", "referent", "other_referent", "coordinator")
BLUEPRINTS = ("main.", "accounts.")

LOGIN = 302  # a redirect to the login page
# Roles in the order of ROLES.
PUBLIC_OK = (200,) * 6
ANONYMOUS_ONLY = (200, 303, 303, 303, 303, 303)  # logged-in people are sent home
LOGGED_IN = (LOGIN, 200, 200, 200, 200, 200)
MANAGERS = (LOGIN, 403, 403, 200, 200, 200)
OWN_CENTRE = (LOGIN, 403, 403, 200, 404, 200)  # an object of the referent's centre
COORDINATOR = (LOGIN, 403, 403, 403, 403, 200)
GONE = (404,) * 6  # unknown token
COORDINATOR_POST = (LOGIN, 403, 403, 403, 403, 422)
COORDINATOR_ACTION = (LOGIN, 403, 403, 403, 403, 303)  # a button: no form to fill

# (method, rule) -> (URL with placeholders, expected status per role). POSTs send an empty
# form: allowed roles get the form back with errors (422) instead of changing anything, except
# where the route has no form. Order matters for the few POSTs that do change something.
EXPECTED: dict[tuple[str, str], tuple[str, tuple[int, ...]]] = {
    ("GET", "/"): ("/", PUBLIC_OK),
    ("GET", "/connexion"): ("/connexion", ANONYMOUS_ONLY),
    ("GET", "/inscription"): ("/inscription", ANONYMOUS_ONLY),
    ("GET", "/mot-de-passe-oublie"): ("/mot-de-passe-oublie", PUBLIC_OK),
    ("GET", "/invitation/<token>"): ("/invitation/jeton-inconnu", GONE),
    ("GET", "/reinitialiser/<token>"): ("/reinitialiser/jeton-inconnu", GONE),
    ("GET", "/inscription/<token>"): ("/inscription/jeton-inconnu", GONE),
    ("GET", "/mon-compte"): ("/mon-compte", LOGGED_IN),
    ("GET", "/personnes"): ("/personnes", MANAGERS),
    ("GET", "/personnes/nouvelle"): ("/personnes/nouvelle", MANAGERS),
    ("GET", "/personnes/en-attente"): ("/personnes/en-attente", MANAGERS),
    ("GET", "/personnes/<int:person_id>"): ("/personnes/{person}", OWN_CENTRE),
    ("GET", "/personnes/<int:person_id>/modifier"): ("/personnes/{person}/modifier", OWN_CENTRE),
    ("GET", "/personnes/<int:person_id>/statut"): ("/personnes/{victim}/statut", OWN_CENTRE),
    ("GET", "/admin/departements"): ("/admin/departements", COORDINATOR),
    ("GET", "/admin/departements/nouveau"): ("/admin/departements/nouveau", COORDINATOR),
    ("GET", "/admin/departements/<int:department_id>"): (
        "/admin/departements/{department}",
        COORDINATOR,
    ),
    ("GET", "/admin/centres"): ("/admin/centres", COORDINATOR),
    ("GET", "/admin/centres/nouveau"): ("/admin/centres/nouveau", COORDINATOR),
    ("GET", "/admin/centres/<int:centre_id>"): ("/admin/centres/{centre}", COORDINATOR),
    ("GET", "/admin/centres/<int:centre_id>/modifier"): (
        "/admin/centres/{centre}/modifier",
        COORDINATOR,
    ),
    ("POST", "/connexion"): ("/connexion", (422, 303, 303, 303, 303, 303)),
    ("POST", "/inscription"): ("/inscription", (422, 303, 303, 303, 303, 303)),
    ("POST", "/mot-de-passe-oublie"): ("/mot-de-passe-oublie", (422,) * 6),
    ("POST", "/invitation/<token>"): ("/invitation/jeton-inconnu", GONE),
    ("POST", "/reinitialiser/<token>"): ("/reinitialiser/jeton-inconnu", GONE),
    ("POST", "/inscription/<token>"): ("/inscription/jeton-inconnu", GONE),
    ("POST", "/mon-compte"): ("/mon-compte", (LOGIN, 422, 422, 422, 422, 422)),
    ("POST", "/personnes/nouvelle"): ("/personnes/nouvelle", (LOGIN, 403, 403, 422, 422, 422)),
    ("POST", "/personnes/<int:person_id>/modifier"): (
        "/personnes/{person}/modifier",
        (LOGIN, 403, 403, 422, 404, 422),
    ),
    ("POST", "/personnes/<int:person_id>/invitation"): (
        "/personnes/{invited}/invitation",
        (LOGIN, 403, 403, 303, 404, 303),
    ),
    ("POST", "/personnes/<int:person_id>/statut"): (
        "/personnes/{victim}/statut",
        (LOGIN, 403, 403, 303, 404, 303),
    ),
    ("POST", "/personnes/<int:person_id>/validation"): (
        "/personnes/{pending}/validation",
        (LOGIN, 403, 403, 303, 404, 303),
    ),
    ("POST", "/admin/departements/nouveau"): ("/admin/departements/nouveau", COORDINATOR_POST),
    ("POST", "/admin/departements/<int:department_id>"): (
        "/admin/departements/{department}",
        COORDINATOR_POST,
    ),
    ("POST", "/admin/centres/nouveau"): ("/admin/centres/nouveau", COORDINATOR_POST),
    ("POST", "/admin/centres/<int:centre_id>/modifier"): (
        "/admin/centres/{centre}/modifier",
        COORDINATOR_POST,
    ),
    # Health: no login for anyone (see _schema_at_head below).
    ("GET", "/sante"): ("/sante", PUBLIC_OK),
    ("GET", "/admin/envois"): ("/admin/envois", COORDINATOR),
    ("POST", "/admin/envois/reessayer"): ("/admin/envois/reessayer", COORDINATOR_ACTION),
    ("POST", "/admin/envois/<int:mail_id>/reessayer"): (
        "/admin/envois/999999/reessayer",
        COORDINATOR_ACTION,
    ),
    ("POST", "/admin/envois/<int:mail_id>/abandonner"): (
        "/admin/envois/999999/abandonner",
        COORDINATOR_ACTION,
    ),
    ("POST", "/deconnexion"): ("/deconnexion", (LOGIN, 303, 303, 303, 303, 303)),
    ("POST", "/session/prolonger"): ("/session/prolonger", (LOGIN, 303, 303, 303, 303, 303)),
}


@pytest.fixture(autouse=True)
def _schema_at_head(app):
    # /sante answers 503 while the schema is not at the code's revision; create_all records none.
    from tests.main.helpers import schema_at_head

    with schema_at_head(app):
        yield


def _registered_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(BLUEPRINTS):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method, rule.rule))
    return routes


def test_every_route_has_expectations(app):
    registered = _registered_routes(app)
    missing = registered - EXPECTED.keys()
    assert not missing, f"routes without access expectations: {sorted(missing)}"
    stale = EXPECTED.keys() - registered
    assert not stale, f"expectations for routes that no longer exist: {sorted(stale)}"


def _world() -> dict:
    department = make_department()
    centre = make_centre(department=department)
    other_centre = make_centre(department=department)
    people = {
        "participant": make_user(centre=centre),
        "trainer": make_trainer(centre=centre),
        "referent": make_referent(centre),
        "other_referent": make_referent(other_centre),
        "coordinator": make_coordinator(),
    }
    ids = {
        "person": make_user(centre=centre).id,
        "victim": make_user(centre=centre).id,
        "invited": make_user(centre=centre, status=UserStatus.INVITED, password=False).id,
        "pending": make_user(centre=centre, status=UserStatus.PENDING).id,
        "centre": centre.id,
        "department": department.id,
    }
    db.session.commit()
    return {"people": people, "ids": ids}


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, auth, role):
    world = _world()
    if role != "anonymous":
        assert auth.login(world["people"][role]).status_code == 303
    position = ROLES.index(role)
    failures = []
    for (method, _rule), (template, expected) in EXPECTED.items():
        url = template.format(**world["ids"])
        response = client.open(url, method=method, data={} if method == "POST" else None)
        want = expected[position]
        if response.status_code != want:
            failures.append(f"{method} {url}: {response.status_code}, expected {want}")
            continue
        if want == LOGIN:
            location = response.headers["Location"]
            if not location.startswith("/connexion?next="):
                failures.append(f"{method} {url}: redirects to {location}, not to /connexion")
        elif want == 403:
            assert "Accès refusé" in response.text
        elif want == 404:
            assert "introuvable" in response.text or "ne fonctionne plus" in response.text
    assert not failures, "\n".join(failures)


def test_htmx_requests_get_the_same_answers(client, auth, htmx_headers):
    world = _world()
    auth.login(world["people"]["participant"])
    forbidden = client.get("/personnes", headers=htmx_headers)
    assert forbidden.status_code == 403
    assert forbidden.headers["HX-Retarget"] == "#messages"
    assert "<html" not in forbidden.text
    auth.logout()
    auth.login(world["people"]["other_referent"])
    hidden = client.get(f"/personnes/{world['ids']['person']}", headers=htmx_headers)
    assert hidden.status_code == 404
    assert "Page introuvable" in hidden.text


GARBAGE = {
    "email": "x" * 300 + "@exemple.test",
    "password": "\x00",
    "password_confirm": "é" * 5000,
    "first_name": "A\r\nB",
    "last_name": "'; DROP TABLE user; --",
    "phone": "0" * 100,
    "category": "astronaute",
    "centre_id": ["abc", "99999999999999999999"],
    "roles": ["bogus", "coordinator"],
    "code": "\u202e36",
    "name": "N" * 500,
    "town": "",
    "postcode": "ABCDE",
    "department_id": "-1",
    "member_since": "2024-02-30",
    "is_member": "peut-être",
    "decision": "???",
    "action": "activer",
    "remember": "oui",
    "directory_consent": "x",
    "submit": "1",
}


@pytest.mark.parametrize("role", ["anonymous", "referent", "coordinator"])
def test_garbage_input_never_ends_in_a_500(client, auth, role):
    world = _world()
    if role != "anonymous":
        auth.login(world["people"][role])
    for (method, _rule), (template, _expected) in EXPECTED.items():
        if template == "/deconnexion":
            continue
        url = template.format(**world["ids"])
        response = client.open(url, method=method, data=GARBAGE if method == "POST" else None)
        assert response.status_code < 500, (method, url, response.status_code)
        query = client.get(
            url, query_string={"page": "999999999999", "q": "%_\\", "centre": "x", "role": "?"}
        )
        assert query.status_code < 500, (url, query.status_code)
