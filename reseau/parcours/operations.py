"""Writes of the parcours room: the person's choice to share their parcours with their
centre's referent (``User.parcours_shared``). Functions take models and an explicit actor,
flush, never commit."""

from __future__ import annotations

from reseau.accounts.models import User
from reseau.core.audit import record_audit
from reseau.core.database import lock_row
from reseau.core.extensions import db

SHARING = "parcours.sharing"


def set_sharing(person: User, shared: bool, *, actor: User) -> bool:
    """Record whether ``person`` shares their parcours; audited when it changes. Return
    whether it changed."""
    lock_row(person)  # two tabs at once: the second waits and reads the first's choice
    before = person.parcours_shared
    if before == shared:
        return False
    person.parcours_shared = shared
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
