"""Issue 23, « Words »: plain French, one message at a time, lists whose items differ."""

from __future__ import annotations

import html
import re
from datetime import date

import sqlalchemy as sa

from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.core.audit import AuditLog
from reseau.core.extensions import db
from tests.accounts.helpers import password_change_form
from tests.diagnostic.fixtures import build_world, make_campaign
from tests.factories import (
    make_centre,
    make_coordinator,
    make_cycle,
    make_module,
    make_referent,
    make_session,
    make_theme,
    make_user,
)


def _errors(text: str, field_id: str) -> list[str]:
    return re.findall(rf'<small class="field-error" id="{field_id}-error">([^<]*)</small>', text)


def test_questionnaire_in_plain_french_says_where_one_is(client, auth):
    w = build_world()
    db.session.commit()
    auth.login(w.people["p1"])
    page = client.get(f"/diagnostic/{w.campaign.id}").text
    assert "JavaScript" not in page
    assert "<noscript>" in page and "Enregistrer et continuer plus tard" in page
    assert "Thème 1 sur 2" in page and "Thème 2 sur 2" in page
    assert page.index("Thème 1 sur 2") < page.index(w.t1.name) < page.index("Thème 2 sur 2")


def test_invitation_form_labels_the_invitees_category(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    db.session.commit()
    auth.login(referent)
    page = html.unescape(client.get("/personnes/nouvelle").text)
    assert "Catégorie de la personne" in page
    assert "Vous êtes" not in page
    auth.logout()
    # Asking for one's own account still says « Vous êtes ».
    assert "Vous êtes" in html.unescape(client.get("/inscription").text)


def test_a_password_error_is_shown_once(client, auth):
    person = make_user(first_name="Alice", last_name="Durand")
    db.session.commit()
    auth.login(person)

    def change(password, confirm):
        response = client.post("/mon-compte", data=password_change_form(password, confirm))
        assert response.status_code == 422
        text = html.unescape(response.text)
        return _errors(text, "pw-password"), _errors(text, "pw-password_confirm")

    # Too short and common: only the first reason; the confirmation is not blamed too.
    assert change("azerty", "azertyx") == (
        ["Le mot de passe doit compter au moins 10 caractères."],
        [],
    )
    assert change("motdepasse", "motdepasse") == (
        ["Ce mot de passe est trop courant : choisissez-en un autre."],
        [],
    )
    # A good password typed twice differently: the confirmation says so, once.
    assert change("une phrase bien longue", "une autre phrase") == (
        [],
        ["Les deux mots de passe ne sont pas identiques."],
    )


def test_session_from_a_need_keeps_its_origin_internal(client, auth):
    w = build_world()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    response = client.post(f"/admin/diagnostic/{w.campaign.id}/themes/{w.t2.id}/session")
    assert response.status_code == 303
    session = db.session.scalar(sa.select(TrainingSession))
    assert session.description == ""
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "diagnostic.session.create")
    )
    assert f"à partir du diagnostic « {w.campaign.title} »" in entry.summary
    page = html.unescape(client.get(response.headers["Location"]).text)
    assert f"à partir du diagnostic « {w.campaign.title} »" in page  # told to the coordinator
    session.status = SessionStatus.PUBLISHED
    db.session.commit()
    public = html.unescape(client.get(f"/catalogue/sessions/{session.id}").text)
    assert "créée à partir du diagnostic" not in public


def test_lists_tell_their_items_apart(client, auth):
    themes = [make_theme(name=f"Thème {n}", slug=f"theme-{n}") for n in range(3)]
    cycles = [
        make_cycle(theme=t, title="Cycle de formation", year=date.today().year) for t in themes
    ]
    old = make_cycle(theme=themes[0], title="Cycle de formation", year=2012)
    make_module(cycle=cycles[0], title="Accueillir")
    make_module(cycle=old, title="Accueillir")
    make_campaign(title="Diagnostic", opens_on=date(2012, 1, 9), closes_on=date(2012, 2, 10))
    make_campaign(title="Diagnostic", opens_on=date(2026, 3, 2), closes_on=date(2026, 4, 30))
    make_session()
    coordinator = make_coordinator()
    db.session.commit()
    # The public catalogue's cycle filter: each cycle with its theme.
    page = html.unescape(client.get("/catalogue").text)
    options = re.findall(r"<option[^>]*>(Cycle de formation[^<]*)</option>", page)
    assert len(options) == 3 and len(set(options)) == 3
    assert all(t.name in " ".join(options) for t in themes)
    # The session form's modules: the year in each label.
    auth.login(coordinator)
    form = html.unescape(client.get("/admin/sessions/nouvelle").text)
    modules = re.findall(r"<option[^>]*>(Accueillir[^<]*)</option>", form)
    assert sorted(modules) == ["Accueillir (2012)", f"Accueillir ({date.today().year})"]
    # The diagnostic's campaigns: with their dates.
    new = html.unescape(client.get("/admin/diagnostic/nouvelle").text)
    campaigns = re.findall(r"<option[^>]*>(Diagnostic \([^<]*)</option>", new)
    assert "Diagnostic (09/01/2012 – 10/02/2012)" in campaigns
    assert "Diagnostic (02/03/2026 – 30/04/2026)" in campaigns
