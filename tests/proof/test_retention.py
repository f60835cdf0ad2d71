"""Proof retention: anonymising keeps sealed proof under retention and erases the rest;
"Mes données" says what is kept and until when; `tick` purges at the end of the period."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.privacy.operations import anonymise_person
from reseau.proof import operations, packs
from reseau.proof.models import EvidencePack, SealedSheet, SeanceSignature, SignatureWay
from reseau.proof.retention import purge_expired
from tests.attendance.helpers import running_session
from tests.factories import make_coordinator
from tests.proof.helpers import PATH


def _signed_sessions():
    """Two running sessions where the person signed; only the first one's sheet is sealed."""
    sealed, trainer, people = running_session(people=1, title="Session scellée")
    person = people[0]
    other, _, _ = running_session(people=0, trainer=trainer, title="Session ouverte")
    from tests.attendance.helpers import enrol

    enrol(other, person)
    for session in (sealed, other):
        operations.sign(
            session.seances[0],
            person,
            operations.SignatureInput(path=PATH, width=300, height=120),
            way=SignatureWay.OWN_DEVICE,
            actor=person,
        )
    operations.seal(
        sealed.seances[0],
        actor=trainer,
        given=operations.SignatureInput(typed_name=trainer.full_name),
        certified=True,
    )
    return sealed, other, trainer, person


def test_anonymising_keeps_sealed_proof_under_retention_and_erases_the_rest(app):
    sealed, other, trainer, person = _signed_sessions()
    coordinator = make_coordinator()
    packs.request_pack(sealed, actor=coordinator)
    name = person.sort_name
    sheet = db.session.scalar(sa.select(SealedSheet))
    pdf_before = sheet.pdf
    anonymise_person(person, actor=coordinator)
    signatures = db.session.scalars(sa.select(SeanceSignature)).all()
    # The signature under the sealed sheet stays; the other one is erased.
    assert [s.seance_id for s in signatures] == [sealed.seances[0].id]
    assert sheet.pdf == pdf_before and name in sheet.content_json
    assert operations.verify(sheet)
    # The pack copied the name: it is dropped (rebuilt at will).
    assert db.session.scalar(sa.select(sa.func.count(EvidencePack.id))) == 0


def test_my_data_says_which_documents_are_kept_and_until_when(client, auth):
    sealed, other, trainer, person = _signed_sessions()
    db.session.commit()
    auth.login(person)
    page = client.get("/mes-donnees")
    year = to_local(sealed.seances[0].starts_at).year + 6
    assert "Preuves conservées (1)" in page.text
    assert "Session scellée" in page.text and f"conservée jusqu'au 31 décembre {year}" in page.text
    exported = client.get("/mes-donnees.json").get_json()
    assert exported["preuves_conservees"][0]["conservee_jusqu_au"] == f"{year}-12-31"


def test_tick_purges_sealed_proof_at_the_end_of_the_period(app, runner):
    sealed, other, trainer, person = _signed_sessions()
    sheet = db.session.scalar(sa.select(SealedSheet))
    fingerprint = sheet.file_sha256
    db.session.commit()
    assert purge_expired(sheet.keep_until) == 0  # the last day is still kept
    sheet.keep_until = to_local(utcnow()).date() - dt.timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["tick"])
    assert "1 feuille(s) scellée(s) purgée(s)" in result.output
    db.session.expire_all()
    purged = db.session.get(SealedSheet, sheet.id)
    assert purged.pdf is None and purged.content_json is None and purged.purged_at is not None
    assert purged.file_sha256 == fingerprint
    remaining = db.session.scalars(sa.select(SeanceSignature.seance_id)).all()
    assert sealed.seances[0].id not in remaining
