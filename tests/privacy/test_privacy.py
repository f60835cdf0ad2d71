"""RGPD: one's own data (page and JSON), deletion requests, anonymisation, retention, audit."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from reseau.accounts.models import AccountToken, Role, User, UserStatus
from reseau.attendance.models import Attendance, AttendanceStatus, Feedback
from reseau.calendars.models import CalendarToken, FeedKind
from reseau.core.audit import AuditLog, record_audit
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.diagnostic.models import DiagnosticResponse, SkillAnswer, TrainingWish
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.outbox.models import MailStatus, OutboxMail
from reseau.privacy import operations
from reseau.privacy.operations import apply_retention
from tests.diagnostic.fixtures import add_skill, answer, make_campaign
from tests.factories import (
    make_centre,
    make_coordinator,
    make_referent,
    make_session,
    make_theme,
    make_user,
)


def _person_with_history():
    centre = make_centre()
    person = make_user(centre=centre, first_name="Aïcha", last_name="Benali", phone="0601020304")
    session = make_session(starts_at=utcnow() - timedelta(days=10), seances=2, title="Animer")
    enrolment = Enrolment(session=session, person=person, status=EnrolmentStatus.CONFIRMED)
    db.session.add(enrolment)
    for seance in session.seances:
        db.session.add(
            Attendance(
                seance=seance, person=person, enrolment=enrolment, status=AttendanceStatus.PRESENT
            )
        )
    db.session.add(
        Feedback(session=session, person_id=person.id, satisfaction=5, gained="Beaucoup")
    )
    campaign = make_campaign()
    skill = add_skill(campaign, make_theme(), "Conduire une réunion")
    answer(campaign, person, {skill: TrainingWish.YES}, other_needs="Plus de pratique")
    db.session.add(CalendarToken(kind=FeedKind.PERSON, user_id=person.id, token_hash="a" * 64))
    db.session.add(
        OutboxMail(recipient=person.email, subject="Convocation", body_text="Bonjour Aïcha")
    )
    db.session.add(
        OutboxMail(
            recipient=person.email,
            subject="Ancien message",
            body_text="Bonjour Aïcha",
            status=MailStatus.SENT,
        )
    )
    db.session.flush()
    return person, session


def test_my_data_page_and_json_export(client, auth):
    person, _ = _person_with_history()
    db.session.commit()
    auth.login(person)
    page = client.get("/mes-donnees")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Aïcha Benali" in text and "Animer" in text and "0601020304" in text

    answer_ = client.get("/mes-donnees.json")
    assert answer_.status_code == 200
    assert answer_.mimetype == "application/json"
    assert "attachment" in answer_.headers["Content-Disposition"]
    data = json.loads(answer_.get_data(as_text=True))
    assert data["personne"]["email"] == person.email
    assert data["personne"]["telephone"] == "0601020304"
    assert len(data["inscriptions"]) == 1
    assert len(data["presences"]) == 2
    assert data["avis"][0]["satisfaction"] == 5
    assert data["diagnostics"][0]["competences"][0]["competence"] == "Conduire une réunion"
    assert data["diagnostics"][0]["autres_besoins"] == "Plus de pratique"
    assert len(data["agendas"]) == 1 and "token" not in json.dumps(data["agendas"])
    assert {mail["objet"] for mail in data["emails"]} == {"Convocation", "Ancien message"}
    # The export is an audited action.
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "privacy.export"))
    assert entry.actor_id == person.id and entry.object_id == person.id


def test_my_data_needs_a_login(client):
    assert client.get("/mes-donnees").status_code == 302
    assert client.get("/mes-donnees.json").status_code == 302
    assert client.post("/mes-donnees/suppression").status_code == 302


def test_a_deletion_request_reaches_the_coordinators_once(client, auth):
    coordinator = make_coordinator()
    person = make_user(centre=make_centre())
    db.session.commit()
    auth.login(person)
    refused = client.post("/mes-donnees/suppression", data={"reason": "Je déménage"})
    assert refused.status_code == 422
    assert "Cochez la case" in refused.get_data(as_text=True)
    assert "Je déménage" in refused.get_data(as_text=True)  # what was typed stays

    answer_ = client.post("/mes-donnees/suppression", data={"confirm": "y", "reason": "Je pars"})
    assert answer_.status_code == 303
    client.post("/mes-donnees/suppression", data={"confirm": "y"})
    mails = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.recipient == coordinator.email)
    ).all()
    assert len(mails) == 1 and person.full_name not in mails[0].body_text
    requests = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "privacy.deletion_request")
    ).all()
    assert len(requests) == 1
    assert "enregistrée depuis" in client.get("/mes-donnees").get_data(as_text=True)

    auth.logout()
    auth.login(coordinator)
    listing = client.get("/admin/donnees-personnelles").get_data(as_text=True)
    assert person.full_name in listing


def _kept_rows(person_id: int) -> dict:
    """What anonymising keeps: the person's attendance, and every enrolment, feedback and
    answer row."""
    return {
        "attendance": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Attendance)
            .where(Attendance.person_id == person_id)
        ),
        "enrolments": db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)),
        "feedback": db.session.scalar(sa.select(sa.func.count()).select_from(Feedback)),
        "answers": db.session.scalar(sa.select(sa.func.count()).select_from(SkillAnswer)),
    }


def test_anonymisation_erases_names_and_keeps_the_figures(client, auth):
    coordinator = make_coordinator()
    person, session = _person_with_history()
    db.session.add(
        AccountToken(
            user_id=person.id,
            purpose="invitation",
            token_hash="b" * 64,
            expires_at=utcnow() + timedelta(days=1),
        )
    )
    record_audit(
        coordinator,
        "person.roles",
        person,
        summary=f"Rôles de {person.email}",
        before={"email": person.email},
    )
    db.session.commit()
    person_id, centre_id, category, email = (
        person.id,
        person.centre_id,
        person.category,
        person.email,
    )
    before = _kept_rows(person_id)

    auth.login(coordinator)
    page = client.get(f"/admin/personnes/{person_id}/anonymiser")
    assert page.status_code == 200
    assert client.post(f"/admin/personnes/{person_id}/anonymiser").status_code == 422
    assert (
        client.post(f"/admin/personnes/{person_id}/anonymiser", data={"confirm": "y"}).status_code
        == 303
    )

    db.session.expire_all()
    person = db.session.get(User, person_id)
    assert person.status == UserStatus.ANONYMISED
    assert person.email is None and person.phone == "" and person.password_hash is None
    assert "Aïcha" not in person.full_name and "Benali" not in person.full_name
    assert person.roles == {Role.PARTICIPANT}
    assert (person.centre_id, person.category) == (centre_id, category)
    after = _kept_rows(person_id)
    assert after == before
    assert db.session.scalar(sa.select(DiagnosticResponse.person_id)) == person_id
    # Tokens, feeds and unsent mail are gone; sent copies lose the address and text.
    assert not db.session.scalars(sa.select(AccountToken)).all()
    assert not db.session.scalars(sa.select(CalendarToken)).all()
    mails = db.session.scalars(sa.select(OutboxMail)).all()
    assert [mail.subject for mail in mails] == ["Ancien message"]
    assert mails[0].recipient != email and "Aïcha" not in mails[0].body_text
    # Earlier audit entries no longer hold the e-mail; the anonymisation is recorded.
    entries = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.object_id == person_id, AuditLog.object_type == "user")
    ).all()
    assert all(email not in entry.summary and not entry.before for entry in entries)
    assert any(
        entry.action == "person.anonymise" and entry.actor_id == coordinator.id for entry in entries
    )
    # The person cannot log in any more; the page is gone for them.
    auth.logout()
    assert auth.login(email).status_code == 422
    assert client.get(f"/admin/personnes/{person_id}/anonymiser").status_code == 302


def test_only_the_coordinator_anonymises(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    person = make_user(centre=centre)
    db.session.commit()
    auth.login(referent)
    assert client.get(f"/admin/personnes/{person.id}/anonymiser").status_code == 403
    assert (
        client.post(f"/admin/personnes/{person.id}/anonymiser", data={"confirm": "y"}).status_code
        == 403
    )
    db.session.refresh(person)
    assert person.status == UserStatus.ACTIVE


def test_unknown_or_already_anonymised_people_answer_404(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    assert client.get("/admin/personnes/999999/anonymiser").status_code == 404
    assert client.get(f"/admin/personnes/{coordinator.id}/anonymiser").status_code == 303


def test_retention_anonymises_inactive_people_from_tick(app, runner):
    old = utcnow() - timedelta(days=40 * 31)
    sleeping = make_user(created_at=old, last_login_at=old)
    recent_login = make_user(created_at=old, last_login_at=utcnow())
    new = make_user()
    coordinator = make_coordinator(created_at=old, last_login_at=old)
    enrolled = make_user(created_at=old, last_login_at=old)
    session = make_session(starts_at=utcnow() + timedelta(days=5))
    db.session.add(Enrolment(session=session, person=enrolled, status=EnrolmentStatus.CONFIRMED))
    db.session.commit()
    app.config["RETENTION_MONTHS"] = 36

    # The first time, tick only says how many people it will anonymise, and from when.
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "Conservation : 1 personne sans activité depuis 36 mois sera" in result.output
    db.session.expire_all()
    assert db.session.get(User, sleeping.id).status != UserStatus.ANONYMISED
    # Once the notice period is over, it does.
    notice = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "retention.notice"))
    notice.at -= timedelta(days=8)
    db.session.commit()
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "1 personne anonymisée" in result.output
    db.session.expire_all()
    assert db.session.get(User, sleeping.id).status == UserStatus.ANONYMISED
    for kept in (recent_login, new, coordinator, enrolled):
        assert db.session.get(User, kept.id).status != UserStatus.ANONYMISED
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "person.anonymise"))
    assert entry.actor_id is None and "36 mois" in entry.summary
    # Safe to run twice; 0 switches it off.
    assert apply_retention() == 0
    app.config["RETENTION_MONTHS"] = 0
    assert apply_retention(months=None) == 0


def test_retention_asks_again_once_the_person_is_locked(app, monkeypatch):
    """Someone who logs in between the tick's list and their turn is active after all."""
    old = utcnow() - timedelta(days=40 * 31)
    person = make_user(created_at=old, last_login_at=old)
    db.session.commit()
    listed = operations.inactive_people(utcnow(), 36)
    assert listed == [person]
    person.last_login_at = utcnow()  # the login another worker commits meanwhile
    db.session.commit()
    monkeypatch.setattr(operations, "inactive_people", lambda now, months: listed)
    assert apply_retention(months=36) == 0
    db.session.expire_all()
    assert db.session.get(User, person.id).status != UserStatus.ANONYMISED


def test_the_audit_log_is_read_and_filtered_by_the_coordinator(client, auth):
    coordinator = make_coordinator(first_name="Claire", last_name="Coord")
    other = make_coordinator(first_name="Olivier", last_name="Autre")
    target = make_user()
    record_audit(coordinator, "person.roles", target, summary="Rôles changés pour la cible")
    record_audit(other, "person.disable", target, summary="Compte fermé pour la cible")
    old = record_audit(other, "person.enable", target, summary="Réactivé il y a longtemps")
    old.at = utcnow() - timedelta(days=400)
    db.session.commit()

    auth.login(coordinator)
    text = client.get("/admin/journal").get_data(as_text=True)
    assert "Rôles changés" in text and "Compte fermé" in text and "Réactivé" in text
    text = client.get("/admin/journal?action=person.roles").get_data(as_text=True)
    assert "Rôles changés" in text and "Compte fermé" not in text
    text = client.get("/admin/journal?auteur=olivier").get_data(as_text=True)
    assert "Compte fermé" in text and "Rôles changés" not in text
    since = (utcnow() - timedelta(days=30)).date().isoformat()
    text = client.get(f"/admin/journal?du={since}").get_data(as_text=True)
    assert "Compte fermé" in text and "Réactivé" not in text
    until = (utcnow() - timedelta(days=300)).date().isoformat()
    text = client.get(f"/admin/journal?au={until}").get_data(as_text=True)
    assert "Réactivé" in text and "Compte fermé" not in text
    # Bad filter values are ignored, never a 500; htmx gets only the results.
    assert client.get("/admin/journal?du=demain&au=32/13&page=x").status_code == 200
    fragment = client.get("/admin/journal", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<section id="audit-results"')


def test_the_audit_log_is_for_the_coordinator_only(client, auth):
    referent = make_referent(make_centre())
    db.session.commit()
    assert client.get("/admin/journal").status_code == 302
    auth.login(referent)
    assert client.get("/admin/journal").status_code == 403
    assert client.get("/admin/donnees-personnelles").status_code == 403


def test_consent_is_chosen_in_the_profile(client, auth):
    person = make_user()
    db.session.commit()
    auth.login(person)
    client.post(
        "/mon-compte",
        data={
            "first_name": person.first_name,
            "last_name": person.last_name,
            "directory_consent": "y",
            "submit": "1",
        },
    )
    db.session.refresh(person)
    assert person.directory_consent is True
    assert "Oui" in client.get("/mes-donnees").get_data(as_text=True)


def test_privacy_forms_need_the_csrf_token(app, client, auth):
    person = make_user()
    db.session.commit()
    auth.login(person)
    app.config["WTF_CSRF_ENABLED"] = True
    answer = client.post("/mes-donnees/suppression", data={"confirm": "y"})
    assert answer.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0


def test_the_export_holds_the_cold_evaluations_sent_and_the_trainers_reviews(client, auth):
    from reseau.evaluation.models import ColdAnswer, ObjectivesReached, TrainerEvaluation, UseLevel

    person, session = _person_with_history()
    trainer = make_user(first_name="Sandrine")
    db.session.add_all(
        [
            ColdAnswer(
                session_id=session.id,
                person_id=person.id,
                submitted_at=utcnow(),
                used=UseLevel.OFTEN,
                changes="J'anime mieux les réunions",
            ),
            # Sent but never answered: nothing the person said, nothing to export.
            ColdAnswer(session_id=make_session(title="Pas répondu").id, person_id=person.id),
            TrainerEvaluation(
                session_id=session.id,
                trainer_id=trainer.id,
                objectives=ObjectivesReached.PARTLY,
                to_change="Plus de pauses",
            ),
        ]
    )
    db.session.commit()

    auth.login(person)
    data = json.loads(client.get("/mes-donnees.json").get_data(as_text=True))
    assert data["evaluations_a_froid"] == [
        {
            "session": "Animer",
            "utilise": "Oui, souvent",
            "changements": "J'anime mieux les réunions",
            "acquis": "",
            "manques": "",
            "besoins": "",
            "envoyee_le": data["evaluations_a_froid"][0]["envoyee_le"],
        }
    ]
    assert data["bilans_formateur"] == []
    assert "Mes évaluations à froid (1)" in client.get("/mes-donnees").get_data(as_text=True)

    auth.logout()
    auth.login(trainer)
    data = json.loads(client.get("/mes-donnees.json").get_data(as_text=True))
    assert data["bilans_formateur"][0]["a_changer"] == "Plus de pauses"
    assert data["bilans_formateur"][0]["objectifs"] == "En partie"
    assert "Mes bilans de formateur·rice (1)" in client.get("/mes-donnees").get_data(as_text=True)
