"""Secret calendar feed tokens (one per person, centre or trainer feed)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.database import UTCDateTime, utcnow
from reseau.enums import LabelledEnum, enum_column
from reseau.extensions import db


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
