"""The evidence pack of a session: a ZIP with what a control asks for; large sessions are
built in steps by `tick`, the page showing the progress."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import timedelta

import sqlalchemy as sa

from reseau.attendance.models import Feedback
from reseau.catalogue.models import SessionStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment
from reseau.outbox.models import MailStatus, OutboxMail
from reseau.proof import operations, packs
from reseau.proof.models import EvidencePack, PackStatus
from tests.attendance.helpers import past_session
from tests.factories import make_coordinator


def _closed_and_sealed():
    session, trainer, people = past_session(people=2, seances=2, title="Stratégie et partenaires")
    for seance in session.seances:
        operations.seal(
            seance,
            actor=trainer,
            given=operations.SignatureInput(typed_name=trainer.full_name),
            certified=True,
            now=seance.ends_at,
        )
    session.status = SessionStatus.CLOSED
    session.closed_at = utcnow()
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.person_id == people[0].id))
    db.session.add(
        OutboxMail(
            recipient=people[0].email,
            subject="Convocation",
            body_text="Vous êtes attendu·e le …",
            dedup_key=f"convocation:{enrolment.id}:202601010900",
            status=MailStatus.SENT,
            sent_at=utcnow() - timedelta(days=12),
        )
    )
    db.session.add(
        Feedback(session_id=session.id, person_id=people[0].id, satisfaction=4, gained="Du concret")
    )
    db.session.flush()
    return session, trainer, people


def test_the_pack_holds_what_a_control_asks_for(client, auth):
    coordinator = make_coordinator()
    session, trainer, people = _closed_and_sealed()
    db.session.commit()
    auth.login(coordinator)
    assert (
        "Construire le dossier de preuves"
        in client.get(f"/mes-sessions/{session.id}/dossier-de-preuves").text
    )
    assert client.post(f"/mes-sessions/{session.id}/dossier-de-preuves").status_code == 303
    pack = db.session.scalar(sa.select(EvidencePack))
    assert pack.status == PackStatus.DONE and pack.steps_done == pack.steps_total
    page = client.get(f"/mes-sessions/{session.id}/dossier-de-preuves")
    assert "Télécharger le dossier de preuves" in page.text
    response = client.get(f"/dossiers-de-preuves/{pack.id}.zip")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert "01-programme.pdf" in names
    assert [n for n in names if n.startswith("02-convocations/convocation-")]
    sheets = [n for n in names if n.startswith("03-emargements/") and n.endswith("-v1.pdf")]
    assert len(sheets) == 2
    assert (
        "04-evaluations.txt" in names and "05-certificats/certificats-realisation-001.pdf" in names
    )
    convocation = archive.read(next(n for n in names if n.startswith("02-convocations/c"))).decode()
    assert "Envoyé le" in convocation and people[0].email in convocation
    assert "Satisfaction moyenne : 4,0 / 5" in archive.read("04-evaluations.txt").decode()
    rows = list(
        csv.reader(
            io.StringIO(archive.read("06-participants.csv").decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0][-2:] == ["Heures suivies", "Heures prévues"]
    assert {row[0] for row in rows[1:]} == {p.last_name for p in people}
    assert all(row[-2] == "6" for row in rows[1:])
    # Every sealed sheet in the pack is the stored one, and the manifest holds every hash.
    manifest = archive.read("00-LISEZMOI.txt").decode()
    for name in names:
        if name != "00-LISEZMOI.txt":
            assert f"{hashlib.sha256(archive.read(name)).hexdigest()}  {name}" in manifest
    stored = {s.file_sha256 for seance in session.seances for s in operations.versions(seance)}
    assert {hashlib.sha256(archive.read(n)).hexdigest() for n in sheets} == stored


def test_a_large_session_is_built_by_tick_with_progress(app, client, auth, runner):
    app.config["PACK_INLINE_MAX_PEOPLE"] = 1
    coordinator = make_coordinator()
    session, trainer, people = _closed_and_sealed()
    db.session.commit()
    auth.login(coordinator)
    client.post(f"/mes-sessions/{session.id}/dossier-de-preuves")
    pack = db.session.scalar(sa.select(EvidencePack))
    assert pack.status == PackStatus.QUEUED and pack.steps_done == 0
    packs.advance(pack, steps=2)
    db.session.commit()
    page = client.get(
        f"/mes-sessions/{session.id}/dossier-de-preuves", headers={"HX-Request": "true"}
    )
    assert page.text.lstrip().startswith('<div id="pack-status"')
    assert (
        f"2 étapes sur {pack.steps_total}" in page.text
        and 'data-hx-trigger="every 2s"' in page.text
    )
    assert client.get(f"/dossiers-de-preuves/{pack.id}.zip").status_code == 404
    result = runner.invoke(args=["tick"])
    assert "preuves" in result.output
    db.session.expire_all()
    assert db.session.get(EvidencePack, pack.id).status == PackStatus.DONE
    assert client.get(f"/dossiers-de-preuves/{pack.id}.zip").status_code == 200
