"""Closing a session, read-only attendance for trainers, audited corrections."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.attendance.queries import hours_attended
from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.core.audit import AuditLog
from reseau.core.extensions import db
from reseau.outbox.models import OutboxMail
from tests.attendance.helpers import past_session, running_session
from tests.factories import make_coordinator, make_user


def test_cannot_close_before_the_last_seance_is_over(client, auth):
    session, trainer, _ = running_session()
    db.session.commit()
    auth.login(trainer)
    response = client.post(f"/mes-sessions/{session.id}/cloturer")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "La session n&#39;est pas terminée" in page.text
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).status == SessionStatus.PUBLISHED


def test_trainer_closes_then_attendance_is_read_only_for_them(client, auth, htmx_headers):
    session, trainer, people = past_session(people=2)
    guest = make_user(email=None, status="guest", password=False)
    seance = session.seances[0]
    db.session.add(
        Attendance(
            seance=seance, person_id=guest.id, status=AttendanceStatus.PRESENT, is_walk_in=True
        )
    )
    db.session.commit()
    session_id, seance_id = session.id, seance.id
    auth.login(trainer)
    response = client.post(f"/mes-sessions/{session_id}/cloturer")
    assert response.status_code == 303
    db.session.expire_all()
    closed = db.session.get(TrainingSession, session_id)
    assert closed.status == SessionStatus.CLOSED and closed.closed_by_id == trainer.id
    # Every attendee with an e-mail is asked for feedback, once.
    mails = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.recipient)).all()
    assert sorted(m.recipient for m in mails) == sorted(p.email for p in people)
    assert all("/mes-formations/" in m.body_text and "/avis" in m.body_text for m in mails)
    assert mails[0].dedup_key.startswith(f"feedback-request:{session_id}:")
    # Read-only for the trainer: the page says so, the tap and the form are refused.
    page = client.get(f"/mes-sessions/seances/{seance_id}")
    assert "ne se modifie plus" in page.text and "disabled" in page.text
    response = client.post(
        f"/mes-sessions/seances/{seance_id}/personnes/{people[0].id}",
        data={"status": "absent"},
        headers=htmx_headers,
    )
    assert response.status_code == 409 and "seule la coordination" in response.text
    client.post(f"/mes-sessions/seances/{seance_id}", data={f"status-{people[0].id}": "absent"})
    client.post(f"/mes-sessions/seances/{seance_id}/tous-presents")
    db.session.expire_all()
    assert {a.status for a in db.session.scalars(sa.select(Attendance))} == {
        AttendanceStatus.PRESENT
    }
    # Closing twice is refused politely.
    response = client.post(f"/mes-sessions/{session_id}/cloturer")
    assert (
        "Seule une session publiée peut être clôturée."
        in client.get(response.headers["Location"]).text
    )


def test_coordinator_corrects_after_closing_and_it_is_audited(client, auth, htmx_headers):
    session, trainer, people = past_session(people=2, seances=2)
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    assert client.post(f"/mes-sessions/{session.id}/cloturer").status_code == 303
    seance_id, person_id = session.seances[1].id, people[0].id
    response = client.post(
        f"/mes-sessions/seances/{seance_id}/personnes/{person_id}",
        data={"status": "absent"},
        headers=htmx_headers,
    )
    assert response.status_code == 200 and "Enregistré : Absent·e" in response.text
    client.post(f"/mes-sessions/seances/{seance_id}", data={f"status-{people[1].id}": "excused"})
    db.session.expire_all()
    entries = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "attendance.correct").order_by(AuditLog.id)
    ).all()
    assert [(e.actor_id, e.before, e.after) for e in entries] == [
        (coordinator.id, {"status": "present"}, {"status": "absent"}),
        (coordinator.id, {"status": "present"}, {"status": "excused"}),
    ]
    assert entries[0].at is not None and entries[0].object_type == "attendance"
    # Hours follow: both now attended one séance of two.
    closed = db.session.get(TrainingSession, session.id)
    assert hours_attended(closed) == {people[0].id: 3.0, people[1].id: 3.0}
    # Changes before closing are not audited as corrections.
    assert len(entries) == 2


def test_coordinator_closes_from_the_admin_page(client, auth):
    session, _, _ = past_session(people=1)
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    page = client.get(f"/admin/sessions/{session.id}")
    assert f'href="/mes-sessions/{session.id}/cloturer?next=' in page.text
    assert f'href="/mes-sessions/{session.id}"' in page.text
