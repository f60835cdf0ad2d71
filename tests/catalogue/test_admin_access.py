"""Every catalogue administration route: anonymous, each role, the coordinator."""

from __future__ import annotations

import pytest

from reseau.core.extensions import db
from tests.factories import (
    make_centre,
    make_coordinator,
    make_cycle,
    make_module,
    make_referent,
    make_session,
    make_theme,
    make_trainer,
    make_user,
)

ROUTES = [
    ("GET", "/admin/thematiques"),
    ("GET", "/admin/thematiques/nouvelle"),
    ("POST", "/admin/thematiques/nouvelle"),
    ("GET", "/admin/thematiques/{theme}"),
    ("GET", "/admin/thematiques/{theme}/modifier"),
    ("POST", "/admin/thematiques/{theme}/modifier"),
    ("GET", "/admin/cycles"),
    ("GET", "/admin/cycles/nouveau"),
    ("POST", "/admin/cycles/nouveau"),
    ("GET", "/admin/cycles/{cycle}"),
    ("GET", "/admin/cycles/{cycle}/modifier"),
    ("POST", "/admin/cycles/{cycle}/modifier"),
    ("POST", "/admin/cycles/{cycle}/modules"),
    ("GET", "/admin/modules/{module}/modifier"),
    ("POST", "/admin/modules/{module}/modifier"),
    ("POST", "/admin/modules/{module}/deplacer"),
    ("GET", "/admin/sessions"),
    ("GET", "/admin/sessions/nouvelle"),
    ("POST", "/admin/sessions/nouvelle"),
    ("GET", "/admin/sessions/{session}"),
    ("GET", "/admin/sessions/{session}/modifier"),
    ("POST", "/admin/sessions/{session}/modifier"),
    ("POST", "/admin/sessions/{session}/publier"),
    ("GET", "/admin/sessions/{session}/annuler"),
    ("POST", "/admin/sessions/{session}/annuler"),
    ("POST", "/admin/sessions/{session}/seances"),
    ("GET", "/admin/seances/{seance}/modifier"),
    ("POST", "/admin/seances/{seance}/modifier"),
    ("POST", "/admin/seances/{seance}/annuler"),
    ("POST", "/admin/seances/{seance}/retablir"),
    ("POST", "/admin/seances/{seance}/supprimer"),
]


@pytest.fixture
def ids():
    theme = make_theme()
    cycle = make_cycle(theme=theme)
    module = make_module(cycle=cycle)
    session = make_session(module=module, theme=theme, seances=2)
    db.session.commit()
    return {
        "theme": theme.id,
        "cycle": cycle.id,
        "module": module.id,
        "session": session.id,
        "seance": session.seances[0].id,
    }


def test_every_admin_route_is_listed(app):
    listed = {path.split("{")[0] for _method, path in ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("catalogue.") and rule.rule.startswith("/admin"):
            assert rule.rule.split("<")[0] in listed, rule.rule


def test_anonymous_is_sent_to_login(client, ids):
    for method, path in ROUTES:
        response = client.open(path.format(**ids), method=method)
        assert response.status_code in (302, 303), (method, path)
        assert "/connexion" in response.headers["Location"], (method, path)


@pytest.mark.parametrize("role", ["participant", "trainer", "referent"])
def test_other_roles_are_refused(client, auth, ids, role):
    centre = make_centre()
    person = {
        "participant": lambda: make_user(centre=centre),
        "trainer": make_trainer,
        "referent": lambda: make_referent(centre),
    }[role]()
    db.session.commit()
    auth.login(person)
    for method, path in ROUTES:
        response = client.open(path.format(**ids), method=method)
        assert response.status_code == 403, (method, path)
        assert "Accès refusé" in response.text or "pas accès" in response.text.lower()


def test_coordinator_reaches_every_page(client, auth, ids):
    auth.login(make_coordinator())
    db.session.commit()
    for method, path in ROUTES:
        if method == "GET":
            response = client.get(path.format(**ids))
            assert response.status_code == 200, (path, response.text[:500])


def test_unknown_objects_answer_404(client, auth, ids):
    auth.login(make_coordinator())
    db.session.commit()
    missing = dict.fromkeys(ids, 999999)
    for method, path in ROUTES:
        if "{" in path:
            response = client.open(path.format(**missing), method=method)
            assert response.status_code == 404, (method, path)
