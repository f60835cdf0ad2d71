"""The participant's cold answers (saved as they go), the trainer's and the referent's forms,
the coordinator's results and a need taken into the next diagnostic."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from reseau.attendance.models import Feedback
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.diagnostic.models import DiagnosticCampaign, DiagnosticSkill
from reseau.evaluation import operations
from reseau.evaluation.models import (
    CentreReview,
    ColdAnswer,
    ColdSchedule,
    ObjectivesReached,
    TrainerEvaluation,
    UseLevel,
)
from tests.evaluation.fixtures import closed_session
from tests.factories import (
    make_centre,
    make_coordinator,
    make_cycle,
    make_module,
    make_referent,
    make_theme,
    make_trainer,
    make_user,
)


def _sent(session, person) -> ColdAnswer:
    answer = ColdAnswer(session_id=session.id, person_id=person.id, sent_at=utcnow())
    db.session.add(answer)
    db.session.flush()
    return answer


def test_cold_answers_are_saved_as_they_go(client, auth, htmx_headers):
    session, came, _ = closed_session(91, people=1, absent=0)
    answer = _sent(session, came[0])
    db.session.commit()
    auth.login(came[0])
    url = f"/mes-formations/{session.id}/evaluation-a-froid"
    mine = client.get("/mes-formations").text
    assert (
        f'href="{url}">Répondre<span class="visually-hidden"> pour {session.title}</span>' in mine
    )
    page = client.get(url)
    assert page.status_code == 200 and "Ce que cela vous a apporté" in page.text
    saved = client.post(f"{url}/gained", data={"gained": "Oser parler au CA"}, headers=htmx_headers)
    assert saved.status_code == 200 and "Enregistré" in saved.text
    client.post(f"{url}/used", data={"used": "often"}, headers=htmx_headers)
    bad = client.post(f"{url}/used", data={"used": "jamais"}, headers=htmx_headers)
    assert bad.status_code == 422 and "Choisissez une des réponses proposées." in bad.text
    assert client.post(f"{url}/inconnu", data={}).status_code == 404
    db.session.refresh(answer)
    assert (answer.gained, answer.used) == ("Oser parler au CA", UseLevel.OFTEN)
    assert answer.started_at is not None and answer.submitted_at is None
    mine = client.get("/mes-formations").text
    assert f"<strong>{session.title}</strong>" in mine and ">Compléter mes réponses<" in mine
    done = client.post(
        url, data={"action": "submit", "used": "often", "gained": "Oser parler au CA",
                   "needs": "Animer une réunion de bénévoles"}
    )  # fmt: skip
    assert done.status_code == 303
    db.session.refresh(answer)
    assert answer.submitted_at is not None and answer.needs == "Animer une réunion de bénévoles"
    assert "Oser parler au CA" in client.get(url).text
    assert f'href="{url}"' not in client.get("/mes-formations").text


def test_only_the_person_asked_answers(client, auth):
    session, came, absent = closed_session(91, people=1, absent=1)
    _sent(session, came[0])
    db.session.commit()
    auth.login(absent[0])
    assert client.get(f"/mes-formations/{session.id}/evaluation-a-froid").status_code == 404


def test_the_trainer_evaluates_the_session(client, auth):
    trainer, other = make_trainer(), make_trainer()
    session, _, _ = closed_session(3)
    session.trainers.append(trainer)
    db.session.commit()
    url = f"/mes-sessions/{session.id}/bilan-formateur"
    auth.login(other)
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login(trainer)
    assert client.get(url).status_code == 200
    missing = client.post(url, data={"group_notes": "Groupe vivant"})
    assert missing.status_code == 422
    assert "Dites si les objectifs ont été atteints." in missing.text
    assert "Groupe vivant" in missing.text
    answer = client.post(
        url,
        data={"group_notes": "Groupe vivant", "objectives": "partly", "to_change": "Plus de cas"},
    )
    assert answer.status_code == 303
    evaluation = db.session.scalar(sa.select(TrainerEvaluation))
    assert (evaluation.trainer_id, evaluation.objectives) == (trainer.id, ObjectivesReached.PARTLY)
    client.post(url, data={"objectives": "yes", "to_change": "Rien"})
    assert db.session.scalar(sa.select(sa.func.count(TrainerEvaluation.id))) == 1
    auth.logout()
    auth.login(make_coordinator())
    db.session.commit()
    page = client.get(url)
    assert page.status_code == 200 and "Rien" in page.text
    assert client.post(url, data={"objectives": "no"}).status_code == 409


def test_the_referent_says_what_the_year_brought(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    db.session.commit()
    auth.login(referent)
    year = utcnow().year - 1
    url = f"/mon-centre/bilan-annuel/{year}"
    assert client.get(url).status_code == 200
    assert client.get(f"/mon-centre/bilan-annuel/{year + 5}").status_code == 404
    too_long = client.post(url, data={"brought": "x" * 5001})
    assert too_long.status_code == 422 and "5 000 caractères au plus." in too_long.text
    answer = client.post(
        url, data={"brought": "Des bénévoles plus sûrs d'eux", "needs": "La fonction employeur"}
    )
    assert answer.status_code == 303
    review = db.session.scalar(sa.select(CentreReview))
    assert (review.centre_id, review.year, review.answered_by_id) == (centre.id, year, referent.id)
    assert review.brought == "Des bénévoles plus sûrs d'eux"


def test_results_show_hot_and_cold_rates_and_a_need_goes_to_the_diagnostic(client, auth):
    theme = make_theme(name="La fonction employeur")
    cycle = make_cycle(theme=theme)
    session, came, _ = closed_session(91, people=2, absent=0, module=make_module(cycle=cycle))
    session.theme = theme
    first = _sent(session, came[0])
    _sent(session, came[1])
    operations.save_cold_field(first, "needs", "Recruter un·e salarié·e")
    db.session.add(Feedback(session_id=session.id, person_id=came[0].id, satisfaction=4))
    today = to_local(utcnow()).date()
    campaign = DiagnosticCampaign(
        title="Diagnostic suivant",
        opens_on=today + timedelta(days=10),
        closes_on=today + timedelta(days=40),
    )
    db.session.add(campaign)
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    year = session.starts_at.year
    page = client.get(f"/admin/evaluations?annee={year}")
    assert page.status_code == 200
    # 2 came, 1 hot answer (50 %), 2 cold sent, 1 answered (50 %).
    row = page.text.split('id="eval-year"')[1].split("</table>")[0]
    assert row.count("50 %") == 2
    assert "Recruter un·e salarié·e" in page.text
    assert client.get("/admin/evaluations?annee=abc").status_code == 422
    answer = client.post(
        f"/admin/evaluations/besoins/{first.id}", data={"campaign_id": campaign.id}
    )
    assert answer.status_code == 303
    skill = db.session.scalar(sa.select(DiagnosticSkill))
    assert (skill.campaign_id, skill.theme_id, skill.title) == (
        campaign.id, theme.id, "Recruter un·e salarié·e",
    )  # fmt: skip
    db.session.refresh(first)
    assert first.need_forwarded_at is not None


def test_the_coordinator_sets_a_cycle_s_delay(client, auth):
    cycle = make_cycle()
    auth.login(make_coordinator())
    db.session.commit()
    url = f"/admin/evaluations/cycles/{cycle.id}"
    assert 'value="90"' in client.get(url).text
    bad = client.post(url, data={"delay_days": "400", "reminder_days": "7"})
    assert bad.status_code == 422 and "Entre 1 et 365 jours." in bad.text
    assert client.post(url, data={"delay_days": "60", "reminder_days": "7"}).status_code == 303
    schedule = db.session.get(ColdSchedule, cycle.id)
    assert (schedule.delay_days, schedule.reminder_days) == (60, 7)


def test_a_participant_cannot_see_the_results(client, auth):
    auth.login(make_user())
    db.session.commit()
    assert client.get("/admin/evaluations").status_code == 403


def test_anonymising_a_person_erases_their_cold_and_trainer_texts(app):
    from reseau.privacy.operations import anonymise_person

    trainer = make_trainer()
    session, came, _ = closed_session(91, people=1, absent=0)
    answer = _sent(session, came[0])
    operations.save_cold_field(answer, "gained", "Merci à Aïcha Benali")
    operations.save_cold_field(answer, "used", "often")
    operations.save_trainer_evaluation(
        session, trainer, {"objectives": "yes", "group_notes": "Avec Aïcha Benali"}
    )
    anonymise_person(came[0], actor=None)
    anonymise_person(trainer, actor=None)
    db.session.expire_all()
    answer = db.session.get(ColdAnswer, answer.id)
    evaluation = db.session.scalar(sa.select(TrainerEvaluation))
    assert (answer.gained, answer.used) == ("", UseLevel.OFTEN)
    assert (evaluation.group_notes, evaluation.objectives) == ("", ObjectivesReached.YES)


def test_cold_results_sit_beside_the_hot_feedback(client, auth):
    trainer = make_trainer()
    session, came, _ = closed_session(95, people=2, absent=0)
    session.trainers.append(trainer)
    answer = _sent(session, came[0])
    _sent(session, came[1])
    operations.save_cold_field(answer, "changes", "Un nouveau bureau")
    operations.save_cold_field(_sent(closed_session(95)[0], make_user()), "gained", "")
    db.session.commit()
    auth.login(trainer)
    page = client.get(f"/mes-sessions/{session.id}/avis")
    assert page.status_code == 200
    assert "1 réponse sur 2 questionnaires envoyés (50\u00a0%)" in page.text
    assert "Un nouveau bureau" in page.text


def test_the_referents_home_leads_to_the_yearly_review_asked_for(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    db.session.commit()
    auth.login(referent)
    assert "referent-centre-review" not in client.get("/").text  # nothing asked yet
    year = utcnow().year - 1
    db.session.add(CentreReview(centre_id=centre.id, year=year, asked_at=utcnow()))
    db.session.commit()
    home = client.get("/").text
    assert f'href="/mon-centre/bilan-annuel/{year}">Remplir le bilan {year}</a>' in home
    client.post(f"/mon-centre/bilan-annuel/{year}", data={"brought": "Des bénévoles formés"})
    assert f"Relire ou compléter le bilan {year}" in client.get("/").text
