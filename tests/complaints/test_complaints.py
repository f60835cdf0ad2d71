"""A complaint's life: sent by anyone, acknowledged, handled, answered and closed; the
register's reference, filters, export and known incidents; privacy."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from reseau.catalogue import operations as catalogue_ops
from reseau.complaints import operations as ops
from reseau.complaints.models import (
    Complaint,
    ComplaintCategory,
    ComplaintSource,
    ComplaintStatus,
)
from reseau.complaints.queries import known_incidents
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import from_local, today_paris
from reseau.outbox.models import OutboxMail
from reseau.privacy.operations import anonymise_person, export_person
from tests.factories import (
    make_centre,
    make_coordinator,
    make_session,
    make_theme,
    make_trainer,
    make_user,
)

TEXT = "La salle de Vierzon était trop petite : la moitié du groupe est restée debout."


def _mails(recipient: str) -> list[OutboxMail]:
    return list(
        db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.recipient == recipient).order_by(OutboxMail.id)
        )
    )


def _send(client, **overrides):
    data = {
        "kind": "complaint",
        "category": "place",
        "session_id": "",
        "name": "Martine Robin",
        "email": "martine.robin@exemple.fr",
        "text": TEXT,
    }
    data.update(overrides)
    return client.post("/reclamation", data=data)


def test_a_complaint_from_sending_to_closing_with_its_emails(client, auth):
    coordinator = make_coordinator(email="claire.moreau@exemple.fr")
    session = make_session(title="Histoire et valeurs des centres sociaux – Vierzon")
    db.session.commit()
    form = client.get(f"/reclamation?session={session.id}")
    assert form.status_code == 200 and f'<option selected value="{session.id}">' in form.text

    answer = _send(client, session_id=str(session.id))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/reclamation/envoyee")
    year = today_paris().year
    sent = client.get("/reclamation/envoyee")
    assert f"R-{year}-0001" in sent.text
    complaint = db.session.scalar(sa.select(Complaint))
    assert (complaint.reference, complaint.status, complaint.session_id) == (
        f"R-{year}-0001",
        ComplaintStatus.RECEIVED,
        session.id,
    )
    assert complaint.person_id is None  # sent without an account

    (ack,) = _mails("martine.robin@exemple.fr")
    assert f"R-{year}-0001" in ack.subject
    assert TEXT in ack.body_text and "Histoire et valeurs" in ack.body_text
    (notice,) = _mails("claire.moreau@exemple.fr")
    assert f"/admin/reclamations/{complaint.id}" in notice.body_text and TEXT in notice.body_text

    auth.login(coordinator)
    detail = client.get(f"/admin/reclamations/{complaint.id}")
    assert detail.status_code == 200 and TEXT in detail.text
    handled = client.post(
        f"/admin/reclamations/{complaint.id}/traitement",
        data={"handler_id": str(coordinator.id), "status": "in_progress", "improvement": ""},
    )
    assert handled.status_code == 303
    empty = client.post(f"/admin/reclamations/{complaint.id}/reponse", data={"answer": " "})
    assert empty.status_code == 422 and "Ce champ est obligatoire." in empty.text
    replied = client.post(
        f"/admin/reclamations/{complaint.id}/reponse",
        data={"answer": "Les prochaines sessions auront lieu dans la grande salle."},
    )
    assert replied.status_code == 303
    (_, reply) = _mails("martine.robin@exemple.fr")
    assert f"R-{year}-0001" in reply.subject
    assert "Les prochaines sessions auront lieu dans la grande salle." in reply.body_text
    closed = client.post(
        f"/admin/reclamations/{complaint.id}/cloturer",
        data={"close-improvement": "Vérifier la jauge des salles avant de publier."},
    )
    assert closed.status_code == 303
    db.session.refresh(complaint)
    assert complaint.status == ComplaintStatus.CLOSED
    assert complaint.handler_id == coordinator.id
    assert complaint.answered_at is not None and complaint.closed_at is not None
    assert complaint.delay_days == 0
    assert complaint.improvement == "Vérifier la jauge des salles avant de publier."
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.object_type == "complaint").order_by(AuditLog.id)
    ).all()
    assert actions == [
        "complaint.create",
        "complaint.update",
        "complaint.answer",
        "complaint.close",
    ]
    # Closed: no second answer, no more handling.
    again = client.post(
        f"/admin/reclamations/{complaint.id}/reponse", data={"answer": "Encore une fois."}
    )
    assert again.status_code == 303 and len(_mails("martine.robin@exemple.fr")) == 2


def test_the_delay_counts_days_from_reception_to_the_answer(app):
    complaint = Complaint(
        received_at=from_local(datetime(2026, 3, 2, 23, 30)),
        answered_at=from_local(datetime(2026, 3, 12, 0, 15)),
    )
    assert complaint.delay_days == 10


def test_a_logged_in_person_finds_the_form_filled_in(client, auth):
    person = make_user(first_name="Martine", last_name="Robin", email="martine@exemple.fr")
    db.session.commit()
    auth.login(person)
    page = client.get("/reclamation")
    assert 'value="Martine Robin"' in page.text and 'value="martine@exemple.fr"' in page.text
    assert _send(client, name="Martine Robin", email="martine@exemple.fr").status_code == 303
    assert db.session.scalar(sa.select(Complaint.person_id)) == person.id


def test_bad_input_is_told_next_to_the_field_and_kept(client):
    answer = _send(client, email="pas-une-adresse", category="nope", text="court")
    assert answer.status_code == 422
    assert "Saisissez une adresse e-mail valide" in answer.text
    assert "Choisissez un sujet dans la liste." in answer.text
    assert "Entre 10 et 5 000 caractères." in answer.text
    assert 'value="pas-une-adresse"' in answer.text
    assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 0
    # An odd query string only leaves the choices empty.
    assert client.get("/reclamation?session=%C2%B2&categorie=zzz").status_code == 200


def test_the_honeypot_keeps_nothing(client):
    answer = _send(client, site_web="http://spam.example")
    assert answer.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 0


def test_references_are_unique_and_follow_each_other(app, monkeypatch):
    first = ops.submit_complaint(_data(), actor=None)
    second = ops.submit_complaint(_data(), actor=None)
    year = today_paris().year
    assert (first.reference, second.reference) == (f"R-{year}-0001", f"R-{year}-0002")
    # Another transaction took the next number between our read and our insert: the unique
    # (year, number) refuses it and the next number is taken.
    reads = iter([1, 2])
    monkeypatch.setattr(ops, "last_number", lambda year: next(reads))
    third = ops.submit_complaint(_data(), actor=None)
    assert third.reference == f"R-{year}-0003"
    db.session.commit()
    numbers = db.session.scalars(sa.select(Complaint.number).order_by(Complaint.number)).all()
    assert numbers == [1, 2, 3]


def _data(**overrides) -> dict:
    data = {
        "kind": "complaint",
        "category": "content",
        "session_id": None,
        "name": "Jean Petit",
        "email": "jean.petit@exemple.fr",
        "text": TEXT,
    }
    data.update(overrides)
    return data


def _complaint(year: int, category: ComplaintCategory, status: ComplaintStatus, session=None):
    complaint = Complaint(
        received_at=from_local(datetime(year, 5, 4, 10, 0)),
        category=category,
        status=status,
        session_id=session.id if session else None,
        name="Jean Petit",
        email="jean.petit@exemple.fr",
        text=f"{category.value} {year}",
    )
    return ops.insert_numbered(complaint)


def test_the_register_filters_and_its_annual_export(client, auth):
    coordinator = make_coordinator()
    session = make_session(title="Négocier et conventionner – Bourges")
    _complaint(2025, ComplaintCategory.PLACE, ComplaintStatus.CLOSED)
    _complaint(2026, ComplaintCategory.PLACE, ComplaintStatus.RECEIVED, session)
    _complaint(2026, ComplaintCategory.ACCESSIBILITY, ComplaintStatus.ANSWERED)
    db.session.commit()
    auth.login(coordinator)

    def shown(query: str) -> set[str]:
        page = client.get("/admin/reclamations" + query)
        assert page.status_code == 200
        return {ref for ref in ("R-2025-0001", "R-2026-0001", "R-2026-0002") if ref in page.text}

    assert shown("") == {"R-2025-0001", "R-2026-0001", "R-2026-0002"}
    assert shown("?annee=2026") == {"R-2026-0001", "R-2026-0002"}
    assert shown("?categorie=place") == {"R-2025-0001", "R-2026-0001"}
    assert shown("?statut=answered") == {"R-2026-0002"}
    assert shown(f"?session={session.id}") == {"R-2026-0001"}
    assert shown("?statut=nope&annee=1e9&session=-1") == shown("")
    fragment = client.get("/admin/reclamations?annee=2025", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith("<section") and "R-2025-0001" in fragment.text

    workbook = client.get("/admin/reclamations/registre.xlsx?annee=2026")
    assert workbook.headers["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Référence", "Reçue le", "Nature")
    assert [row[0] for row in rows[1:]] == ["R-2026-0001", "R-2026-0002"]
    assert rows[1][5] == "Négocier et conventionner – Bourges"
    assert rows[1][1].date().isoformat() == "2026-05-04"
    text = client.get("/admin/reclamations/registre.csv?annee=2025").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [line[0] for line in lines] == ["Référence", "R-2025-0001"]
    assert lines[1][1] == "04/05/2025" and lines[1][9] == "Clôturée"


def test_a_formula_in_a_complaint_is_neutralised_in_the_export(client, auth):
    coordinator = make_coordinator()
    ops.submit_complaint(_data(name='=HYPERLINK("http://x")'), actor=None)
    db.session.commit()
    auth.login(coordinator)
    year = today_paris().year
    text = client.get(f"/admin/reclamations/registre.csv?annee={year}").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_a_cancelled_seance_goes_into_the_register_in_one_click(client, auth):
    coordinator = make_coordinator()
    session = make_session(title="Communiquer sur son projet – Le Blanc", seances=2)
    db.session.commit()
    catalogue_ops.cancel_seance(session.seances[1], actor=coordinator, reason="Formatrice malade")
    db.session.commit()
    auth.login(coordinator)
    page = client.get("/admin/reclamations")
    assert "Incidents connus" in page.text and "Séance annulée" in page.text
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "seance.cancel"))
    assert f"/admin/reclamations/incidents/{entry.id}" in page.text
    added = client.post(f"/admin/reclamations/incidents/{entry.id}")
    assert added.status_code == 303
    complaint = db.session.scalar(sa.select(Complaint))
    assert complaint.source == ComplaintSource.INCIDENT
    assert complaint.session_id == session.id
    assert complaint.category == ComplaintCategory.ORGANISATION
    assert complaint.handler_id == coordinator.id
    assert "Communiquer sur son projet" in complaint.text
    # Once in the register, it leaves the list; a second click finds nothing.
    assert f"/admin/reclamations/incidents/{entry.id}" not in client.get("/admin/reclamations").text
    assert client.post(f"/admin/reclamations/incidents/{entry.id}").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 1
    # An incident has nobody to answer: no answer form, and no e-mail.
    assert "Envoyer la réponse" not in client.get(f"/admin/reclamations/{complaint.id}").text


def test_a_replaced_trainer_is_a_known_incident(client, auth):
    from tests.catalogue.test_admin_sessions import session_data

    coordinator = make_coordinator()
    centre = make_centre()
    before = make_trainer(first_name="Nathalie", last_name="Girard")
    after = make_trainer(first_name="Paul", last_name="Lefèvre")
    theme = make_theme()
    session = make_session(
        title="Négocier et conventionner – Blois", host_centre=centre, theme=theme
    )
    session.trainers = [before]
    db.session.commit()
    auth.login(coordinator)
    data = session_data(
        title="Négocier et conventionner – Blois",
        host_centre_id=str(centre.id),
        theme_id=str(theme.id),
        trainer_ids=[str(after.id)],
    )
    answer = client.post(f"/admin/sessions/{session.id}/modifier", data=data)
    assert answer.status_code == 303, answer.text
    (incident,) = known_incidents()
    assert incident.label == "Intervenant·e remplacé·e"
    assert incident.details == "Avant : Nathalie Girard. Maintenant : Paul Lefèvre."
    assert incident.session_id == session.id
    assert client.post(f"/admin/reclamations/incidents/{incident.audit_id}").status_code == 303
    complaint = db.session.scalar(sa.select(Complaint))
    assert complaint.category == ComplaintCategory.TRAINER
    assert "Avant : Nathalie Girard. Maintenant : Paul Lefèvre." in complaint.text
    # Saving the session again without changing its trainers is no incident.
    assert client.post(f"/admin/sessions/{session.id}/modifier", data=data).status_code == 303
    assert known_incidents() == []


def test_old_incidents_are_not_offered(app):
    coordinator = make_coordinator()
    session = make_session(seances=2)
    catalogue_ops.cancel_seance(session.seances[0], actor=coordinator)
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "seance.cancel"))
    entry.at = utcnow() - timedelta(days=400)
    db.session.flush()
    assert known_incidents() == []


def test_complaints_are_in_my_data_and_anonymised_with_the_person(client, auth):
    coordinator = make_coordinator()
    person = make_user(first_name="Martine", last_name="Robin", email="martine@exemple.fr")
    db.session.commit()
    ops.submit_complaint(_data(name="Martine Robin", email="martine@exemple.fr"), actor=person)
    # Sent before she had an account, from the same address.
    ops.submit_complaint(_data(name="M. Robin", email="Martine@Exemple.fr"), actor=None)
    db.session.commit()
    exported = export_person(person)["reclamations"]
    assert [row["nom"] for row in exported] == ["Martine Robin", "M. Robin"]
    assert exported[0]["message"] == TEXT
    auth.login(person)
    assert "Mes réclamations (2)" in client.get("/mes-donnees").text

    anonymise_person(person, actor=coordinator)
    db.session.commit()
    rows = db.session.scalars(sa.select(Complaint).order_by(Complaint.id)).all()
    assert {(row.email, row.text, row.answer) for row in rows} == {("", "", "")}
    assert all("Robin" not in row.name for row in rows)
    assert {row.category for row in rows} == {ComplaintCategory.CONTENT}


def test_the_coordinators_copy_loses_the_message_when_the_person_is_anonymised(app):
    coordinator = make_coordinator(email="coordination@exemple.fr")
    person = make_user(first_name="Martine", last_name="Robin", email="martine@exemple.fr")
    db.session.commit()
    typed = "Ligne un de mon message.\r\nLigne deux, où je raconte ma situation."
    first = ops.submit_complaint(_data(name="Martine Robin", email=person.email), actor=person)
    # Sent under another name with her account: found by the account, not by the address.
    second = ops.submit_complaint(
        _data(name="M. R.", email="autre@exemple.fr", text=typed), actor=person
    )
    references = [first.reference, second.reference]
    db.session.commit()
    notified = _mails(coordinator.email)
    assert len(notified) == 2 and TEXT in notified[0].body_text
    assert typed in notified[1].body_text

    anonymise_person(person, actor=coordinator)
    db.session.commit()
    for mail, reference in zip(_mails(coordinator.email), references, strict=True):
        assert TEXT not in mail.body_text and "Ligne deux" not in mail.body_text
        assert ops.ERASED_WORDS in mail.body_text
        assert reference in mail.subject and reference in mail.body_text  # the facts stay
        assert "Robin" not in mail.body_text


@pytest.mark.parametrize("url", ["/reclamation", "/accessibilite"])
def test_the_footer_links_to_the_form_and_the_statement(client, url):
    page = client.get("/catalogue")
    assert f'href="{url}"' in page.text


def test_the_accessibility_statement_routes_problems_to_the_form(client):
    page = client.get("/accessibilite")
    assert page.status_code == 200
    assert "partiellement conforme" in page.text
    assert "Contenus non accessibles" in page.text
    assert 'href="/reclamation?categorie=accessibility"' in page.text
    form = client.get("/reclamation?categorie=accessibility")
    assert '<option selected value="accessibility">' in form.text
