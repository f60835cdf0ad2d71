"""Funders and the lines that tie a session to them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.catalogue.models import TrainingSession
from reseau.core.database import UTCDateTime, utcnow
from reseau.core.extensions import db

# The funders of the seeds (report 000 and the issue): FDVA 1 pays volunteer training per
# day, often with 12 volunteers at least per group.
DEFAULT_FUNDERS = (
    ("FDVA 1", "Fonds pour le développement de la vie associative (formation des bénévoles)",
     12, True),
    ("FOSFORA (FCSF)", "Fonds de formation de la Fédération des centres sociaux de France",
     None, False),
    ("Uniformation", "OPCO de la branche : formation des salarié·es", None, False),
    ("Conseil régional", "", None, False),
    ("CAF", "Caisses d'allocations familiales", None, False),
    ("Fonds propres", "Ressources propres du réseau", None, False),
)  # fmt: skip


class Funder(db.Model):
    __tablename__ = "funder"
    __table_args__ = (
        sa.CheckConstraint(
            "min_group_size IS NULL OR min_group_size >= 1", name="min_group_size_positive"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # A session with fewer people than this is flagged in the funder's report.
    min_group_size: so.Mapped[int | None]
    # The funder pays for volunteers only (FDVA 1): its report counts them apart.
    volunteers_only: so.Mapped[bool] = so.mapped_column(default=False)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Funder {self.id} {self.name!r}>"


class SessionFunding(db.Model):
    """One funder of one session, with the amounts asked and granted (whole euros)."""

    __tablename__ = "session_funding"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "funder_id"),
        sa.CheckConstraint("amount_asked IS NULL OR amount_asked >= 0", name="asked_positive"),
        sa.CheckConstraint(
            "amount_granted IS NULL OR amount_granted >= 0", name="granted_positive"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    funder_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("funder.id", ondelete="CASCADE"), index=True
    )
    amount_asked: so.Mapped[int | None]
    amount_granted: so.Mapped[int | None]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    session: so.Mapped[TrainingSession] = so.relationship()
    funder: so.Mapped[Funder] = so.relationship()

    def __repr__(self) -> str:
        return f"<SessionFunding session={self.session_id} funder={self.funder_id}>"
