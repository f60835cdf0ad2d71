"""Writes of the parcours room: the person's choice to share their parcours with their
centre's referent. Functions take models and an explicit actor, flush, never commit."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.accounts.models import User
from reseau.core.audit import record_audit
from reseau.core.database import lock_row
from reseau.core.extensions import db
from reseau.parcours.models import ParcoursSharing

SHARING = "parcours.sharing"


def set_sharing(person: User, shared: bool, *, actor: User) -> bool:
    """Record whether ``person`` shares their parcours; audited when it changes. Return
    whether it changed."""
    lock_row(person)  # two tabs at once: the second waits and finds the first's row
    row = db.session.get(ParcoursSharing, person.id)
    before = bool(row and row.shared)
    if before == shared:
        return False
    if row is None:
        row = ParcoursSharing(person_id=person.id)
        db.session.add(row)
    row.shared = shared
    record_audit(
        actor,
        SHARING,
        person,
        summary=(
            "Parcours partagé avec le·la référent·e du centre"
            if shared
            else "Parcours : partage avec le·la référent·e retiré"
        ),
        before={"partage": before},
        after={"partage": shared},
    )
    db.session.flush()
    return True


def forget_sharing(person: User) -> None:
    """Drop the person's choice (anonymisation): their parcours is shared with nobody."""
    db.session.execute(sa.delete(ParcoursSharing).where(ParcoursSharing.person_id == person.id))
