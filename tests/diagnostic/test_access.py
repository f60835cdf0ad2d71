"""Who may open what: every route × anonymous, participant, trainer, referents, coordinator."""

from __future__ import annotations

import pytest

from reseau.core.extensions import db
from reseau.diagnostic.models import DiagnosticQuestion
from tests.diagnostic.fixtures import build_world
from tests.factories import make_coordinator, make_referent, make_trainer

ROLES = ["anonymous", "participant", "trainer", "referent", "other_referent", "coordinator"]
OK, SEE_OTHER, FORBIDDEN, NOT_FOUND, LOGIN = 200, 303, 403, 404, 302
MANAGERS = {"participant": FORBIDDEN, "trainer": FORBIDDEN}


def _routes(w, extra_question_id):
    c, s1, p5 = w.campaign.id, w.s1.id, w.people["p5"].id
    p1 = w.people["p1"].id
    coordinator_only = {
        "participant": FORBIDDEN,
        "trainer": FORBIDDEN,
        "referent": FORBIDDEN,
        "other_referent": FORBIDDEN,
    }
    return [
        ("GET", "/diagnostic", {}),
        ("GET", f"/diagnostic/{c}", {}),
        ("POST", f"/diagnostic/{c}", {"_ok": SEE_OTHER}),
        # Without htmx, an autosave request goes back to the questionnaire.
        ("POST", f"/diagnostic/{c}/competences/{s1}", {"_ok": SEE_OTHER}),
        ("POST", f"/diagnostic/{c}/questions/{w.question.id}", {"_ok": SEE_OTHER}),
        ("POST", f"/diagnostic/{c}/autres-besoins", {"_ok": SEE_OTHER}),
        ("GET", f"/diagnostic/{c}/suivi", MANAGERS),
        # p5 is in centre C: the other referent's centre is A below.
        (
            "POST",
            f"/diagnostic/{c}/suivi/{p5}/relance",
            {**MANAGERS, "_ok": SEE_OTHER, "other_referent": NOT_FOUND},
        ),
        (
            "POST",
            f"/diagnostic/{c}/suivi/{p1}/relance",
            {**MANAGERS, "_ok": SEE_OTHER, "referent": NOT_FOUND},
        ),
        (
            "POST",
            f"/diagnostic/{c}/suivi/relance",
            {**MANAGERS, "_ok": SEE_OTHER, "coordinator": NOT_FOUND},
        ),
        ("GET", f"/diagnostic/resultats?campagne={c}", MANAGERS),
        ("GET", f"/diagnostic/resultats.csv?campagne={c}", MANAGERS),
        ("GET", f"/admin/diagnostic/{c}/reponses.csv", coordinator_only),
        ("GET", "/admin/diagnostic", MANAGERS),
        ("GET", "/admin/diagnostic/nouvelle", coordinator_only),
        ("GET", f"/admin/diagnostic/{c}", coordinator_only),
        ("GET", f"/admin/diagnostic/{c}/competences/nouvelle", coordinator_only),
        ("GET", f"/admin/diagnostic/{c}/competences/{s1}", coordinator_only),
        (
            "POST",
            f"/admin/diagnostic/{c}/competences/{s1}/supprimer",
            {**coordinator_only, "_ok": SEE_OTHER},
        ),
        ("POST", f"/admin/diagnostic/{c}/questions", {**coordinator_only, "_ok": SEE_OTHER}),
        (
            "POST",
            f"/admin/diagnostic/{c}/questions/{extra_question_id}/supprimer",
            {**coordinator_only, "_ok": SEE_OTHER},
        ),
        ("POST", f"/admin/diagnostic/{c}/invitations", {**coordinator_only, "_ok": SEE_OTHER}),
        (
            "POST",
            f"/admin/diagnostic/{c}/themes/{w.t1.id}/session",
            {**coordinator_only, "_ok": SEE_OTHER},
        ),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_route_access_matrix(app, client, auth, role):
    w = build_world()
    extra = DiagnosticQuestion(campaign_id=w.campaign.id, prompt="À retirer", position=9)
    db.session.add(extra)
    users = {
        "participant": w.people["p1"],
        "trainer": make_trainer(),
        "referent": make_referent(w.c),
        "other_referent": make_referent(w.a),
        "coordinator": make_coordinator(),
    }
    db.session.commit()
    if role != "anonymous":
        auth.login(users[role])
    failures = []
    for method, url, expected in _routes(w, extra.id):
        wanted = LOGIN if role == "anonymous" else expected.get(role, expected.get("_ok", OK))
        response = client.open(
            url, method=method, data={"prompt": "Q ?"} if method == "POST" else None
        )
        response.get_data()
        response.close()  # a streamed download ends its request context only when closed
        if response.status_code != wanted:
            failures.append((method, url, response.status_code, wanted))
    assert failures == []


def test_a_participant_only_ever_sees_their_own_answers(app, client, auth):
    w = build_world()
    db.session.commit()
    auth.login(w.people["p6"])  # answered "non" everywhere
    html = client.get(f"/diagnostic/{w.campaign.id}").text
    assert 'value="priority" checked' not in html and 'value="yes" checked' not in html
    assert "Du jargon en moins" not in html  # p1's free text


def test_a_referent_never_sees_another_centres_answers(app, client, auth):
    w = build_world()
    referent = make_referent(w.c)
    db.session.commit()
    auth.login(referent)
    # Even asking for another département, the results are centre C's only.
    html = client.get(f"/diagnostic/resultats?campagne={w.campaign.id}&departement={w.d36.id}").text
    assert "Du jargon en moins" not in html and "La distance" not in html
    assert "Centre A" not in html and "Centre B" not in html
    assert "Créer une session" not in html
    assert "score 1 (1 personne, dont 0 en priorité)" in html  # p4 only
