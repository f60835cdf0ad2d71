"""The hourly rate of each year, and the preparation hours of a session."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.core.database import UTCDateTime, utcnow
from reseau.core.extensions import db

CENT = Decimal("0.01")
# The gross hourly SMIC (SMIC horaire brut) on 1 January of each year, in euros (décrets de
# revalorisation; INSEE series "SMIC horaire brut"). A year's default rate is this figure with
# the employer's charges: × 1.45 (a flat 45 %, without the reductions on low wages).
SMIC_GROSS = {
    2010: Decimal("8.86"), 2011: Decimal("9.00"), 2012: Decimal("9.22"), 2013: Decimal("9.43"),
    2014: Decimal("9.53"), 2015: Decimal("9.61"), 2016: Decimal("9.67"), 2017: Decimal("9.76"),
    2018: Decimal("9.88"), 2019: Decimal("10.03"), 2020: Decimal("10.15"),
    2021: Decimal("10.25"), 2022: Decimal("10.57"), 2023: Decimal("11.27"),
    2024: Decimal("11.65"), 2025: Decimal("11.88"), 2026: Decimal("12.02"),
}  # fmt: skip
EMPLOYER_CHARGES = Decimal("1.45")


def default_rate(year: int) -> Decimal:
    """The SMIC with charges of ``year`` (the nearest year known before or after it)."""
    known = [y for y in SMIC_GROSS if y <= year] or [min(SMIC_GROSS)]
    smic = SMIC_GROSS[max(known)]
    return (smic * EMPLOYER_CHARGES).quantize(CENT, rounding=ROUND_HALF_UP)


class HourlyRate(db.Model):
    """The coordinator's hourly rate of one year (euros per hour of volunteer time)."""

    __tablename__ = "valuation_hourly_rate"
    __table_args__ = (sa.CheckConstraint("rate >= 0", name="rate_not_negative"),)

    year: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    rate: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(8, 2))
    note: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<HourlyRate {self.year} {self.rate}>"


class SessionPreparation(db.Model):
    """The hours each volunteer trainer of a session spent preparing it."""

    __tablename__ = "session_preparation"
    __table_args__ = (sa.CheckConstraint("hours >= 0", name="hours_not_negative"),)

    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    hours: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(6, 2))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<SessionPreparation session={self.session_id} {self.hours} h>"
