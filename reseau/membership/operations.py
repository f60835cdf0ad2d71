"""Writes of the membership room: each takes its actor, flushes, never commits."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from reseau.accounts.models import Centre, User
from reseau.core.audit import record_audit
from reseau.core.database import add_or_lock, lock_row
from reseau.core.extensions import db
from reseau.membership.models import FeeRate, Membership


def save_membership(centre: Centre, year: int, data: dict, *, actor: User) -> Membership:
    """Create or update ``centre``'s membership of ``year`` from ``data`` (is_member, budget,
    paid_on). The centre's row is locked first: two saves of one year never both insert."""
    lock_row(centre)
    record = db.session.scalar(
        sa.select(Membership).where(Membership.centre_id == centre.id, Membership.year == year)
    )
    if record is None:
        record = Membership(centre_id=centre.id, year=year)
        db.session.add(record)
    else:
        record = lock_row(record)
    record.is_member = bool(data.get("is_member"))
    record.budget = data.get("budget")
    record.paid_on = data.get("paid_on") if record.is_member else None
    db.session.flush()
    state = "adhérent" if record.is_member else "non adhérent"
    record_audit(
        actor, "membership.save", centre, summary=f"{year} : {state}, budget {record.budget}"
    )
    return record


def set_fee_percent(year: int, percent: Decimal, *, actor: User) -> FeeRate:
    """Set the fee rate of ``year`` (the other years keep theirs)."""
    rate = add_or_lock(FeeRate, {"year": year}, percent=percent)
    rate.percent = percent
    db.session.flush()
    record_audit(actor, "membership.fee_rate", None, summary=f"{year} : {percent} %")
    return rate
