"""Enrolments: a person in a session, confirmed, pending, offered, waitlisted or cancelled."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import User
from reseau.catalogue.models import PlaceKind, TrainingSession
from reseau.core.database import UTCDateTime, utcnow
from reseau.core.enums import LabelledEnum, enum_column
from reseau.core.extensions import db

# Why someone waits when nothing else holds them back; pages and e-mails already say it.
FULL_REASON = "La session est complète."
# Why an offered seat went back to the queue (``expire_offers``).
OFFER_EXPIRED_REASON = "Délai de réponse dépassé."


class EnrolmentStatus(LabelledEnum):
    __labels__ = {
        "confirmed": "Inscription confirmée",
        "pending": "En attente de validation par le centre",
        "offered": "Place proposée",
        "waitlisted": "Liste d'attente",
        "declined": "Refusée par le centre",
        "cancelled": "Annulée",
    }
    CONFIRMED = "confirmed"
    PENDING = "pending"
    OFFERED = "offered"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class Enrolment(db.Model):
    __tablename__ = "enrolment"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "person_id"),
        sa.Index("ix_enrolment_queue", "session_id", "status", "queued_at"),
        # The latest change of any enrolment (seats moved): the catalogue's ETag.
        sa.Index("ix_enrolment_updated_at", "updated_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE")
    )
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    status: so.Mapped[EnrolmentStatus] = so.mapped_column(enum_column(EnrolmentStatus))
    # Place in the queue: first come, first served; reset when a person re-enrols.
    queued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    waitlist_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    enrolled_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    offer_expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    cancelled_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    reminder_sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: so.Mapped[TrainingSession] = so.relationship()
    person: so.Mapped[User] = so.relationship(foreign_keys=[person_id])
    enrolled_by: so.Mapped[User | None] = so.relationship(foreign_keys=[enrolled_by_id])

    @property
    def waitlist_note(self) -> str:
        """The reason for waiting worth telling: not the session being full, said already."""
        return "" if self.waitlist_reason == FULL_REASON else self.waitlist_reason

    @property
    def offer_expired(self) -> bool:
        """A seat offered and not accepted in time (``expire_offers``), not a cancellation."""
        return (
            self.status == EnrolmentStatus.CANCELLED
            and self.waitlist_reason == OFFER_EXPIRED_REASON
        )

    @property
    def shows_visio_link(self) -> bool:
        """The visio link is for the people who hold a confirmed place (and the trainers),
        never for the public, a waiting list or a pending request."""
        session = self.session
        return (
            self.status == EnrolmentStatus.CONFIRMED
            and session.place_kind == PlaceKind.VISIO
            and bool(session.visio_url)
        )

    def __repr__(self) -> str:
        return (
            f"<Enrolment {self.id} session={self.session_id} person={self.person_id} {self.status}>"
        )
