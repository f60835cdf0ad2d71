"""Campaign administration, invitations and reminders."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from reseau.accounts.models import Category, UserStatus
from reseau.core.extensions import db
from reseau.diagnostic.models import DiagnosticCampaign, DiagnosticResponse, DiagnosticSkill
from reseau.outbox.models import OutboxMail
from tests.diagnostic.fixtures import build_world
from tests.factories import make_centre, make_coordinator, make_referent, make_theme, make_user


def _dates(days_from=0, days_to=30):
    today = date.today()
    return {
        "opens_on": (today + timedelta(days=days_from)).isoformat(),
        "closes_on": (today + timedelta(days=days_to)).isoformat(),
    }


def test_create_a_campaign_as_a_copy_of_the_previous_one(app, client, auth):
    w = build_world()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    form = client.get("/admin/diagnostic/nouvelle")
    assert form.status_code == 200
    assert f'<option selected value="{w.campaign.id}">' in form.text or (
        f'value="{w.campaign.id}" selected' in form.text
    )
    response = client.post(
        "/admin/diagnostic/nouvelle",
        data={
            "title": "Diagnostic 2027",
            "audience": "benevoles",
            "copy_from": str(w.campaign.id),
            **_dates(1, 40),
        },
    )
    assert response.status_code == 303
    copy = db.session.scalar(
        sa.select(DiagnosticCampaign).where(DiagnosticCampaign.title == "Diagnostic 2027")
    )
    assert copy.copied_from_id == w.campaign.id
    assert [(s.title, s.theme_id, s.explanation) for s in copy.skills] == [
        (s.title, s.theme_id, s.explanation) for s in w.campaign.skills
    ]
    assert [q.prompt for q in copy.questions] == ["Quels freins ?"]
    # The original is untouched.
    assert len(w.campaign.skills) == 3


def test_campaign_form_errors_are_french_and_keep_input(app, client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    response = client.post(
        "/admin/diagnostic/nouvelle",
        data={"title": "Mon diagnostic", "audience": "tous", **_dates(10, 2)},
    )
    assert response.status_code == 422
    assert "La clôture doit venir après l&#39;ouverture." in response.text
    assert 'value="Mon diagnostic"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(DiagnosticCampaign.id))) == 0


def test_edit_the_questionnaire(app, client, auth):
    coordinator = make_coordinator()
    theme = make_theme(name="L'accueil")
    db.session.commit()
    auth.login(coordinator)
    client.post(
        "/admin/diagnostic/nouvelle",
        data={"title": "Vide", "audience": "tous", "copy_from": "", **_dates()},
    )
    campaign = db.session.scalar(sa.select(DiagnosticCampaign))
    base = f"/admin/diagnostic/{campaign.id}"
    bad = client.post(f"{base}/competences/nouvelle", data={"theme_id": "", "title": ""})
    assert bad.status_code == 422 and "Ce champ est obligatoire." in bad.text
    ok = client.post(
        f"{base}/competences/nouvelle",
        data={
            "theme_id": str(theme.id),
            "title": "Accueillir chacun·e",
            "explanation": "Recevoir une personne qui entre pour la première fois.",
        },
    )
    assert ok.status_code == 303
    skill = db.session.scalar(sa.select(DiagnosticSkill))
    client.post(
        f"{base}/competences/{skill.id}",
        data={"theme_id": str(theme.id), "title": "Bien accueillir", "explanation": "Oui."},
    )
    client.post(f"{base}/questions", data={"prompt": "Autre chose ?"})
    page = client.get(base)
    assert page.status_code == 200
    assert "Bien accueillir" in page.text and "Autre chose ?" in page.text
    db.session.expire_all()
    assert client.post(f"{base}/competences/{skill.id}/supprimer").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(DiagnosticSkill.id))) == 0


def test_a_skill_with_answers_is_kept(app, client, auth):
    w = build_world()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    client.post(f"/admin/diagnostic/{w.campaign.id}/competences/{w.s1.id}/supprimer")
    assert db.session.get(DiagnosticSkill, w.s1.id) is not None


def test_invitations_go_once_to_the_audience(app, client, auth):
    w = build_world()
    coordinator = make_coordinator(email="coordination@exemple.test")
    make_user(centre=w.a, status=UserStatus.DISABLED)
    newcomer = make_user(centre=w.b, category=Category.PARTENAIRE)
    db.session.commit()
    auth.login(coordinator)
    assert client.post(f"/admin/diagnostic/{w.campaign.id}/invitations").status_code == 303
    invitations = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.dedup_key.like("diagnostic:invite:%"))
    ).all()
    # p1–p6 were already invited by the fixture; the coordinator and newcomer were not.
    assert {mail.recipient for mail in invitations} == {coordinator.email, newcomer.email}
    assert all(f"/diagnostic/{w.campaign.id}" in mail.body_text for mail in invitations)
    client.post(f"/admin/diagnostic/{w.campaign.id}/invitations")
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMail.id)).where(
                OutboxMail.dedup_key.like("diagnostic:invite:%")
            )
        )
        == 2
    )


def test_referent_follows_their_centre_and_reminds_once(app, client, auth):
    w = build_world()
    referent = make_referent(w.c)
    db.session.commit()
    auth.login(referent)
    page = client.get(f"/diagnostic/{w.campaign.id}/suivi")
    assert page.status_code == 200
    html = page.text
    assert w.people["p4"].last_name in html and w.people["p5"].last_name in html
    assert w.people["p1"].last_name not in html  # another centre
    assert "Oui, en priorité" not in html and "Je connais" not in html  # no answers shown
    p5 = w.people["p5"]
    assert client.post(f"/diagnostic/{w.campaign.id}/suivi/{p5.id}/relance").status_code == 303
    assert client.post(f"/diagnostic/{w.campaign.id}/suivi/{p5.id}/relance").status_code == 303
    reminders = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.dedup_key.like("diagnostic:remind:%"))
    ).all()
    assert [mail.recipient for mail in reminders] == [p5.email]
    response = db.session.scalar(
        sa.select(DiagnosticResponse).where(DiagnosticResponse.person_id == p5.id)
    )
    assert response.reminded_at is not None
    # Someone who finished is not reminded; another centre's person is not found.
    client.post(f"/diagnostic/{w.campaign.id}/suivi/{w.people['p4'].id}/relance")
    assert (
        client.post(f"/diagnostic/{w.campaign.id}/suivi/{w.people['p1'].id}/relance").status_code
        == 404
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMail.id)).where(
                OutboxMail.dedup_key.like("diagnostic:remind:%")
            )
        )
        == 1
    )
    assert client.get(f"/diagnostic/{w.campaign.id}/suivi?centre={w.a.id}").status_code == 200
    assert (
        w.people["p1"].last_name
        not in client.get(f"/diagnostic/{w.campaign.id}/suivi?centre={w.a.id}").text
    )


def test_campaign_list_counts_answers(app, client, auth):
    w = build_world()
    coordinator = make_coordinator()
    make_centre()
    db.session.commit()
    auth.login(coordinator)
    page = client.get("/admin/diagnostic")
    assert page.status_code == 200
    assert w.campaign.title in page.text
    assert "<td>5</td>" in page.text


def test_referent_reminds_everyone_who_has_not_finished_once(app, client, auth):
    w = build_world()
    referent = make_referent(w.c)
    db.session.commit()
    auth.login(referent)
    url = f"/diagnostic/{w.campaign.id}/suivi/relance"
    # The centre field is ignored for a referent: always their own centre.
    assert client.post(url, data={"centre": str(w.a.id)}).status_code == 303
    client.post(url)
    reminded = db.session.scalars(
        sa.select(OutboxMail.recipient).where(OutboxMail.dedup_key.like("diagnostic:remind:%"))
    ).all()
    # Centre C: p4 and p6 finished; p5 and the referent (a salariée) had not answered.
    assert sorted(reminded) == sorted([w.people["p5"].email, referent.email])


def test_coordinator_previews_a_questionnaire_for_another_audience(app, client, auth):
    from reseau.catalogue.models import Audience

    w = build_world()
    w.campaign.audience = Audience.BENEVOLES
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    page = client.get(f"/diagnostic/{w.campaign.id}")
    assert page.status_code == 200 and "Aperçu" in page.text
    assert "J'ai terminé" not in page.text
    save = client.post(
        f"/diagnostic/{w.campaign.id}/competences/{w.s1.id}", data={f"wish-{w.s1.id}": "yes"}
    )
    assert save.status_code == 404
