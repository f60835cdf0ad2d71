"""Demo proof: the demo trainer's closed session signed (drawn and typed signatures, a late
arrival) and each séance's sheet sealed, and the certificate settings filled in."""

from __future__ import annotations

import math
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from devdata.demo.specs import FORMATRICE
from reseau.accounts.models import User
from reseau.attendance import operations as attendance
from reseau.attendance.models import AttendanceStatus
from reseau.catalogue.models import SeanceStatus, SessionStatus, TrainingSession
from reseau.core.extensions import db
from reseau.proof import operations
from reseau.proof.models import ProofSettings, SeanceSignature, SignatureWay
from reseau.proof.signatures import parse_path


def scribble(seed: int) -> str:
    """A signature-like path (loops, then an underline), the same for the same seed."""
    points = []
    for step in range(50):
        t = step / 49
        y = 60 + 26 * math.sin(t * (6 + seed % 5) + seed) * math.cos(t * 3 + seed % 3)
        points.append(f"{'M' if step == 0 else 'L'}{20 + 240 * t:.1f} {y:.1f}")
    points.append(f"M{30 + seed % 20} 100 L{190 + seed % 60} {94 + seed % 7}")
    return " ".join(points)


def add_demo_proof() -> int:
    """Sign and seal the demo trainer's closed sessions (idempotent); return sheets sealed."""
    trainer = db.session.scalar(sa.select(User).where(User.email == FORMATRICE))
    if trainer is None:
        return 0
    sessions = db.session.scalars(
        sa.select(TrainingSession).where(
            TrainingSession.status == SessionStatus.CLOSED,
            TrainingSession.trainers.any(User.id == trainer.id),
        )
    ).all()
    sealed = 0
    for session in sessions:
        for seance in session.seances:
            if seance.status != SeanceStatus.SCHEDULED or operations.is_sealed(seance.id):
                continue
            _sign_everyone(seance, trainer)
            operations.seal(
                seance,
                actor=trainer,
                given=operations.SignatureInput(path=scribble(trainer.id), width=300, height=120),
                certified=True,
                now=seance.ends_at,
            )
            sealed += 1
    if db.session.get(ProofSettings, 1) is None:
        db.session.add(
            ProofSettings(
                id=1,
                provider_name=current_app.config["NETWORK_NAME"],
                provider_address="3 rue du Cheval Rouge, 45000 Orléans",
                provider_siret="",
                provider_nda="",
                signatory_name="Martine Lefèvre",
                signatory_title="Présidente",
                place="Orléans",
            )
        )
    db.session.flush()
    return sealed


def _sign_everyone(seance, trainer: User) -> None:
    for index, line in enumerate(attendance.roster(seance).lines):
        if line.status not in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
            continue
        typed = index % 4 == 3  # one in four typed their name (no JavaScript, or preferred)
        db.session.add(
            SeanceSignature(
                seance_id=seance.id,
                person_id=line.person.id,
                svg="" if typed else parse_path(scribble(line.person.id), 300, 120).svg(),
                typed_name=line.person.full_name if typed else "",
                way=SignatureWay.OWN_DEVICE if index % 2 else SignatureWay.TRAINER_DEVICE,
                signed_at=seance.starts_at + timedelta(minutes=5 + index),
                arrived_at=seance.starts_at + timedelta(minutes=20)
                if line.status == AttendanceStatus.LATE
                else None,
                recorded_by_id=line.person.id if index % 2 else trainer.id,
            )
        )
    db.session.flush()
