"""The complaints register: one row per complaint, difficulty or known incident."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import User
from reseau.catalogue.models import TrainingSession
from reseau.core.database import UTCDateTime, utcnow
from reseau.core.enums import LabelledEnum, enum_column
from reseau.core.extensions import db
from reseau.core.i18n import to_local


class ComplaintKind(LabelledEnum):
    __labels__ = {"complaint": "Réclamation", "difficulty": "Difficulté rencontrée"}
    COMPLAINT = "complaint"
    DIFFICULTY = "difficulty"


class ComplaintCategory(LabelledEnum):
    __labels__ = {
        "organisation": "Organisation, inscription, convocation",
        "content": "Contenu de la formation",
        "trainer": "Intervenant·e",
        "place": "Lieu, accueil",
        "accessibility": "Accessibilité, handicap",
        "website": "Le site Réseau",
        "other": "Autre",
    }
    ORGANISATION = "organisation"
    CONTENT = "content"
    TRAINER = "trainer"
    PLACE = "place"
    ACCESSIBILITY = "accessibility"
    WEBSITE = "website"
    OTHER = "other"


class ComplaintStatus(LabelledEnum):
    __labels__ = {
        "received": "Reçue",
        "in_progress": "En cours de traitement",
        "answered": "Répondue",
        "closed": "Clôturée",
    }
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


class ComplaintSource(LabelledEnum):
    __labels__ = {"form": "Formulaire", "incident": "Incident connu"}
    FORM = "form"
    INCIDENT = "incident"


class Complaint(db.Model):
    """A complaint or a difficulty, from the public form or from a known incident."""

    __tablename__ = "complaint"
    __table_args__ = (
        sa.UniqueConstraint("year", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # « R-2026-0007 »: the year of reception and its rank in that year.
    reference: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)
    year: so.Mapped[int] = so.mapped_column(index=True)
    number: so.Mapped[int]
    received_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    source: so.Mapped[ComplaintSource] = so.mapped_column(
        enum_column(ComplaintSource), default=ComplaintSource.FORM
    )
    # The audit entry of the known incident it was made from (one row per incident).
    incident_audit_id: so.Mapped[int | None] = so.mapped_column(unique=True)
    kind: so.Mapped[ComplaintKind] = so.mapped_column(
        enum_column(ComplaintKind), default=ComplaintKind.COMPLAINT
    )
    category: so.Mapped[ComplaintCategory] = so.mapped_column(
        enum_column(ComplaintCategory), index=True
    )
    session_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="SET NULL"), index=True
    )
    person_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[ComplaintStatus] = so.mapped_column(
        enum_column(ComplaintStatus), default=ComplaintStatus.RECEIVED, index=True
    )
    handler_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    answer: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    improvement: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: so.Mapped[TrainingSession | None] = so.relationship()
    person: so.Mapped[User | None] = so.relationship(foreign_keys=[person_id])
    handler: so.Mapped[User | None] = so.relationship(foreign_keys=[handler_id])

    @property
    def delay_days(self) -> int | None:
        """Days from reception to the answer (to the closing when closed without an answer),
        counted in calendar days in Europe/Paris; None while neither happened."""
        end = self.answered_at or self.closed_at
        if end is None:
            return None
        return (to_local(end).date() - to_local(self.received_at).date()).days

    @property
    def is_open(self) -> bool:
        return self.status != ComplaintStatus.CLOSED

    def __repr__(self) -> str:
        return f"<Complaint {self.id} {self.reference} {self.status}>"
