"""Whether a person lets their centre's referent read their parcours (off by default)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.core.database import UTCDateTime, utcnow
from reseau.core.extensions import db


class ParcoursSharing(db.Model):
    """One row per person who ever chose; no row means "not shared"."""

    __tablename__ = "parcours_sharing"

    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    shared: so.Mapped[bool] = so.mapped_column(default=False)
    changed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<ParcoursSharing person={self.person_id} shared={self.shared}>"
