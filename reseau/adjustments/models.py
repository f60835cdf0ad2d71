"""A person's adjustment request for a session, apart from the enrolment's visible fields."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import User
from reseau.catalogue.models import TrainingSession
from reseau.core.database import UTCDateTime, utcnow
from reseau.core.extensions import db

TEXT_MAX = 2000


class AdjustmentRequest(db.Model):
    """What a person asked for to follow a session, and what was arranged.

    Confidential: only the person, the coordinator and the référent·es handicap read it;
    never a roster, a sign-in sheet, an export or a calendar.
    """

    __tablename__ = "adjustment_request"
    __table_args__ = (sa.UniqueConstraint("session_id", "person_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    asked_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    arranged: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    arranged_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    arranged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    # When the person's enrolment was cancelled or declined (None while they are enrolled or
    # waiting): the request stays theirs, off the readers' "to do" (privacy.receivers).
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    session: so.Mapped[TrainingSession] = so.relationship()
    person: so.Mapped[User] = so.relationship(foreign_keys=[person_id])
    arranged_by: so.Mapped[User | None] = so.relationship(foreign_keys=[arranged_by_id])

    @property
    def is_arranged(self) -> bool:
        return self.arranged_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def __repr__(self) -> str:
        return f"<AdjustmentRequest {self.id} session={self.session_id} person={self.person_id}>"
