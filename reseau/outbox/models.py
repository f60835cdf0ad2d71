"""The outbox: e-mails are rows written in the same transaction as the change behind them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.core.database import UTCDateTime, utcnow
from reseau.core.enums import LabelledEnum, enum_column
from reseau.core.extensions import db


class MailStatus(LabelledEnum):
    __labels__ = {
        "pending": "À envoyer",
        "sending": "En cours d'envoi",
        "sent": "Envoyé",
        "failed": "Échec définitif",
        "abandoned": "Abandonné",
    }
    PENDING = "pending"
    # Claimed by a sender for the SMTP transaction, until ``lease_until`` (see delivery.py).
    SENDING = "sending"
    SENT = "sent"
    # Failed MAIL_MAX_ATTEMPTS times (or refused for good): waits for a coordinator.
    FAILED = "failed"
    # Given up by a coordinator (say, an address that does not exist).
    ABANDONED = "abandoned"


# Not delivered (yet): what anonymisation removes with the person.
UNSENT = (MailStatus.PENDING, MailStatus.SENDING, MailStatus.FAILED, MailStatus.ABANDONED)
# Still to deliver: the backlog health reports.
WAITING = (MailStatus.PENDING, MailStatus.SENDING)


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
    # Given at the first attempt and kept for every retry: receivers drop a second copy.
    message_id: so.Mapped[str | None] = so.mapped_column(sa.String(250))
    # While SENDING: no other sender takes the row before this time.
    lease_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The server's answer to the message (e.g. "250 2.0.0 Ok: queued as 4Xz…").
    server_reply: so.Mapped[str | None] = so.mapped_column(sa.String(500))

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} to={self.recipient} {self.status}>"
