"""Proof rules: who signs when, sealing a séance's sheet, corrections as new versions, the
certificate settings, and how long sealed proof is kept.

Functions take models and an explicit ``actor``, flush and never commit: the view commits.
A refused action raises ProofError with a French message for the person.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from reseau.accounts.models import User
from reseau.attendance import operations as attendance
from reseau.attendance.models import AttendanceStatus
from reseau.attendance.operations import AttendanceError
from reseau.catalogue.models import Seance, SeanceStatus, SessionStatus
from reseau.core.audit import record_audit
from reseau.core.database import lock_row, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import datetime_fr, span_fr, to_local
from reseau.proof import pades
from reseau.proof.models import ProofSettings, SealedSheet, SeanceSignature, SignatureWay
from reseau.proof.signatures import SignatureError, parse_path

PRESENCE_STATEMENT = "Je certifie avoir été présent·e"
VALIDATION_STATEMENT = "Je certifie l'exactitude de cette feuille d'émargement"
SEAL = "attendance.seal"
CORRECT = "attendance.seal_correct"


class ProofError(Exception):
    """A refused action; ``message`` is French and shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class SignatureInput:
    """What a signing form sent: path data from the pad, or a typed name and the box."""

    path: str = ""
    width: int | None = None
    height: int | None = None
    typed_name: str = ""
    certified: bool = False


# --- Reading -----------------------------------------------------------------------------


def signing_window(seance: Seance) -> tuple[datetime, datetime]:
    margin = timedelta(minutes=current_app.config.get("SIGNING_WINDOW_MINUTES", 30))
    return seance.starts_at - margin, seance.ends_at + margin


def window_open(seance: Seance, now: datetime | None = None) -> bool:
    start, end = signing_window(seance)
    return start <= (now or utcnow()) <= end


def signatures_of(seance: Seance) -> dict[int, SeanceSignature]:
    """Return {person id: signature} at ``seance`` (one query)."""
    rows = db.session.scalars(
        sa.select(SeanceSignature).where(SeanceSignature.seance_id == seance.id)
    )
    return {row.person_id: row for row in rows}


def versions(seance: Seance) -> list[SealedSheet]:
    """The sealed versions of ``seance``'s sheet, newest first (PDFs not loaded)."""
    return list(
        db.session.scalars(
            sa.select(SealedSheet)
            .options(sa.orm.defer(SealedSheet.pdf), sa.orm.defer(SealedSheet.content_json))
            .where(SealedSheet.seance_id == seance.id)
            .order_by(SealedSheet.version.desc())
        )
    )


def is_sealed(seance_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(SealedSheet.id).where(SealedSheet.seance_id == seance_id).limit(1)
        )
        is not None
    )


def keep_until(seance: Seance) -> date:
    """The last day sealed proof of ``seance`` is kept: the end of the séance's year plus
    PROOF_RETENTION_YEARS years (README, "Proof retention", and docs/proof-retention.md)."""
    years = current_app.config.get("PROOF_RETENTION_YEARS", 6)
    return date(to_local(seance.starts_at).year + years, 12, 31)


def get_settings() -> ProofSettings:
    """The certificate settings; before the coordinator saves them, unsaved defaults (the
    network's name as the provider)."""
    settings = db.session.get(ProofSettings, 1)
    if settings is None:
        texts = dict.fromkeys(ProofSettings.TEXTS, "")
        texts["provider_name"] = current_app.config["NETWORK_NAME"]
        settings = ProofSettings(id=1, **texts)
    return settings


# --- Signing -----------------------------------------------------------------------------


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().replace("-", " ").split())


def _svg_of(given: SignatureInput, name: str) -> tuple[str, str]:
    """Return (svg, typed name) for a signature by ``name``; ProofError if unusable."""
    if given.path.strip():
        try:
            return parse_path(given.path, given.width, given.height).svg(), ""
        except SignatureError as error:
            raise ProofError(error.message) from error
    typed = " ".join((given.typed_name or "").split())
    if not typed:
        raise ProofError("Signez dans le cadre, ou tapez votre nom et prénom.")
    if _plain(typed) != _plain(name) and _plain(typed) != _plain(" ".join(name.split()[::-1])):
        raise ProofError(f"Tapez le nom et le prénom de la personne qui signe : {name}.")
    if not given.certified:
        raise ProofError("Cochez la case pour certifier la présence.")
    return "", typed[:160]


def _check_times(seance: Seance, arrived_at, left_at) -> None:
    for value, label in ((arrived_at, "L'heure d'arrivée"), (left_at, "L'heure de départ")):
        if value is not None and not seance.starts_at <= value <= seance.ends_at:
            raise ProofError(
                f"{label} doit être pendant la séance ({span_fr(seance.starts_at, seance.ends_at)})."
            )
    if arrived_at and left_at and left_at <= arrived_at:
        raise ProofError("L'heure de départ doit suivre l'heure d'arrivée.")


def sign(
    seance: Seance,
    person: User,
    given: SignatureInput,
    *,
    way: SignatureWay,
    actor: User,
    arrived_at: datetime | None = None,
    left_at: datetime | None = None,
    now: datetime | None = None,
) -> SeanceSignature:
    """Record ``person``'s signature at ``seance`` and mark them present (late when they
    arrived after the start). Only inside the signing window, before the sheet is sealed,
    once per person; on the trainer's device, only people on the roster."""
    now = now or utcnow()
    lock_row(seance.session, shared=True)
    lock_row(seance)
    if seance.session.status != SessionStatus.PUBLISHED or seance.status != SeanceStatus.SCHEDULED:
        raise ProofError("L'émargement de cette séance n'est pas ouvert.")
    if is_sealed(seance.id):
        raise ProofError("La feuille d'émargement de cette séance est déjà validée et scellée.")
    start, end = signing_window(seance)
    if now < start:
        raise ProofError(
            f"La signature ouvre le {datetime_fr(start)} (avant le début de la séance)."
        )
    if now > end:
        raise ProofError(f"La signature a fermé le {datetime_fr(end)} (après la fin de la séance).")
    if way == SignatureWay.TRAINER_DEVICE and attendance.roster_line(seance, person.id) is None:
        raise ProofError("Cette personne n'est pas sur la liste de la séance.")
    if person.id in signatures_of(seance):
        raise ProofError(f"{person.full_name} a déjà signé pour cette séance.")
    _check_times(seance, arrived_at, left_at)
    svg, typed = _svg_of(given, person.full_name)
    status = (
        AttendanceStatus.LATE
        if arrived_at and arrived_at > seance.starts_at
        else (AttendanceStatus.PRESENT)
    )
    try:
        attendance.mark_signed(seance, person, status, actor=actor)
    except AttendanceError as refusal:
        raise ProofError(refusal.message) from refusal
    signature = SeanceSignature(
        seance_id=seance.id,
        person_id=person.id,
        svg=svg,
        typed_name=typed,
        way=way,
        signed_at=now,
        arrived_at=arrived_at,
        left_at=left_at,
        recorded_by_id=actor.id,
    )
    db.session.add(signature)
    db.session.flush()
    return signature


# --- Sealing -----------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def sheet_content(seance: Seance, validation: dict) -> dict:
    """The canonical content of ``seance``'s sheet (what the PDF shows and the hash covers)."""
    session = seance.session
    signed = signatures_of(seance)
    participants = []
    for line in attendance.roster(seance).lines:
        person, signature = line.person, signed.get(line.person.id)
        participants.append(
            {
                "id": person.id,
                "name": person.sort_name,
                "centre": person.centre.name if person.centre else "",
                "category": person.category.label,
                "status": line.status.label if line.status else "Non marqué·e",
                "walk_in": line.is_walk_in,
                "signature": None
                if signature is None
                else {
                    "svg": signature.svg,
                    "typed_name": signature.typed_name,
                    "at": _iso(signature.signed_at),
                    "way": signature.way.label,
                    "arrived_at": _iso(signature.arrived_at),
                    "left_at": _iso(signature.left_at),
                },
            }
        )
    return {
        "format": "reseau-feuille-emargement-1",
        "network": current_app.config["NETWORK_NAME"],
        "session": {
            "id": session.id,
            "title": session.title,
            "kind": session.kind.label,
            "module": session.module.title if session.module else session.title,
            "place": session.place_label or "",
        },
        "seance": {
            "id": seance.id,
            "starts_at": _iso(seance.starts_at),
            "ends_at": _iso(seance.ends_at),
        },
        "trainers": [trainer.full_name for trainer in session.trainers],
        "validation": validation,
        "participants": participants,
    }


def _fingerprint(content: dict) -> tuple[str, str]:
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _store(seance: Seance, content: dict, *, version: int, actor: User, reason: str, now):
    content = {**content, "version": version, "reason": reason, "sealed_at": _iso(now)}
    text, content_hash = _fingerprint(content)
    from reseau.proof import documents  # fpdf only when a sheet is sealed

    pdf = documents.sealed_sheet(content, content_hash)
    signed = pades.sign_pdf(pdf, current_app.config)
    pdf = signed or pdf
    sheet = SealedSheet(
        seance_id=seance.id,
        version=version,
        sealed_at=now,
        sealed_by_id=actor.id,
        reason=reason,
        content_json=text,
        content_sha256=content_hash,
        pdf=pdf,
        file_sha256=hashlib.sha256(pdf).hexdigest(),
        pades=signed is not None,
        keep_until=keep_until(seance),
    )
    db.session.add(sheet)
    db.session.flush()
    return sheet


def seal(
    seance: Seance,
    *,
    actor: User,
    given: SignatureInput,
    certified: bool,
    now: datetime | None = None,
) -> SealedSheet:
    """The trainer validates ``seance``'s sheet with their signature: seal version 1."""
    now = now or utcnow()
    lock_row(seance.session, shared=True)
    lock_row(seance)
    session = seance.session
    if not (actor.is_coordinator or attendance.is_trainer_of(actor, session)):
        raise ProofError("Seules les personnes qui animent la session peuvent valider la feuille.")
    if session.status not in (SessionStatus.PUBLISHED, SessionStatus.CLOSED) or (
        seance.status != SeanceStatus.SCHEDULED
    ):
        raise ProofError("Cette séance n'a pas de feuille d'émargement à valider.")
    if now < seance.starts_at:
        raise ProofError("La feuille se valide une fois la séance commencée.")
    if is_sealed(seance.id):
        raise ProofError("Cette feuille est déjà validée et scellée.")
    if not certified:
        raise ProofError(f"Cochez « {VALIDATION_STATEMENT} ».")
    svg, typed = _svg_of(SignatureInput(**{**given.__dict__, "certified": True}), actor.full_name)
    validation = {
        "name": actor.full_name,
        "at": _iso(now),
        "statement": VALIDATION_STATEMENT,
        "svg": svg,
        "typed_name": typed,
    }
    sheet = _store(
        seance, sheet_content(seance, validation), version=1, actor=actor, reason="", now=now
    )
    record_audit(
        actor,
        SEAL,
        sheet,
        summary=f"{session.title}, {datetime_fr(seance.starts_at)} : feuille scellée (v1)",
        after={"version": 1, "sha256": sheet.file_sha256},
    )
    return sheet


def correct(
    seance: Seance, *, actor: User, reason: str, now: datetime | None = None
) -> SealedSheet:
    """The coordinator seals a new version of a sealed sheet from today's records, with the
    reason; earlier versions stay. The trainer's validation of version 1 is carried over."""
    now = now or utcnow()
    lock_row(seance.session, shared=True)
    lock_row(seance)
    if not actor.is_coordinator:
        raise ProofError("Seule la coordination peut corriger une feuille scellée.")
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ProofError("Dites en quelques mots pourquoi la feuille est corrigée.")
    latest = db.session.scalar(
        sa.select(SealedSheet)
        .where(SealedSheet.seance_id == seance.id)
        .order_by(SealedSheet.version.desc())
        .limit(1)
    )
    if latest is None:
        raise ProofError("Cette feuille n'est pas encore scellée : il n'y a rien à corriger.")
    if latest.content_json is None:
        raise ProofError("Cette feuille a été purgée à la fin de sa durée de conservation.")
    validation = json.loads(latest.content_json)["validation"]
    validation = {**validation, "corrected_by": actor.full_name, "corrected_at": _iso(now)}
    version = latest.version + 1
    sheet = _store(
        seance,
        sheet_content(seance, validation),
        version=version,
        actor=actor,
        reason=reason[:1000],
        now=now,
    )
    record_audit(
        actor,
        CORRECT,
        sheet,
        summary=f"{seance.session.title}, {datetime_fr(seance.starts_at)} : version {version}",
        before={"version": latest.version, "sha256": latest.file_sha256},
        after={"version": version, "sha256": sheet.file_sha256, "motif": reason[:300]},
    )
    return sheet


def changed_since(seance: Seance, sheet: SealedSheet) -> bool:
    """Whether the séance's marks or signatures differ from what ``sheet`` sealed."""
    if sheet.content_json is None:
        return False
    sealed = json.loads(sheet.content_json)["participants"]
    return sheet_content(seance, {})["participants"] != sealed


def verify(sheet: SealedSheet) -> bool:
    """Whether the stored file and content still match their stored fingerprints."""
    if sheet.pdf is None or sheet.content_json is None:
        return False
    return (
        hashlib.sha256(sheet.pdf).hexdigest() == sheet.file_sha256
        and hashlib.sha256(sheet.content_json.encode("utf-8")).hexdigest() == sheet.content_sha256
    )
