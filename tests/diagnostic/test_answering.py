"""Answering the questionnaire: autosave (htmx), idempotent upsert, resume, JS-off submit."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from reseau.accounts.models import Category
from reseau.core.extensions import db
from reseau.diagnostic import operations
from reseau.diagnostic.models import (
    DiagnosticResponse,
    QuestionAnswer,
    SkillAnswer,
    SkillLevel,
    TrainingWish,
)
from tests.diagnostic.fixtures import add_skill, make_campaign
from tests.factories import make_centre, make_theme, make_user


def _setup(**campaign_kw):
    theme = make_theme()
    campaign = make_campaign(**campaign_kw)
    skills = [add_skill(campaign, theme, f"Compétence {n}", n) for n in range(1, 4)]
    from reseau.diagnostic.models import DiagnosticQuestion

    question = DiagnosticQuestion(campaign_id=campaign.id, prompt="Quels freins ?", position=1)
    db.session.add(question)
    volunteer = make_user(centre=make_centre(), category=Category.BENEVOLE)
    db.session.commit()
    return campaign, skills, question, volunteer


def _answers(volunteer):
    return db.session.execute(
        sa.select(SkillAnswer.skill_id, SkillAnswer.level, SkillAnswer.wants_training)
        .join(DiagnosticResponse, DiagnosticResponse.id == SkillAnswer.response_id)
        .where(DiagnosticResponse.person_id == volunteer.id)
        .order_by(SkillAnswer.skill_id)
    ).all()


def test_autosave_two_quick_changes_keep_one_row_with_the_last_value(
    app, client, auth, htmx_headers
):
    campaign, skills, _, volunteer = _setup()
    auth.login(volunteer)
    url = f"/diagnostic/{campaign.id}/competences/{skills[0].id}"
    first = client.post(url, data={f"wish-{skills[0].id}": "yes"}, headers=htmx_headers)
    second = client.post(
        url,
        data={f"level-{skills[0].id}": "know", f"wish-{skills[0].id}": "priority"},
        headers=htmx_headers,
    )
    assert first.status_code == second.status_code == 200
    assert "Enregistré" in second.text
    assert "<html" not in second.text
    assert _answers(volunteer) == [(skills[0].id, SkillLevel.KNOW, TrainingWish.PRIORITY)]
    # Choosing the level alone keeps the training wish.
    client.post(url, data={f"level-{skills[0].id}": "master"}, headers=htmx_headers)
    assert _answers(volunteer) == [(skills[0].id, SkillLevel.MASTER, TrainingWish.PRIORITY)]
    responses = db.session.scalars(sa.select(DiagnosticResponse)).all()
    assert len(responses) == 1 and responses[0].started_at is not None
    assert responses[0].submitted_at is None


def test_upsert_is_idempotent_at_the_domain_level(app):
    campaign, skills, question, volunteer = _setup()
    response = operations.get_or_create_response(campaign, volunteer)
    again = operations.get_or_create_response(campaign, volunteer)
    assert response.id == again.id
    for wish in (TrainingWish.YES, TrainingWish.NO, TrainingWish.PRIORITY):
        operations.save_skill_answer(response, skills[1], wants_training=wish)
    operations.save_question_answer(response, question, "La distance")
    operations.save_question_answer(response, question, "Les horaires")
    db.session.commit()
    assert _answers(volunteer) == [(skills[1].id, None, TrainingWish.PRIORITY)]
    assert db.session.scalars(sa.select(QuestionAnswer.text)).all() == ["Les horaires"]


def test_answers_are_there_after_leaving_and_coming_back(app, client, auth, htmx_headers):
    campaign, skills, question, volunteer = _setup()
    auth.login(volunteer)
    client.post(
        f"/diagnostic/{campaign.id}/competences/{skills[0].id}",
        data={f"level-{skills[0].id}": "discover", f"wish-{skills[0].id}": "priority"},
        headers=htmx_headers,
    )
    client.post(
        f"/diagnostic/{campaign.id}/questions/{question.id}",
        data={f"question-{question.id}": "Le samedi seulement"},
        headers=htmx_headers,
    )
    client.post(
        f"/diagnostic/{campaign.id}/autres-besoins",
        data={"other_needs": "Parler moins technique"},
        headers=htmx_headers,
    )
    auth.logout()
    auth.login(volunteer)
    page = client.get(f"/diagnostic/{campaign.id}")
    assert page.status_code == 200
    html = page.text
    assert f'name="level-{skills[0].id}" value="discover" checked' in html
    assert f'name="wish-{skills[0].id}" value="priority" checked' in html
    assert f'name="wish-{skills[1].id}" value="priority" checked' not in html
    assert "Le samedi seulement</textarea>" in html
    assert "Parler moins technique</textarea>" in html
    home = client.get("/diagnostic")
    assert "Reprendre mes réponses" in home.text and "Commencé" in home.text


def test_without_javascript_the_page_submit_saves_everything(app, client, auth):
    campaign, skills, question, volunteer = _setup()
    auth.login(volunteer)
    response = client.post(
        f"/diagnostic/{campaign.id}",
        data={
            f"level-{skills[0].id}": "know",
            f"wish-{skills[0].id}": "yes",
            f"wish-{skills[2].id}": "no",
            f"question-{question.id}": "Rien",
            "other_needs": "Un tutoriel",
            "action": "submit",
        },
    )
    assert response.status_code == 303
    assert _answers(volunteer) == [
        (skills[0].id, SkillLevel.KNOW, TrainingWish.YES),
        (skills[2].id, None, TrainingWish.NO),
    ]
    saved = db.session.scalar(sa.select(DiagnosticResponse))
    assert saved.submitted_at is not None and saved.other_needs == "Un tutoriel"
    page = client.get(f"/diagnostic/{campaign.id}")
    assert "Vous avez terminé ce questionnaire" in page.text
    # A non-htmx autosave request (JS off on a single field) redirects back to the page.
    back = client.post(
        f"/diagnostic/{campaign.id}/competences/{skills[1].id}",
        data={f"wish-{skills[1].id}": "yes"},
    )
    assert back.status_code == 303


def test_forged_values_and_closed_campaigns_are_refused(app, client, auth, htmx_headers):
    campaign, skills, _, volunteer = _setup()
    closed, closed_skills, _, _ = _setup(
        opens_on=date.today() - timedelta(days=60), closes_on=date.today() - timedelta(days=30)
    )
    auth.login(volunteer)
    bad = client.post(
        f"/diagnostic/{campaign.id}/competences/{skills[0].id}",
        data={f"wish-{skills[0].id}": "always"},
        headers=htmx_headers,
    )
    assert bad.status_code == 422
    other_campaign_skill = client.post(
        f"/diagnostic/{campaign.id}/competences/{closed_skills[0].id}",
        data={f"wish-{closed_skills[0].id}": "yes"},
        headers=htmx_headers,
    )
    assert other_campaign_skill.status_code == 404
    late = client.post(
        f"/diagnostic/{closed.id}/competences/{closed_skills[0].id}",
        data={f"wish-{closed_skills[0].id}": "yes"},
        headers=htmx_headers,
    )
    assert late.status_code == 409 and "fermée" in late.text
    page = client.get(f"/diagnostic/{closed.id}")
    assert page.status_code == 200 and "Ce questionnaire est fermé" in page.text
    assert db.session.scalar(sa.select(sa.func.count(SkillAnswer.id))) == 0


def test_people_outside_the_audience_cannot_answer(app, client, auth):
    from reseau.catalogue.models import Audience

    campaign, skills, _, volunteer = _setup(audience=Audience.SALARIES)
    auth.login(volunteer)
    assert client.get(f"/diagnostic/{campaign.id}").status_code == 404
    assert client.get("/diagnostic").status_code == 200
    assert "Aucun questionnaire" in client.get("/diagnostic").text


def test_navigation_offers_the_diagnostic_only_when_one_is_open(app, client, auth):
    volunteer = make_user(centre=make_centre(), category=Category.BENEVOLE)
    db.session.commit()
    auth.login(volunteer)
    assert 'href="/diagnostic"' not in client.get("/").text
    make_campaign()
    db.session.commit()
    assert 'href="/diagnostic"' in client.get("/").text


def test_the_navigation_link_follows_the_audience_in_the_user_loader(
    app, client, auth, count_queries
):
    """The user loader's statement answers the navigation's question (no statement of its
    own): a campaign for employees shows the link to an employee, not to a volunteer."""
    from reseau.diagnostic.models import Audience

    centre = make_centre()
    volunteer = make_user(centre=centre, category=Category.BENEVOLE)
    employee = make_user(centre=centre, category=Category.SALARIE)
    make_campaign(audience=Audience.SALARIES)
    db.session.commit()
    auth.login(volunteer)
    assert 'href="/diagnostic"' not in client.get("/mes-formations").text
    auth.logout()
    auth.login(employee)
    with count_queries(fresh=True) as log:
        assert 'href="/diagnostic"' in client.get("/mes-formations").text
    asking = [text for text in log.statements if "diagnostic_campaign" in text]
    assert len(asking) == 1 and "session_version" in asking[0]  # the user loader's


def test_results_without_any_campaign(app, client, auth):
    from tests.factories import make_coordinator

    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    page = client.get("/diagnostic/resultats")
    assert page.status_code == 200 and "Aucune campagne pour l'instant." in page.text
    assert 'href="/admin/diagnostic"' in client.get("/").text
    assert client.get("/diagnostic/resultats.csv").status_code == 404
    assert client.get("/diagnostic/resultats?campagne=999").status_code == 404


def test_an_autosave_runs_a_fixed_few_statements_and_adds_to_the_shared_rows(
    app, client, auth, htmx_headers, count_queries
):
    """The rows shared with colleagues are changed by one upsert each (``n = n + :d``),
    never read first: a first answer 12 statements, a changed wish 10, an answer that changes no figure 7 (the person, the campaign
    and skill, the response's insert and lock, its wishes, the answer, its date, the
    person's key, one upsert per row changed)."""
    campaign, skills, _, volunteer = _setup()
    auth.login(volunteer)
    campaign_id, skill_ids = campaign.id, [skill.id for skill in skills]
    statements = []
    for skill_id, wish in [(skill_ids[0], "yes"), (skill_ids[0], "priority"), (skill_ids[1], "no")]:
        with count_queries(fresh=True) as log:
            answer = client.post(
                f"/diagnostic/{campaign_id}/competences/{skill_id}",
                data={f"wish-{skill_id}": wish},
                headers=htmx_headers,
            )
        assert answer.status_code == 200
        statements.append(log)
    writes = [
        " ".join(statement.split()[:3])
        for statement in statements[1].statements
        if not statement.lstrip().upper().startswith(("SELECT", "BEGIN", "COMMIT"))
    ]
    assert [len(log) for log in statements] == [12, 10, 7]
    assert writes[-2:] == [
        "INSERT INTO diagnostic_theme_count",
        "INSERT INTO diagnostic_skill_count",
    ]
