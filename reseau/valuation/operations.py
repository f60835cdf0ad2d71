"""Writes of the valuation room: each takes its actor, flushes, never commits."""

from __future__ import annotations

from decimal import Decimal

from reseau.accounts.models import User
from reseau.catalogue.models import TrainingSession
from reseau.core.audit import record_audit
from reseau.core.database import add_or_lock, lock_row
from reseau.core.extensions import db
from reseau.valuation.models import HourlyRate, SessionPreparation


def set_rate(year: int, rate: Decimal, note: str, *, actor: User) -> HourlyRate:
    """Set the hourly rate of ``year``; every other year keeps its own."""
    row = add_or_lock(HourlyRate, {"year": year}, rate=rate)
    row.rate = rate
    row.note = note or ""
    db.session.flush()
    record_audit(actor, "valuation.rate", None, summary=f"{year} : {rate} €/h")
    return row


def set_preparation(session: TrainingSession, hours: Decimal | None, *, actor: User) -> None:
    """Record the preparation hours of each volunteer trainer of ``session`` (None: none);
    the session's row is locked first."""
    lock_row(session)
    row = db.session.get(SessionPreparation, session.id)
    if hours is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(SessionPreparation(session_id=session.id, hours=hours))
    else:
        lock_row(row).hours = hours
    db.session.flush()
    record_audit(actor, "session.preparation", session, summary=f"{hours} h par formateur·rice")
