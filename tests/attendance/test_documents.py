"""PDFs: sign-in sheet and attendance certificates, text extracted and compared."""

from __future__ import annotations

import io

from pypdf import PdfReader

from reseau.catalogue.models import SessionStatus
from reseau.core.extensions import db
from tests.attendance.helpers import past_session, running_session
from tests.factories import enrol, make_centre, make_coordinator, make_user

FRENCH = "Éloïse-Françoise d’Œillet-Dupré"


def pdf_text(response) -> tuple[int, str]:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_sign_in_sheet(client, auth, app):
    app.config["NETWORK_NAME"] = "Fédération « Centre » des centres sociaux"
    session, trainer, people = running_session(
        people=1, title="Être bénévole : ça s’apprend · « œuvrer » à l’accueil"
    )
    centre = make_centre(name="Centre social de Châteauroux")
    person = make_user(first_name="Éloïse-Françoise", last_name="d’Œillet-Dupré", centre=centre)
    enrol(session, person)
    db.session.commit()
    auth.login(trainer)
    count, text = pdf_text(
        client.get(f"/mes-sessions/seances/{session.seances[0].id}/feuille-emargement.pdf")
    )
    assert count == 1
    assert "Fédération « Centre » des centres sociaux" in text
    assert "Feuille d'émargement" in text
    assert "Être bénévole : ça s’apprend · « œuvrer » à l’accueil" in text
    assert FRENCH in text and "Centre social de Châteauroux" in text and "Bénévole" in text
    assert people[0].full_name in text
    assert trainer.full_name in text
    assert "matin" in text or "après-midi" in text
    assert "page 1 / 1" in text
    assert "Signature" in text


def test_sign_in_sheet_runs_over_several_pages(client, auth):
    session, trainer, _ = running_session(people=40)
    db.session.commit()
    auth.login(trainer)
    count, text = pdf_text(
        client.get(f"/mes-sessions/seances/{session.seances[0].id}/feuille-emargement.pdf")
    )
    assert count >= 2 and f"page 2 / {count}" in text and "Participant39" in text


def test_certificates_for_the_participant_and_the_coordinator(client, auth):
    session, trainer, people = past_session(people=2, seances=2, title="La fonction employeur")
    person = people[0]
    person.first_name, person.last_name = "Éloïse-Françoise", "d’Œillet-Dupré"
    # The second person missed the second séance.
    from reseau.attendance.models import Attendance, AttendanceStatus

    for record in db.session.query(Attendance).filter_by(
        person_id=people[1].id, seance_id=session.seances[1].id
    ):
        record.status = AttendanceStatus.ABSENT
    coordinator = make_coordinator()
    db.session.commit()
    url = f"/mes-formations/{session.id}/attestation.pdf"
    auth.login(person)
    # Not before the session is closed.
    assert client.get(url).status_code == 404
    session.status = SessionStatus.CLOSED
    db.session.commit()
    count, text = pdf_text(client.get(url))
    assert count == 1
    assert "Attestation d'assiduité" in text and FRENCH in text
    assert "« La fonction employeur »" in text
    assert "Heures suivies : 6 h sur 6 h prévues" in text
    # Only one's own: another participant's session gives nothing.
    auth.logout()
    auth.login(people[1])
    _, text = pdf_text(client.get(url))
    assert "Heures suivies : 3 h sur 6 h prévues" in text and FRENCH not in text
    # Someone who did not attend: 404.
    auth.logout()
    auth.login(make_user())
    db.session.commit()
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login(coordinator)
    count, text = pdf_text(client.get(f"/mes-sessions/{session.id}/attestations.pdf"))
    assert count == 2 and FRENCH in text and people[1].full_name in text
    # The trainer may not download everyone's certificates.
    auth.logout()
    auth.login(trainer)
    assert client.get(f"/mes-sessions/{session.id}/attestations.pdf").status_code == 403


def test_my_enrolments_offers_certificate_and_feedback(client, auth):
    session, _, people = past_session(people=1, status=SessionStatus.CLOSED)
    db.session.commit()
    auth.login(people[0])
    page = client.get("/mes-formations")
    assert f"/mes-formations/{session.id}/attestation.pdf" in page.text
    assert f"/mes-formations/{session.id}/avis" in page.text
    assert "Votre avis est attendu" in page.text
