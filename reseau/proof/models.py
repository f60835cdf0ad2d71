"""Signatures per séance, sealed sheets (versions), the certificate settings and the
evidence-pack jobs."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import User
from reseau.catalogue.models import Seance, TrainingSession
from reseau.core.database import UTCDateTime, utcnow
from reseau.core.enums import LabelledEnum, enum_column
from reseau.core.extensions import db


class SignatureWay(LabelledEnum):
    __labels__ = {
        "trainer_device": "sur l'appareil de l'animateur·rice",
        "own_device": "sur son propre téléphone",
    }
    TRAINER_DEVICE = "trainer_device"
    OWN_DEVICE = "own_device"


class SeanceSignature(db.Model):
    """One person's signature at one séance: drawn (a sanitised SVG of paths only) or typed
    (full name and the certification sentence)."""

    __tablename__ = "seance_signature"
    __table_args__ = (sa.UniqueConstraint("seance_id", "person_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("seance.id", ondelete="CASCADE"))
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    # Built by reseau.proof.signatures from path data only; "" for a typed signature.
    svg: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    typed_name: so.Mapped[str] = so.mapped_column(sa.String(160), default="")
    way: so.Mapped[SignatureWay] = so.mapped_column(enum_column(SignatureWay))
    signed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    arrived_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    left_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))

    seance: so.Mapped[Seance] = so.relationship()
    person: so.Mapped[User] = so.relationship(foreign_keys=[person_id])

    def __repr__(self) -> str:
        return f"<SeanceSignature seance={self.seance_id} person={self.person_id} {self.way}>"


class SealedSheet(db.Model):
    """One sealed version of a séance's sign-in sheet: the PDF, what it was made from, and
    both fingerprints (of the content, printed on the PDF; of the file, stored here)."""

    __tablename__ = "sealed_sheet"
    __table_args__ = (sa.UniqueConstraint("seance_id", "version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seance_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seance.id", ondelete="CASCADE"), index=True
    )
    version: so.Mapped[int] = so.mapped_column(default=1)
    sealed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sealed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    # The correction's reason (versions after the first).
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The canonical JSON the PDF is drawn from; its SHA-256 is printed on every page.
    content_json: so.Mapped[str | None] = so.mapped_column(sa.Text)
    content_sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    pdf: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    file_sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    pades: so.Mapped[bool] = so.mapped_column(default=False)
    # Proof retention: kept until this day, then purged by `tick`.
    keep_until: so.Mapped[date] = so.mapped_column(sa.Date, index=True)
    purged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    seance: so.Mapped[Seance] = so.relationship()
    sealed_by: so.Mapped[User | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<SealedSheet seance={self.seance_id} v{self.version} {self.file_sha256[:8]}>"


class ProofSettings(db.Model):
    """The provider's identity and signatory on certificates (one row, the coordinator's)."""

    __tablename__ = "proof_settings"
    # The text settings, as the coordinator's form sets them.
    TEXTS = (
        "provider_name",
        "provider_address",
        "provider_siret",
        "provider_nda",
        "signatory_name",
        "signatory_title",
        "place",
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    provider_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    provider_address: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    provider_siret: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    # Numéro de déclaration d'activité (training providers); may be empty.
    provider_nda: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    signatory_name: so.Mapped[str] = so.mapped_column(sa.String(160), default="")
    signatory_title: so.Mapped[str] = so.mapped_column(sa.String(160), default="")
    place: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    # A PNG or JPEG checked and re-encoded as PNG on upload.
    stamp_png: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<ProofSettings {self.provider_name!r}>"


class PackStatus(LabelledEnum):
    __labels__ = {
        "queued": "En attente",
        "running": "En préparation",
        "done": "Prêt",
        "failed": "En échec",
    }
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class EvidencePack(db.Model):
    """An evidence pack (ZIP) of a session, built step by step by `tick` or at once."""

    __tablename__ = "evidence_pack"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    status: so.Mapped[PackStatus] = so.mapped_column(
        enum_column(PackStatus), default=PackStatus.QUEUED, index=True
    )
    steps_done: so.Mapped[int] = so.mapped_column(default=0)
    steps_total: so.Mapped[int] = so.mapped_column(default=0)
    # The ZIP as it grows (each step appends its files and saves it back).
    content: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    error: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    requested_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    session: so.Mapped[TrainingSession] = so.relationship()

    @property
    def percent(self) -> int:
        return int(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    def __repr__(self) -> str:
        return f"<EvidencePack {self.id} session={self.session_id} {self.status}>"
