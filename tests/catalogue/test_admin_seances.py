"""Séances: add, move, cancel, restore, delete; Paris wall-clock, SEQUENCE, session dates."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from reseau.catalogue.models import Seance, SeanceStatus, SessionStatus, TrainingSession
from reseau.catalogue.signals import session_changed
from reseau.core.audit import AuditLog
from reseau.core.extensions import db
from tests.factories import make_session


@pytest.fixture
def changes():
    sent = []

    def receive(sender, **kwargs):
        sent.append(sender.id)

    session_changed.connect(receive)
    yield sent
    session_changed.disconnect(receive)


def get_session(session_id: int) -> TrainingSession:
    db.session.expire_all()
    return db.session.get(TrainingSession, session_id)


def test_add_seances_in_paris_time(client, coordinator, changes):
    session = make_session(status=SessionStatus.DRAFT, seances=0)
    db.session.commit()
    # Summer time (UTC+2), then winter time (UTC+1).
    for day, start, end in (("2026-06-15", "09:30", "12:30"), ("2026-12-03", "14:00", "17:00")):
        response = client.post(
            f"/admin/sessions/{session.id}/seances",
            data={"day": day, "start_time": start, "end_time": end},
        )
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/admin/sessions/{session.id}#seances")
    session = get_session(session.id)
    assert [(s.starts_at, s.ends_at) for s in session.seances] == [
        (datetime(2026, 6, 15, 7, 30, tzinfo=UTC), datetime(2026, 6, 15, 10, 30, tzinfo=UTC)),
        (datetime(2026, 12, 3, 13, 0, tzinfo=UTC), datetime(2026, 12, 3, 16, 0, tzinfo=UTC)),
    ]
    # sync_dates() ran: the session spans its séances.
    assert session.starts_at == datetime(2026, 6, 15, 7, 30, tzinfo=UTC)
    assert session.ends_at == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
    assert changes == []  # a draft: nobody to tell
    page = client.get(f"/admin/sessions/{session.id}")
    assert "lundi 15 juin 2026, 9 h 30 – 12 h 30" in page.text
    assert "jeudi 3 décembre 2026, 14 h – 17 h" in page.text


def test_end_before_start_is_refused(client, coordinator, htmx_headers):
    session = make_session(status=SessionStatus.DRAFT, seances=0)
    db.session.commit()
    data = {"day": "2026-06-15", "start_time": "14:00", "end_time": "09:00"}
    response = client.post(f"/admin/sessions/{session.id}/seances", data=data)
    assert response.status_code == 422
    assert "L'heure de fin doit être après l'heure de début." in html.unescape(response.text)
    assert 'value="2026-06-15"' in response.text and 'value="14:00"' in response.text
    assert "<html" in response.text
    response = client.post(
        f"/admin/sessions/{session.id}/seances",
        data=dict(data, end_time="14:00"),
        headers=htmx_headers,
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="seance-form"')
    assert "L'heure de fin doit être après l'heure de début." in html.unescape(response.text)
    response = client.post(
        f"/admin/sessions/{session.id}/seances", data={"day": "bientôt", "start_time": "9h"}
    )
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in response.text
    assert 'value="bientôt"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Seance.id))) == 0


def test_moving_a_seance_increments_its_sequence(client, coordinator, changes):
    session = make_session(starts_at=datetime(2026, 6, 15, 7, 0, tzinfo=UTC), seances=2)
    db.session.commit()
    seance = session.seances[0]
    form = client.get(f"/admin/seances/{seance.id}/modifier")
    assert form.status_code == 200
    # 07:00 UTC in June is 09:00 in Paris.
    assert 'value="2026-06-15"' in form.text and 'value="09:00"' in form.text
    assert 'value="12:00"' in form.text

    # Saving the same time changes nothing.
    data = {"day": "2026-06-15", "start_time": "09:00", "end_time": "12:00"}
    assert client.post(f"/admin/seances/{seance.id}/modifier", data=data).status_code == 303
    assert get_session(session.id).seances[0].sequence == 0

    data = {"day": "2026-06-14", "start_time": "13:30", "end_time": "17:00"}
    response = client.post(f"/admin/seances/{seance.id}/modifier", data=data)
    assert response.status_code == 303
    session = get_session(session.id)
    moved = db.session.get(Seance, seance.id)
    assert moved.starts_at == datetime(2026, 6, 14, 11, 30, tzinfo=UTC)
    assert moved.sequence == 1
    assert session.starts_at == moved.starts_at
    assert changes == [session.id]
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "seance.update"))
    assert entry.object_id == seance.id and entry.before["starts_at"].startswith("2026-06-15")

    response = client.post(
        f"/admin/seances/{seance.id}/modifier",
        data={"day": "2026-06-14", "start_time": "18:00", "end_time": "17:00"},
    )
    assert response.status_code == 422
    assert "L'heure de fin doit être après l'heure de début." in html.unescape(response.text)
    assert db.session.get(Seance, seance.id).sequence == 1


def test_cancel_and_restore_a_seance_of_a_published_session(client, coordinator, changes):
    session = make_session(starts_at=datetime(2026, 6, 15, 7, 0, tzinfo=UTC), seances=2)
    db.session.commit()
    first, second = (s.id for s in session.seances)
    # A published session's séance cannot be deleted, only cancelled.
    response = client.post(f"/admin/seances/{first}/supprimer")
    assert response.status_code == 303
    assert db.session.get(Seance, first) is not None
    page = client.get(f"/admin/sessions/{session.id}")
    assert "la séance peut être annulée, pas supprimée" in page.text

    assert client.post(f"/admin/seances/{first}/annuler").status_code == 303
    session = get_session(session.id)
    seance = db.session.get(Seance, first)
    assert (seance.status, seance.sequence) == (SeanceStatus.CANCELLED, 1)
    # The session now starts with its remaining séance.
    assert session.starts_at == db.session.get(Seance, second).starts_at
    assert changes == [session.id]
    page = client.get(f"/admin/sessions/{session.id}")
    assert "<del>lundi 15 juin 2026, 9 h – 12 h</del>" in page.text
    assert "Rétablir" in page.text

    # The last scheduled séance cannot be cancelled: cancel the session instead.
    client.post(f"/admin/seances/{second}/annuler")
    assert db.session.get(Seance, second).status == SeanceStatus.SCHEDULED
    page = client.get(f"/admin/sessions/{session.id}")
    assert "annulez plutôt la session" in page.text

    assert client.post(f"/admin/seances/{first}/retablir").status_code == 303
    db.session.expire_all()
    seance = db.session.get(Seance, first)
    assert (seance.status, seance.sequence) == (SeanceStatus.SCHEDULED, 2)
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.object_id == first).order_by(AuditLog.id)
    ).all()
    assert actions == ["seance.cancel", "seance.restore"]


def test_delete_a_seance_of_a_draft(client, coordinator, htmx_headers):
    session = make_session(status=SessionStatus.DRAFT, seances=2)
    db.session.commit()
    first, second = (s.id for s in session.seances)
    # A draft's séance is deleted, not cancelled.
    client.post(f"/admin/seances/{first}/annuler")
    assert db.session.get(Seance, first).status == SeanceStatus.SCHEDULED
    response = client.post(f"/admin/seances/{first}/supprimer")
    assert response.status_code == 303
    session = get_session(session.id)
    assert [s.id for s in session.seances] == [second]
    assert session.starts_at == session.seances[0].starts_at
    response = client.post(f"/admin/seances/{second}/supprimer")
    session = get_session(session.id)
    assert session.seances == [] and session.starts_at is None


def test_seances_of_a_closed_session_are_frozen(client, coordinator):
    session = make_session(status=SessionStatus.CLOSED, seances=1)
    db.session.commit()
    seance_id = session.seances[0].id
    response = client.post(
        f"/admin/sessions/{session.id}/seances",
        data={"day": "2026-06-15", "start_time": "09:00", "end_time": "12:00"},
    )
    assert response.status_code == 303
    client.post(
        f"/admin/seances/{seance_id}/modifier",
        data={"day": "2026-06-15", "start_time": "09:00", "end_time": "12:00"},
    )
    client.post(f"/admin/seances/{seance_id}/annuler")
    session = get_session(session.id)
    assert len(session.seances) == 1
    assert (session.seances[0].status, session.seances[0].sequence) == (SeanceStatus.SCHEDULED, 0)
    page = client.get(f"/admin/sessions/{session.id}")
    assert "Ajouter une séance" not in page.text
