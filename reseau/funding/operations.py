"""Funders and a session's funding lines: each operation takes its actor, flushes, never
commits."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.accounts.models import User
from reseau.catalogue.models import TrainingSession
from reseau.core.audit import record_audit
from reseau.core.database import add_or_lock, lock_row
from reseau.core.extensions import db
from reseau.funding.models import DEFAULT_FUNDERS, Funder, SessionFunding


class FundingError(Exception):
    """A refused change, with its French message."""


def ensure_default_funders() -> int:
    """Create the seeds' funders that are missing (by name); return how many were created."""
    known = {name.casefold() for name in db.session.scalars(sa.select(Funder.name))}
    created = 0
    for name, description, size, volunteers in DEFAULT_FUNDERS:
        if name.casefold() not in known:
            db.session.add(
                Funder(
                    name=name,
                    description=description,
                    min_group_size=size,
                    volunteers_only=volunteers,
                )
            )
            created += 1
    db.session.flush()
    return created


def save_funder(funder: Funder | None, data: dict, *, actor: User) -> Funder:
    creating = funder is None
    if creating:
        funder = Funder()
        db.session.add(funder)
    else:
        funder = lock_row(funder)
    funder.name = data["name"]
    funder.description = data.get("description") or ""
    funder.min_group_size = data.get("min_group_size")
    funder.volunteers_only = bool(data.get("volunteers_only"))
    funder.active = bool(data.get("active"))
    db.session.flush()
    record_audit(
        actor, "funder.create" if creating else "funder.update", funder, summary=funder.name
    )
    return funder


def add_funding(
    session: TrainingSession,
    funder: Funder,
    *,
    amount_asked: int | None,
    amount_granted: int | None,
    actor: User,
) -> SessionFunding:
    """Add ``funder`` to ``session``, or update its amounts when it is already there."""
    # Locked, or made: two coordinators adding the same funder at once update one line.
    line = add_or_lock(SessionFunding, {"session_id": session.id, "funder_id": funder.id})
    line.amount_asked = amount_asked
    line.amount_granted = amount_granted
    db.session.flush()
    record_audit(
        actor,
        "session.funding",
        session,
        summary=f"{funder.name} : demandé {amount_asked}, accordé {amount_granted}",
    )
    return line


def remove_funding(line: SessionFunding, *, actor: User) -> None:
    record_audit(actor, "session.funding_removed", line.session, summary=line.funder.name)
    db.session.delete(line)
    db.session.flush()
