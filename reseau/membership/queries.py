"""Reads of the membership room: a year's fee rate, every centre's line for a year, and who
is a member in a year (for the bilan and the funder report).

A centre is a member in a year when its membership record of that year says so. A centre with
no record for the year falls back on the directory (``Centre.is_member`` and ``member_since``
on or before 31 December), so that centres nobody has entered yet keep their status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import Centre, Department
from reseau.core.extensions import db
from reseau.membership.models import DEFAULT_FEE_PERCENT, FeeRate, Membership, fee_of

YEAR_MIN, YEAR_MAX = 2000, 2100


def fee_percent(year: int) -> Decimal:
    """The fee rate of ``year`` in percent: the coordinator's, else 0,10 %."""
    percent = db.session.scalar(sa.select(FeeRate.percent).where(FeeRate.year == year))
    return DEFAULT_FEE_PERCENT if percent is None else Decimal(percent)


def is_member_in(year: int, centre=Centre):
    """SQL: whether ``centre`` (the Centre entity or an alias) is a member in ``year``."""
    mine = so.aliased(Membership)
    here = sa.and_(mine.centre_id == centre.id, mine.year == year)
    record = sa.select(mine.is_member).where(here).correlate_except(mine).scalar_subquery()
    has_record = sa.select(mine.id).where(here).correlate_except(mine).exists()
    directory = sa.and_(
        centre.is_member.is_(True),
        sa.or_(centre.member_since.is_(None), centre.member_since <= date(year, 12, 31)),
    )
    return sa.case((has_record, record), else_=directory)


def member_count_query(year: int) -> sa.Select:
    """SELECT the number of member centres of ``year`` (for ``core.database.counts``)."""
    return sa.select(sa.func.count()).select_from(Centre).where(is_member_in(year).is_(True))


def member_count(year: int) -> int:
    """How many centres are members of the network in ``year`` (one query)."""
    return db.session.scalar(member_count_query(year)) or 0


@dataclass
class Line:
    """One centre in one year: its record (None when nobody entered it) and its fee."""

    centre: Centre
    record: Membership | None
    member: bool
    percent: Decimal

    @property
    def budget(self) -> Decimal | None:
        return self.record.budget if self.record else None

    @property
    def fee(self) -> Decimal | None:
        return fee_of(self.budget, self.percent) if self.member else None

    @property
    def paid_on(self) -> date | None:
        return self.record.paid_on if self.record else None


@dataclass
class YearList:
    year: int
    percent: Decimal
    lines: list[Line]

    @property
    def members(self) -> list[Line]:
        return [line for line in self.lines if line.member]

    @property
    def fees(self) -> Decimal:
        return sum((line.fee or Decimal(0) for line in self.members), Decimal(0))

    @property
    def paid(self) -> Decimal:
        return sum((line.fee or Decimal(0) for line in self.members if line.paid_on), Decimal(0))


def year_list(year: int, centre_id: int | None = None) -> YearList:
    """Every centre (or one) with its membership of ``year`` (three queries)."""
    percent = fee_percent(year)
    query = (
        sa.select(Centre, Membership, is_member_in(year).label("member"))
        .options(so.joinedload(Centre.department))
        .join(Department, Department.id == Centre.department_id)
        .outerjoin(Membership, sa.and_(Membership.centre_id == Centre.id, Membership.year == year))
        .order_by(Department.code, Centre.name, Centre.id)
    )
    if centre_id is not None:
        query = query.where(Centre.id == centre_id)
    lines = [
        Line(row.Centre, row.Membership, bool(row.member), percent)
        for row in db.session.execute(query)
    ]
    return YearList(year, percent, lines)


def record_of(centre_id: int, year: int) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership).where(Membership.centre_id == centre_id, Membership.year == year)
    )
