"""Signing per séance (trainer's device, own device, typed name), the window, sealing with
fingerprints checked from the stored file, corrections as versions, PAdES."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from reseau.attendance import checkin
from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.proof import operations
from reseau.proof.models import SealedSheet, SeanceSignature, SignatureWay
from reseau.proof.pades import run_async
from tests.attendance.helpers import running_session
from tests.factories import make_coordinator
from tests.proof.helpers import drawn


def _signature(seance_id, person_id):
    return db.session.scalar(
        sa.select(SeanceSignature).where(
            SeanceSignature.seance_id == seance_id, SeanceSignature.person_id == person_id
        )
    )


def _status(seance_id, person_id):
    return db.session.scalar(
        sa.select(Attendance.status).where(
            Attendance.seance_id == seance_id, Attendance.person_id == person_id
        )
    )


def test_trainer_device_pad_and_typed_name_sign_and_mark_present(client, auth):
    session, trainer, people = running_session(people=3)
    seance = session.seances[0]
    db.session.commit()
    auth.login(trainer)
    page = client.get(f"/mes-sessions/seances/{seance.id}/faire-signer")
    assert page.status_code == 200 and "Prénom0" in page.text
    url = f"/mes-sessions/seances/{seance.id}/faire-signer"
    assert client.post(f"{url}/{people[0].id}", data=drawn()).status_code == 303
    typed = {"typed_name": people[1].full_name.upper(), "certified": "y"}
    assert client.post(f"{url}/{people[1].id}", data=typed).status_code == 303
    # The form's times are Paris times.
    late = drawn()
    late["arrived_at"] = to_local(seance.starts_at + timedelta(minutes=20)).strftime("%H:%M")
    assert client.post(f"{url}/{people[2].id}", data=late).status_code == 303

    first = _signature(seance.id, people[0].id)
    assert first.way == SignatureWay.TRAINER_DEVICE and first.svg.startswith("<svg")
    assert _signature(seance.id, people[1].id).typed_name == people[1].full_name.upper()
    assert _signature(seance.id, people[2].id).arrived_at is not None
    assert _status(seance.id, people[0].id) == AttendanceStatus.PRESENT
    assert _status(seance.id, people[2].id) == AttendanceStatus.LATE
    # Signing twice is refused; a wrong typed name or no box ticked too, with the reason.
    again = client.post(f"{url}/{people[0].id}", data=drawn())
    assert again.status_code == 409 and "déjà signé" in again.text


def test_typed_name_must_be_the_person_and_be_certified(client, auth):
    session, trainer, people = running_session(people=1)
    seance = session.seances[0]
    db.session.commit()
    auth.login(trainer)
    url = f"/mes-sessions/seances/{seance.id}/faire-signer/{people[0].id}"
    wrong = client.post(url, data={"typed_name": "Quelqu'un d'autre", "certified": "y"})
    assert wrong.status_code == 409 and "Tapez le nom" in wrong.text
    unticked = client.post(url, data={"typed_name": people[0].full_name})
    assert unticked.status_code == 409 and "Cochez" in unticked.text
    bad_time = client.post(url, data=dict(drawn(), arrived_at="25:99"))
    assert bad_time.status_code == 422 and "Une heure comme" in bad_time.text
    assert _signature(seance.id, people[0].id) is None


def test_own_device_after_the_qr_check_in(client, auth):
    session, trainer, people = running_session(people=1)
    seance = session.seances[0]
    db.session.commit()
    token = checkin.make_token(seance.id)
    auth.login(people[0])
    page = client.get(f"/emargement/{seance.id}/{token}/signer")
    assert page.status_code == 200 and "Signer" in page.text
    assert client.post(f"/emargement/{seance.id}/{token}/signer", data=drawn()).status_code == 303
    assert _signature(seance.id, people[0].id).way == SignatureWay.OWN_DEVICE
    assert "Vous avez signé" in client.get(f"/emargement/{seance.id}/{token}/signer").text
    assert client.get(f"/emargement/{seance.id}/not-a-token/signer").status_code == 400


@pytest.mark.parametrize("starts_in", [timedelta(hours=2), timedelta(hours=-5)])
def test_signing_is_refused_outside_the_window(client, auth, starts_in):
    # A 3-hour séance starting in 2 hours (too early) or 5 hours ago (over for 2 hours).
    session, trainer, people = running_session(people=1, starts_in=starts_in)
    seance = session.seances[0]
    db.session.commit()
    auth.login(trainer)
    url = f"/mes-sessions/seances/{seance.id}/faire-signer/{people[0].id}"
    assert "La signature n'est possible que du" in client.get(url).text
    refused = client.post(url, data=drawn())
    assert refused.status_code == 409
    assert "La signature a fermé" in refused.text or "La signature ouvre" in refused.text
    assert _signature(seance.id, people[0].id) is None


def test_the_window_is_a_setting(app, client, auth):
    app.config["SIGNING_WINDOW_MINUTES"] = 180
    session, trainer, people = running_session(people=1, starts_in=timedelta(hours=2))
    seance = session.seances[0]
    db.session.commit()
    auth.login(trainer)
    url = f"/mes-sessions/seances/{seance.id}/faire-signer/{people[0].id}"
    assert client.post(url, data=drawn()).status_code == 303


def _seal(client, seance_id, trainer):
    return client.post(
        f"/mes-sessions/seances/{seance_id}/valider",
        data={"typed_name": trainer.full_name, "certified": "y"},
    )


def test_validation_seals_a_pdf_whose_fingerprints_are_checked_from_the_stored_file(client, auth):
    session, trainer, people = running_session(people=2, title="Fonction employeur")
    seance = session.seances[0]
    db.session.commit()
    auth.login(trainer)
    client.post(f"/mes-sessions/seances/{seance.id}/faire-signer/{people[0].id}", data=drawn())
    unticked = client.post(
        f"/mes-sessions/seances/{seance.id}/valider", data={"typed_name": trainer.full_name}
    )
    assert unticked.status_code == 409 and "Je certifie l&#39;exactitude" in unticked.text
    assert _seal(client, seance.id, trainer).status_code == 303
    sheet = db.session.scalar(sa.select(SealedSheet).where(SealedSheet.seance_id == seance.id))
    db.session.expire_all()
    stored = db.session.get(SealedSheet, sheet.id)
    # The file's fingerprint, from the stored bytes.
    assert hashlib.sha256(stored.pdf).hexdigest() == stored.file_sha256
    # The content's fingerprint is printed on the PDF and matches the stored content.
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(stored.pdf)).pages)
    assert hashlib.sha256(stored.content_json.encode()).hexdigest() == stored.content_sha256
    assert stored.content_sha256 in text.replace("\n", "")
    for expected in ("Fonction employeur", trainer.full_name, "non signé", "Module"):
        assert expected in text
    content = json.loads(stored.content_json)
    signed = [p for p in content["participants"] if p["signature"]]
    assert len(signed) == 1 and signed[0]["signature"]["svg"].startswith("<svg")
    assert content["validation"]["statement"] == operations.VALIDATION_STATEMENT
    assert operations.verify(stored)
    assert stored.keep_until == dt.date(to_local(seance.starts_at).year + 6, 12, 31)
    # Sealed: nobody signs any more; the trainer cannot change a mark; the PDF downloads.
    late = client.post(
        f"/mes-sessions/seances/{seance.id}/faire-signer/{people[1].id}", data=drawn()
    )
    assert late.status_code == 409 and "scellée" in late.text
    refused = client.post(
        f"/mes-sessions/seances/{seance.id}/personnes/{people[0].id}",
        data={"status": "absent"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 409 and "scellée" in refused.text
    token = checkin.make_token(seance.id)
    auth.logout()
    auth.login(people[1])
    late_check_in = client.post(f"/emargement/{seance.id}/{token}")
    assert late_check_in.status_code == 409 and "scellée" in late_check_in.text
    auth.logout()
    auth.login(trainer)
    download = client.get(f"/feuilles-scellees/{sheet.id}.pdf")
    assert download.status_code == 200 and download.data == stored.pdf
    assert download.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == operations.SEAL))


def test_a_correction_makes_a_new_version_with_its_reason(client, auth):
    session, trainer, people = running_session(people=1)
    seance = session.seances[0]
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(trainer)
    _seal(client, seance.id, trainer)
    auth.logout()
    # A trainer may not correct; the coordinator corrects the mark, then seals version 2.
    auth.login(coordinator)
    client.post(
        f"/mes-sessions/seances/{seance.id}/personnes/{people[0].id}", data={"status": "excused"}
    )
    assert 'id="changed"' in client.get(f"/mes-sessions/seances/{seance.id}/feuille-scellee").text
    short = client.post(f"/mes-sessions/seances/{seance.id}/corriger", data={"reason": "x"})
    assert short.status_code == 422
    reason = "Présence excusée oubliée par la formatrice"
    assert (
        client.post(f"/mes-sessions/seances/{seance.id}/corriger", data={"reason": reason})
    ).status_code == 303
    versions = db.session.scalars(
        sa.select(SealedSheet)
        .where(SealedSheet.seance_id == seance.id)
        .order_by(SealedSheet.version)
    ).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].reason == reason and versions[0].file_sha256 != versions[1].file_sha256
    assert all(operations.verify(v) for v in versions)
    page = client.get(f"/mes-sessions/seances/{seance.id}/feuille-scellee")
    assert reason in page.text and 'id="changed"' not in page.text
    for version in versions:
        assert client.get(f"/feuilles-scellees/{version.id}.pdf").status_code == 200
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == operations.CORRECT))
    assert entry.actor_id == coordinator.id and entry.after["motif"] == reason
    text = " ".join(PdfReader(io.BytesIO(versions[1].pdf)).pages[0].extract_text().split())
    assert "Excusé·e" in text and "Version 2, corrigée" in text and reason in text


def test_trainer_cannot_correct(client, auth):
    session, trainer, people = running_session(people=1)
    seance = session.seances[0]
    db.session.commit()
    auth.login(trainer)
    _seal(client, seance.id, trainer)
    response = client.post(
        f"/mes-sessions/seances/{seance.id}/corriger", data={"reason": "parce que"}
    )
    assert response.status_code in (403, 404)


def _self_signed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Réseau test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path), cert.public_bytes(serialization.Encoding.DER)


def test_with_a_certificate_the_sealed_pdf_is_pades_signed(app, client, auth, tmp_path):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    key, cert, _ = _self_signed(tmp_path)
    app.config.update(PROOF_SIGNING_KEY=key, PROOF_SIGNING_CERT=cert)
    session, trainer, people = running_session(people=1)
    seance = session.seances[0]
    db.session.commit()
    auth.login(trainer)
    assert _seal(client, seance.id, trainer).status_code == 303
    sheet = db.session.scalar(sa.select(SealedSheet).where(SealedSheet.seance_id == seance.id))
    assert sheet.pades and hashlib.sha256(sheet.pdf).hexdigest() == sheet.file_sha256
    reader = PdfFileReader(io.BytesIO(sheet.pdf))
    context = ValidationContext(trust_roots=[load_cert_from_pemder(cert)])
    status = run_async(lambda: async_validate_pdf_signature(reader.embedded_signatures[0], context))
    assert status.intact and status.valid and status.trusted


def test_seal_is_refused_before_the_seance_starts(app):
    session, trainer, people = running_session(people=1, starts_in=timedelta(hours=1))
    seance = session.seances[0]
    with pytest.raises(operations.ProofError, match="commencée"):
        operations.seal(
            seance,
            actor=trainer,
            given=operations.SignatureInput(typed_name=trainer.full_name),
            certified=True,
            now=utcnow(),
        )
