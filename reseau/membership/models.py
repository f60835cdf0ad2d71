"""A centre's membership of one year, and the fee rate of each year."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import Centre
from reseau.core.database import UTCDateTime, utcnow
from reseau.core.extensions import db

# "Cotisation annuelle au réseau régional : 0,10 % du budget du Centre social" (seed 002).
DEFAULT_FEE_PERCENT = Decimal("0.10")
CENT = Decimal("0.01")


def fee_of(budget: Decimal | None, percent: Decimal) -> Decimal | None:
    """The fee on ``budget`` at ``percent`` %: to the cent, half up (0,005 € → 0,01 €)."""
    if budget is None:
        return None
    return (Decimal(budget) * Decimal(percent) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


class FeeRate(db.Model):
    """The fee rate of one year, in percent of the declared budget."""

    __tablename__ = "membership_fee_rate"
    __table_args__ = (
        sa.CheckConstraint("percent >= 0 AND percent <= 100", name="percent_in_range"),
    )

    year: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    percent: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(7, 4))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<FeeRate {self.year} {self.percent} %>"


class Membership(db.Model):
    """Whether ``centre`` is a member in ``year``, its declared budget and when it paid."""

    __tablename__ = "membership"
    __table_args__ = (
        sa.UniqueConstraint("centre_id", "year"),
        sa.CheckConstraint("budget IS NULL OR budget >= 0", name="budget_not_negative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("centre.id", ondelete="CASCADE"), index=True
    )
    year: so.Mapped[int] = so.mapped_column(index=True)
    is_member: so.Mapped[bool] = so.mapped_column(default=False)
    budget: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(14, 2))
    paid_on: so.Mapped[date | None]
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    centre: so.Mapped[Centre] = so.relationship()

    def __repr__(self) -> str:
        return f"<Membership centre={self.centre_id} {self.year} member={self.is_member}>"
