"""Secret calendar feed tokens (one per person, centre or trainer feed)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.core.database import UTCDateTime, utcnow
from reseau.core.enums import LabelledEnum, enum_column
from reseau.core.extensions import db


class FeedKind(LabelledEnum):
    __labels__ = {
        "person": "Mes formations",
        "centre": "Agenda du centre",
        "trainer": "Mes sessions",
    }
    PERSON = "person"
    CENTRE = "centre"
    TRAINER = "trainer"


class CalendarToken(db.Model):
    """A revocable feed address; only the token's SHA-256 is stored."""

    __tablename__ = "calendar_token"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[FeedKind] = so.mapped_column(enum_column(FeedKind))
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    centre_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("centre.id", ondelete="CASCADE"), index=True
    )
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_fetched_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<CalendarToken {self.id} {self.kind}>"


class SentInvitation(db.Model):
    """What a person's mail-added calendar holds for a séance: the last iTIP message sent.

    SEQUENCE may never go down for a UID (RFC 5546 §2.1.4): after a CANCEL, a new REQUEST
    (re-enrolment, séance restored) must carry a higher one than the CANCEL did, whatever the
    séance's own SEQUENCE is.
    """

    __tablename__ = "sent_invitation"
    __table_args__ = (sa.UniqueConstraint("person_id", "seance_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    seance_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("seance.id", ondelete="CASCADE"), index=True
    )
    sequence: so.Mapped[int]
    method: so.Mapped[str] = so.mapped_column(sa.String(16))
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SentInvitation {self.person_id}/{self.seance_id} {self.method} {self.sequence}>"


class CalendarSetting(db.Model):
    """Values fixed once for the life of the site, such as the host part of event UIDs."""

    __tablename__ = "calendar_setting"

    name: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    value: so.Mapped[str] = so.mapped_column(sa.String(255))

    def __repr__(self) -> str:
        return f"<CalendarSetting {self.name}={self.value!r}>"
