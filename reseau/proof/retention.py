"""Proof retention: sealed sheets are kept until ``keep_until`` (the end of the séance's year
plus PROOF_RETENTION_YEARS, docs/proof-retention.md), even when the person is anonymised
(RGPD art. 17(3)(b): a legal obligation), then purged by `tick`.

Anonymising a person erases their signatures everywhere except where a sealed sheet still
under retention rests on them, and drops the evidence packs that copied their name (a pack
is rebuilt from the records at will).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from reseau.accounts.models import User
from reseau.attendance.models import Attendance
from reseau.catalogue.models import Seance, TrainingSession
from reseau.core.audit import record_audit
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import date_fr, to_local
from reseau.enrolment.models import Enrolment
from reseau.proof.models import EvidencePack, SealedSheet, SeanceSignature

PURGE = "proof.purge"


def _seances_of(person: User) -> sa.Select:
    """The séances whose sheet may name ``person``: of their sessions, or where they came."""
    sessions = sa.select(Enrolment.session_id).where(Enrolment.person_id == person.id)
    came = sa.select(Attendance.seance_id).where(Attendance.person_id == person.id)
    signed = sa.select(SeanceSignature.seance_id).where(SeanceSignature.person_id == person.id)
    return sa.select(Seance.id).where(
        sa.or_(Seance.session_id.in_(sessions), Seance.id.in_(came), Seance.id.in_(signed))
    )


def _kept() -> sa.Select:
    """The séances with a sealed sheet still kept (not purged)."""
    return sa.select(SealedSheet.seance_id).where(SealedSheet.purged_at.is_(None))


def kept_documents(person: User) -> list[dict]:
    """The sealed proof naming ``person`` that is kept, and until when ("Mes données")."""
    rows = db.session.execute(
        sa.select(
            SealedSheet.version, SealedSheet.keep_until, Seance.starts_at, TrainingSession.title
        )
        .join(Seance, Seance.id == SealedSheet.seance_id)
        .join(TrainingSession, TrainingSession.id == Seance.session_id)
        .where(SealedSheet.purged_at.is_(None), SealedSheet.seance_id.in_(_seances_of(person)))
        .order_by(Seance.starts_at, SealedSheet.version)
        .limit(1000)
    ).all()
    return [
        {
            "document": f"Feuille d'émargement scellée, version {row.version}",
            "session": row.title,
            "seance": to_local(row.starts_at).isoformat(),
            "conservee_jusqu_au": row.keep_until.isoformat(),
            "seance_fr": date_fr(row.starts_at),
            "jusqu_au_fr": date_fr(row.keep_until, "d MMMM y"),
        }
        for row in rows
    ]


def release_personal_data(person: User) -> None:
    """On anonymisation: erase the person's signatures that no kept sealed sheet rests on,
    and drop the evidence packs of their sessions."""
    db.session.execute(
        sa.delete(SeanceSignature).where(
            SeanceSignature.person_id == person.id, SeanceSignature.seance_id.not_in(_kept())
        )
    )
    sessions = sa.select(Seance.session_id).where(Seance.id.in_(_seances_of(person)))
    db.session.execute(sa.delete(EvidencePack).where(EvidencePack.session_id.in_(sessions)))


def purge_expired(today: date | None = None) -> int:
    """Purge the sealed sheets whose retention ended: the PDF and content go, the
    fingerprints and dates stay (the audit trail); the signatures and packs of those séances
    go too. Return how many versions were purged."""
    today = today or to_local(utcnow()).date()
    expired = db.session.scalars(
        sa.select(SealedSheet)
        .where(SealedSheet.purged_at.is_(None), SealedSheet.keep_until < today)
        .order_by(SealedSheet.id)
        .limit(500)
        .with_for_update(skip_locked=True)
    ).all()
    now = utcnow()
    seance_ids = {sheet.seance_id for sheet in expired}
    for sheet in expired:
        sheet.pdf = None
        sheet.content_json = None
        sheet.purged_at = now
        record_audit(
            None,
            PURGE,
            sheet,
            summary=f"Feuille scellée n°{sheet.id} (v{sheet.version}) purgée après sa conservation",
        )
    if seance_ids:
        db.session.execute(
            sa.delete(SeanceSignature).where(SeanceSignature.seance_id.in_(seance_ids))
        )
        sessions = sa.select(Seance.session_id).where(Seance.id.in_(seance_ids))
        db.session.execute(sa.delete(EvidencePack).where(EvidencePack.session_id.in_(sessions)))
    db.session.flush()
    return len(expired)


def proof_retention_task() -> str:
    count = purge_expired()
    return f"{count} feuille(s) scellée(s) purgée(s) à la fin de leur durée de conservation."
