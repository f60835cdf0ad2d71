"""The outbox: e-mails are rows written in the same transaction as the change behind them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.database import UTCDateTime, utcnow
from reseau.enums import LabelledEnum, enum_column
from reseau.extensions import db


class MailStatus(LabelledEnum):
    __labels__ = {"pending": "À envoyer", "sent": "Envoyé", "failed": "Échec définitif"}
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMail(db.Model):
    __tablename__ = "outbox_mail"
    __table_args__ = (sa.Index("ix_outbox_mail_due", "status", "next_attempt_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    recipient: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    subject: so.Mapped[str] = so.mapped_column(sa.String(250))
    body_text: so.Mapped[str] = so.mapped_column(sa.Text)
    # An optional calendar part (text/calendar) and its iTIP method (REQUEST, CANCEL…).
    ics: so.Mapped[str | None] = so.mapped_column(sa.Text)
    ics_method: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    # Lets features avoid sending the same message twice (e.g. "reminder:enrolment:42").
    dedup_key: so.Mapped[str | None] = so.mapped_column(sa.String(120), unique=True)
    status: so.Mapped[MailStatus] = so.mapped_column(
        enum_column(MailStatus), default=MailStatus.PENDING
    )
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} to={self.recipient} {self.status}>"
