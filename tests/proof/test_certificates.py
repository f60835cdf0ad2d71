"""Certificates of completion follow the ministry's model: every field is in the PDF."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from pypdf import PdfReader

from reseau.catalogue.models import SessionStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.proof.models import ProofSettings
from tests.attendance.helpers import past_session
from tests.factories import make_coordinator, make_referent

SETTINGS = {
    "provider_name": "Fédération des centres sociaux du Centre",
    "provider_address": "12 rue des Halles, 45000 Orléans",
    "provider_siret": "12345678900011",
    "provider_nda": "24450123445",
    "signatory_name": "Claire Martin",
    "signatory_title": "Présidente",
    "place": "Orléans",
}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), (20, 40, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def _text(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split()), reader


def _closed(**kw):
    session, trainer, people = past_session(
        people=2, seances=2, title="La fonction employeur", **kw
    )
    session.status = SessionStatus.CLOSED
    session.closed_at = utcnow()
    return session, trainer, people


def test_coordinator_settings_then_the_certificate_carries_every_field(client, auth):
    coordinator = make_coordinator()
    session, trainer, people = _closed()
    db.session.commit()
    auth.login(coordinator)
    bad = client.post(
        "/administration/certificats",
        data=dict(SETTINGS, provider_siret="123", stamp=(io.BytesIO(b"not an image"), "x.png")),
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "14 chiffres" in bad.text and "pas une image PNG ou JPEG" in bad.text
    saved = client.post(
        "/administration/certificats",
        data=dict(SETTINGS, stamp=(io.BytesIO(_png()), "cachet.png")),
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303
    assert db.session.get(ProofSettings, 1).stamp_png.startswith(b"\x89PNG")

    auth.logout()
    person = people[0]
    auth.login(person)
    assert "Certificat de réalisation (PDF)" in client.get("/mes-formations").text
    response = client.get(f"/mes-formations/{session.id}/certificat-realisation.pdf")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    text, reader = _text(response.data)
    expected = [
        "Certificat de réalisation",
        *SETTINGS.values(),
        person.full_name,
        person.centre.name,  # the employer
        "La fonction employeur",
        "☒ action de formation",
        "bilan de compétences",
        "6 h réalisées sur 6 h prévues",
        "Cachet et signature",
    ]
    for value in expected:
        assert value in text, value
    first, last = session.seances[0].day, session.seances[-1].day
    assert f"du {first.day} " in text and f"au {last.day} " in text
    # The stamp image is drawn on the page.
    assert reader.pages[0].images, "the signature or stamp image is missing"


def test_the_coordinator_gets_a_sessions_certificates_and_the_referent_their_centres(client, auth):
    coordinator = make_coordinator()
    session, trainer, people = _closed()
    referent = make_referent(people[0].centre)
    db.session.commit()
    auth.login(coordinator)
    text, reader = _text(client.get(f"/mes-sessions/{session.id}/certificats-realisation.pdf").data)
    assert len(reader.pages) == 2 and people[0].full_name in text and people[1].full_name in text
    auth.logout()

    auth.login(referent)
    assert client.get("/mon-centre/certificats-realisation").status_code == 200
    wrong = client.get("/mon-centre/certificats-realisation?start=2026-13-01&end=x")
    assert wrong.status_code == 422 and "Une date comme" in wrong.text
    today = utcnow().date()
    period = f"start={today - timedelta(days=30)}&end={today}"
    response = client.get(f"/mon-centre/certificats-realisation?{period}")
    assert response.status_code == 200
    text, reader = _text(response.data)
    # Only the centre's own person (each person of past_session has their own centre).
    assert len(reader.pages) == 1 and people[0].full_name in text
    assert people[1].full_name not in text
    empty = client.get(
        f"/mon-centre/certificats-realisation?start={today - timedelta(days=400)}&end={today - timedelta(days=300)}"
    )
    assert "Aucun certificat" in _text(empty.data)[0]
