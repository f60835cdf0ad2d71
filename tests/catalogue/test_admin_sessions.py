"""Sessions: create, edit, validation, status actions, list filters, detail page."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from reseau.catalogue.models import (
    PlaceKind,
    PromotionMode,
    SeanceStatus,
    SessionKind,
    SessionStatus,
    TrainingSession,
)
from reseau.catalogue.operations import close_session
from reseau.catalogue.signals import session_cancelled, session_changed, session_published
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from tests.factories import (
    make_centre,
    make_department,
    make_module,
    make_session,
    make_theme,
    make_trainer,
    make_user,
)


@pytest.fixture
def signals():
    """Record the catalogue signals sent during the test."""
    sent = []

    def receiver(name):
        def receive(sender, **kwargs):
            sent.append((name, sender.id, kwargs["actor"].id))

        return receive

    receivers = {
        session_published: receiver("published"),
        session_changed: receiver("changed"),
        session_cancelled: receiver("cancelled"),
    }
    for signal, function in receivers.items():
        signal.connect(function)
    yield sent
    for signal, function in receivers.items():
        signal.disconnect(function)


def session_data(**overrides) -> dict:
    data = {
        "kind": "formation",
        "module_id": "",
        "theme_id": "",
        "title": "Accueillir les bénévoles",
        "description": "Une journée pour échanger.",
        "objectives": "Savoir accueillir",
        "audience": "benevoles",
        "capacity": "15",
        "centre_cap": "",
        "enrolment_deadline": "",
        "place_kind": "centre",
        "host_centre_id": "",
        "place_name": "",
        "address": "",
        "postcode": "",
        "town": "",
        "visio_url": "",
        "department_id": "",
        "promotion_mode": "automatic",
        "offer_hours": "48",
        "what_to_bring": "",
    }
    data.update(overrides)
    return data


def test_create_session_from_a_module(client, coordinator):
    module = make_module(title="Module accueil", objectives="Objectifs du module")
    centre = make_centre(name="Centre social du Blanc")
    trainers = [make_trainer(last_name="Martin"), make_trainer(last_name="Bernard")]
    make_user(last_name="Pas formateur")
    db.session.commit()
    form = client.get(f"/admin/sessions/nouvelle?module={module.id}")
    assert form.status_code == 200
    assert f'<option selected value="{module.id}">' in form.text
    assert "Martin" in form.text and "Pas formateur" not in form.text
    data = session_data(
        module_id=str(module.id),
        title="",
        objectives="",
        host_centre_id=str(centre.id),
        centre_cap="3",
        enrolment_deadline="2026-12-01T18:00",
        requires_validation="y",
        promotion_mode="offer",
        offer_hours="24",
        what_to_bring="De quoi écrire",
        # The ids of the two trainers: a multi-valued field.
        trainer_ids=[str(trainers[0].id), str(trainers[1].id)],
    )
    response = client.post("/admin/sessions/nouvelle", data=data)
    assert response.status_code == 303, response.text
    session = db.session.scalar(sa.select(TrainingSession))
    assert response.headers["Location"].endswith(f"/admin/sessions/{session.id}")
    assert session.status == SessionStatus.DRAFT
    assert session.title == "Module accueil"
    assert session.objectives == "Objectifs du module"
    # The theme follows the module's cycle; the département the host centre's.
    assert session.theme_id == module.cycle.theme_id
    assert session.department_id == centre.department_id
    assert session.place_kind == PlaceKind.CENTRE and session.host_centre_id == centre.id
    assert session.centre_cap == 3
    # 18:00 in Paris in December is 17:00 UTC.
    assert session.enrolment_deadline == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert session.requires_validation is True
    assert (session.promotion_mode, session.offer_hours) == (PromotionMode.OFFER, 24)
    assert sorted(t.last_name for t in session.trainers) == ["Bernard", "Martin"]
    assert db.session.scalar(sa.select(AuditLog.action)) == "session.create"

    page = client.get(f"/admin/sessions/{session.id}")
    assert "Module accueil" in page.text
    assert "Brouillon" in page.text
    assert "Centre social du Blanc" in page.text
    assert "Bernard" in page.text and "Martin" in page.text
    assert "mardi 1 décembre 2026 à 18 h" in page.text
    assert "24 heures" in page.text
    assert "De quoi écrire" in page.text


def test_a_module_overrides_the_chosen_theme(client, coordinator):
    module = make_module()
    other = make_theme()
    centre = make_centre()
    db.session.commit()
    client.post(
        "/admin/sessions/nouvelle",
        data=session_data(
            module_id=str(module.id), theme_id=str(other.id), host_centre_id=str(centre.id)
        ),
    )
    session = db.session.scalar(sa.select(TrainingSession))
    assert session.theme_id == module.cycle.theme_id != other.id


def test_event_at_an_address_takes_the_department_from_the_postcode(client, coordinator):
    indre = make_department(code="36", name="Indre")
    cher = make_department(code="18", name="Cher")
    theme = make_theme()
    db.session.commit()
    response = client.post(
        "/admin/sessions/nouvelle",
        data=session_data(
            kind="rencontre_regionale",
            theme_id=str(theme.id),
            place_kind="address",
            place_name="Salle des fêtes",
            address="1 place de la Mairie",
            postcode="36300",
            town="Le Blanc",
        ),
    )
    assert response.status_code == 303
    session = db.session.scalar(sa.select(TrainingSession))
    assert session.kind == SessionKind.RENCONTRE_REGIONALE
    assert session.department_id == indre.id
    assert session.place_label == "Salle des fêtes, 1 place de la Mairie, 36300 Le Blanc"
    # An explicit département wins over the postcode.
    client.post(
        f"/admin/sessions/{session.id}/modifier",
        data=session_data(
            kind="rencontre_regionale",
            theme_id=str(theme.id),
            place_kind="address",
            address="1 place de la Mairie",
            postcode="36300",
            town="Le Blanc",
            department_id=str(cher.id),
        ),
    )
    db.session.refresh(session)
    assert session.department_id == cher.id


@pytest.mark.parametrize(
    ("overrides", "field_value", "message"),
    [
        ({"place_kind": "centre"}, None, "Choisissez le centre qui accueille la session."),
        (
            {"place_kind": "address", "town": "Vierzon"},
            'value="Vierzon"',
            "Indiquez l'adresse du lieu.",
        ),
        ({"place_kind": "visio"}, None, "Indiquez le lien de la visio."),
        (
            {"place_kind": "visio", "visio_url": "visio.exemple.fr"},
            'value="visio.exemple.fr"',
            "Le lien commence par https://",
        ),
        ({"capacity": "-2"}, 'value="-2"', "Le nombre de places va de 0 à 10 000."),
        ({"capacity": "douze"}, 'value="douze"', "entier"),
        ({"centre_cap": "0"}, 'value="0"', "Au moins 1 place par centre"),
        (
            {"postcode": "123", "place_kind": "address", "address": "Rue", "town": "Bourges"},
            'value="123"',
            "Le code postal compte 5 chiffres",
        ),
        ({"title": ""}, None, "Donnez un titre à la session"),
        ({"kind": "formation"}, None, "Une formation porte sur un module ou une thématique."),
        ({"offer_hours": "0"}, 'value="0"', "Un délai entre 1 et 720 heures."),
        ({"enrolment_deadline": "demain"}, 'value="demain"', "date"),
    ],
)
def test_session_validation(client, coordinator, overrides, field_value, message):
    response = client.post(
        "/admin/sessions/nouvelle",
        data=session_data(title="Titre tapé", description="Description tapée", **overrides)
        if "title" not in overrides
        else session_data(description="Description tapée", **overrides),
    )
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert "Description tapée" in response.text
    if field_value:
        assert field_value in response.text
    assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0


def test_unknown_trainer_is_refused_in_french(client, coordinator):
    centre = make_centre()
    db.session.commit()
    response = client.post(
        "/admin/sessions/nouvelle",
        data=session_data(
            kind="journee_departementale", host_centre_id=str(centre.id), trainer_ids=["999"]
        ),
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0


def test_validation_errors_come_back_as_the_form_for_htmx(client, coordinator, htmx_headers):
    response = client.post(
        "/admin/sessions/nouvelle", data=session_data(place_kind="visio"), headers=htmx_headers
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="session-form"')
    assert 'aria-invalid="true"' in response.text


def test_edit_a_published_session_changes_the_place(client, coordinator, signals):
    centre = make_centre()
    session = make_session(host_centre=centre, seances=2, kind=SessionKind.JOURNEE_DEPARTEMENTALE)
    db.session.commit()
    form = client.get(f"/admin/sessions/{session.id}/modifier")
    assert form.status_code == 200
    assert f'value="{session.title}"' in form.text
    response = client.post(
        f"/admin/sessions/{session.id}/modifier",
        data=session_data(
            kind="journee_departementale",
            title="Nouveau titre",
            place_kind="visio",
            visio_url="https://visio.exemple.fr/salle",
            host_centre_id=str(centre.id),
        ),
    )
    assert response.status_code == 303
    db.session.expire_all()
    session = db.session.get(TrainingSession, session.id)
    assert session.title == "Nouveau titre"
    assert session.place_kind == PlaceKind.VISIO
    # Only the chosen place is kept.
    assert session.host_centre_id is None
    assert session.visio_url == "https://visio.exemple.fr/salle"
    # A new place is a change for calendars and for the people enrolled.
    assert [seance.sequence for seance in session.seances] == [1, 1]
    assert signals == [("changed", session.id, coordinator.id)]


def test_publish_cancel_and_close(client, coordinator, signals):
    theme = make_theme()
    draft = make_session(status=SessionStatus.DRAFT, theme=theme, seances=2)
    empty = make_session(status=SessionStatus.DRAFT, theme=theme, seances=0)
    db.session.commit()

    # Without séance (or trainer, or place) publishing asks first, and publishes nothing.
    response = client.post(f"/admin/sessions/{empty.id}/publier")
    assert response.status_code == 200
    assert "aucune séance" in response.text and 'name="confirme" value="oui"' in response.text
    assert db.session.get(TrainingSession, empty.id).status == SessionStatus.DRAFT

    response = client.post(f"/admin/sessions/{draft.id}/publier", data={"confirme": "oui"})
    assert response.status_code == 303
    db.session.expire_all()
    session = db.session.get(TrainingSession, draft.id)
    assert session.status == SessionStatus.PUBLISHED and session.published_at is not None
    assert signals == [("published", draft.id, coordinator.id)]
    # Publishing twice is refused, politely.
    client.post(f"/admin/sessions/{draft.id}/publier")
    page = client.get(f"/admin/sessions/{draft.id}")
    assert "Seule une session en brouillon peut être publiée." in page.text

    # Closing is the attendance room's page (it checks the last séance is over and asks for
    # feedback); the catalogue operation underneath is what it calls.
    close_session(db.session.get(TrainingSession, draft.id), actor=coordinator)
    db.session.commit()
    db.session.expire_all()
    session = db.session.get(TrainingSession, draft.id)
    assert session.status == SessionStatus.CLOSED
    assert session.closed_by_id == coordinator.id and session.closed_at is not None
    # A closed session can no longer be cancelled or edited.
    client.post(f"/admin/sessions/{draft.id}/annuler")
    assert db.session.get(TrainingSession, draft.id).status == SessionStatus.CLOSED
    response = client.get(f"/admin/sessions/{draft.id}/modifier")
    assert response.status_code == 303

    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.object_id == draft.id).order_by(AuditLog.id)
    ).all()
    assert actions == ["session.publish", "session.close"]
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "session.close"))
    assert entry.before == {"status": "published"} and entry.after == {"status": "closed"}


def test_cancel_a_published_session(client, coordinator, signals):
    session = make_session(seances=2)
    db.session.commit()
    confirm = client.get(f"/admin/sessions/{session.id}/annuler")
    assert confirm.status_code == 200
    assert "Oui, annuler la session" in confirm.text
    response = client.post(f"/admin/sessions/{session.id}/annuler")
    assert response.status_code == 303
    db.session.expire_all()
    session = db.session.get(TrainingSession, session.id)
    assert session.status == SessionStatus.CANCELLED and session.cancelled_at is not None
    # The séances are kept, marked cancelled, with a new SEQUENCE for calendars.
    assert [(s.status, s.sequence) for s in session.seances] == [(SeanceStatus.CANCELLED, 1)] * 2
    assert signals == [("cancelled", session.id, coordinator.id)]
    assert db.session.scalar(sa.select(AuditLog.action)) == "session.cancel"
    page = client.get(f"/admin/sessions/{session.id}")
    assert "Cette session a été annulée" in page.text
    assert "Publier" not in page.text and ">Modifier<" not in page.text


def test_session_list_filters(client, coordinator, htmx_headers):
    now = utcnow()
    indre, cher = make_department(code="36"), make_department(code="18")
    parentalite, jeunesse = make_theme(name="Parentalité"), make_theme(name="Jeunesse")
    blanc = make_centre(name="Centre social du Blanc", department=indre)
    make_session(
        title="Accueil futur",
        theme=parentalite,
        department=indre,
        host_centre=blanc,
        starts_at=now + timedelta(days=10),
    )
    make_session(
        title="Brouillon futur",
        status=SessionStatus.DRAFT,
        theme=jeunesse,
        department=cher,
        starts_at=now + timedelta(days=20),
    )
    make_session(
        title="Rencontre passée",
        kind=SessionKind.RENCONTRE_REGIONALE,
        theme=jeunesse,
        department=cher,
        starts_at=now - timedelta(days=300),
    )
    make_session(title="Sans date", status=SessionStatus.DRAFT, seances=0)
    db.session.commit()

    def titles(query: str, **kwargs) -> set[str]:
        response = client.get(f"/admin/sessions{query}", **kwargs)
        assert response.status_code == 200
        return {
            title
            for title in ("Accueil futur", "Brouillon futur", "Rencontre passée", "Sans date")
            if title in response.text
        }

    # Upcoming by default (sessions without séances yet included).
    assert titles("") == {"Accueil futur", "Brouillon futur", "Sans date"}
    assert titles("?periode=passees") == {"Rencontre passée"}
    assert titles("?periode=toutes") == {
        "Accueil futur",
        "Brouillon futur",
        "Rencontre passée",
        "Sans date",
    }
    assert titles("?statut=draft") == {"Brouillon futur", "Sans date"}
    assert titles("?periode=toutes&type=rencontre_regionale") == {"Rencontre passée"}
    assert titles(f"?periode=toutes&thematique={jeunesse.id}") == {
        "Brouillon futur",
        "Rencontre passée",
    }
    assert titles(f"?departement={indre.id}") == {"Accueil futur"}
    assert titles("?q=brouillon") == {"Brouillon futur"}
    # The host centre's name is searched too.
    assert titles("?q=du+blanc") == {"Accueil futur"}
    # Nonsense filters are ignored, never an error.
    assert titles("?statut=nimporte&type=quoi&periode=jamais&page=abc") == titles("")

    # htmx: only the results partial, the filters stay in the URL the browser pushes.
    fragment = client.get("/admin/sessions?q=accueil", headers=htmx_headers)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="session-results"')
    assert "<html" not in fragment.text and 'role="search"' not in fragment.text
    assert "Accueil futur" in fragment.text
    page = client.get("/admin/sessions?q=accueil&statut=published")
    assert 'value="accueil"' in page.text
    assert '<option value="published" selected>' in page.text


def test_session_list_paginates(client, coordinator):
    for n in range(27):
        make_session(title=f"Session numéro {n:02d}", seances=0, status=SessionStatus.DRAFT)
    db.session.commit()
    first = client.get("/admin/sessions")
    assert "Page 1 sur 2" in first.text
    second = client.get("/admin/sessions?page=2")
    assert "Page 2 sur 2" in second.text
    assert second.text.count("Session numéro") == 2


def test_pages_make_a_fixed_number_of_queries(client, coordinator, count_queries):
    def build(n: int) -> TrainingSession:
        theme = make_theme()
        centre = make_centre()
        session = None
        for _ in range(n):
            session = make_session(
                theme=theme, host_centre=centre, department=centre.department, seances=n
            )
            session.trainers = [make_trainer() for _ in range(n)]
        db.session.commit()
        return session

    small = build(1)
    few_list = count_queries.page(client, "/admin/sessions", fresh=False)
    few_detail = count_queries.page(client, f"/admin/sessions/{small.id}", fresh=False)
    large = build(6)
    assert count_queries.page(client, "/admin/sessions", fresh=False) == few_list
    assert count_queries.page(client, f"/admin/sessions/{large.id}", fresh=False) == few_detail
