"""Operations of the imports room: keep an uploaded file, apply a confirmed plan, send the
invitations kept for later, purge expired files. Explicit actor, flush, never commit.

People are created and updated by the accounts room's operations (``add_person``,
``update_person``, ``send_invitation``); who may be updated is its rule, applied by the plan.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from reseau.accounts.access import may_act_on_person
from reseau.accounts.models import Category, Centre, User, UserStatus
from reseau.accounts.operations import (
    add_person,
    hash_token,
    send_invitations,
    update_person,
)
from reseau.core.audit import record_audit
from reseau.core.database import lock_row, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import ngettext
from reseau.imports.models import PendingImport
from reseau.imports.queries import CREATE, UPDATE, Plan, RowPlan, invitations_to_send
from reseau.imports.reading import ImportFileError, read_table

PENDING_LIFETIME = timedelta(hours=2)


class Invitations:
    NOW, LATER, NEVER = "maintenant", "plus-tard", "jamais"


def keep_upload(
    actor: User,
    content: bytes,
    filename: str,
    *,
    centre: Centre | None,
    mapping: dict[int, str],
) -> tuple[PendingImport, str]:
    """Keep ``content`` for ``actor`` until the preview is confirmed; return it and its
    token (only the token's hash is stored)."""
    purge_expired_imports()
    secret = secrets.token_urlsafe(24)
    pending = PendingImport(
        token_hash=hash_token(secret),
        actor_id=actor.id,
        centre_id=centre.id if centre else None,
        filename=filename[:200],
        content=content,
        mapping={str(index): name for index, name in mapping.items()},
        default_category="",
        expires_at=utcnow() + PENDING_LIFETIME,
    )
    db.session.add(pending)
    db.session.flush()
    return pending, secret


def change_options(
    pending: PendingImport,
    *,
    centre: Centre | None,
    mapping: dict[int, str],
    default_category: Category | None,
) -> None:
    """Keep the columns and options chosen in the preview's form."""
    pending.centre_id = centre.id if centre else None
    pending.mapping = {str(index): name for index, name in mapping.items()}
    pending.default_category = default_category.value if default_category else ""
    pending.expires_at = utcnow() + PENDING_LIFETIME
    db.session.flush()


def apply_import(pending: PendingImport, plan: Plan, *, actor: User, invitations: str) -> dict:
    """Write every created and updated row of ``plan`` and forget the file; return the counts.

    One transaction (the caller's): an error on any row (an address taken meanwhile) rolls
    back the whole import. Audited once, with the counts.
    """
    lock_row(pending)  # the same confirmation posted twice: the second finds no file
    updates = [row for row in plan.rows if row.kind == UPDATE]
    # Every row to update locked before the first insert (see lock_row), then updated.
    _lock_people([row.person.id for row in updates])
    given_an_address = [
        row.person for row in updates if _update(row, actor=actor, invitations=invitations)
    ]
    created = [
        _create(row, actor=actor, invitations=invitations)
        for row in plan.rows
        if row.kind == CREATE
    ]
    db.session.flush()
    invited = [
        person for person in created + given_an_address if person.status == UserStatus.INVITED
    ]
    if invited and invitations == Invitations.NOW:
        send_invitations(invited, actor=actor)
    counts = {
        **plan.counts,
        "invitations_sent": len(invited) if invitations == Invitations.NOW else 0,
    }
    centres = sorted(
        {row.centre.id for row in plan.rows if row.centre and row.kind in (CREATE, UPDATE)}
    )
    centre = db.session.get(Centre, pending.centre_id) if pending.centre_id else None
    record_audit(
        actor,
        "people.import",
        centre,
        summary=(
            f"Import de personnes ({centre.name if centre else 'plusieurs centres'}) : "
            + ngettext("%(num)s créée, ", "%(num)s créées, ", counts["create"])
            + ngettext("%(num)s mise à jour, ", "%(num)s mises à jour, ", counts["update"])
            + f"{counts['unchanged']} déjà à jour, "
            + ngettext("%(num)s ignorée", "%(num)s ignorées", counts["skip"])
        ),
        after={**counts, "invitations": invitations, "centres": centres},
    )
    db.session.delete(pending)
    db.session.flush()
    return counts


def _lock_people(ids: list[int]) -> None:
    for start in range(0, len(ids), 500):
        db.session.execute(
            sa.select(User)
            .where(User.id.in_(ids[start : start + 500]))
            .with_for_update(of=User)
            .execution_options(populate_existing=True)
        ).all()


def _create(row: RowPlan, *, actor: User, invitations: str) -> User:
    values = row.values
    return add_person(
        actor=actor,
        email=row.email or None,
        first_name=values["first_name"],
        last_name=values["last_name"],
        phone=values.get("phone", ""),
        sub_category=values.get("sub_category", ""),
        centre=row.centre,
        category=row.category,
        invite=invitations != Invitations.NEVER,
    )


def _update(row: RowPlan, *, actor: User, invitations: str) -> bool:
    """Update the row's person; True when the row gave an address to a person without one
    (a guest then becomes invited, unless the import sends no invitations)."""
    person = row.person
    if not may_act_on_person(actor, person):  # the plan checked it; the rule is the rule
        return False
    values = row.values
    gains_address = bool(row.email) and not person.email
    if gains_address and person.status == UserStatus.GUEST and invitations != Invitations.NEVER:
        person.status = UserStatus.INVITED
        person.invited_by_id = actor.id
    update_person(
        person,
        {
            "first_name": values.get("first_name") or person.first_name,
            "last_name": values.get("last_name") or person.last_name,
            "email": row.email if gains_address else person.email or "",
            "phone": values.get("phone") or person.phone,
            "category": row.category or person.category,
            # Given, it replaces the one held (update_person tells the rooms that count it).
            **({"sub_category": values["sub_category"]} if values.get("sub_category") else {}),
        },
        actor=actor,
        invite=False,  # the import sends its invitations at once, or keeps them for later
    )
    return gains_address


def send_kept_invitations(actor: User) -> int:
    """Send the invitations an import kept for later; return how many went."""
    people = [
        person
        for person in db.session.scalars(invitations_to_send(actor).order_by(User.id))
        if may_act_on_person(actor, person)
    ]
    if people:
        send_invitations(people, actor=actor)
    count = len(people)
    if count:
        record_audit(
            actor,
            "people.import_invitations",
            summary=ngettext("%(num)s invitation envoyée", "%(num)s invitations envoyées", count),
        )
    db.session.flush()
    return count


def purge_expired_imports() -> int:
    """Forget the files whose preview was never confirmed; return how many."""
    result = db.session.execute(
        sa.delete(PendingImport).where(PendingImport.expires_at <= utcnow())
    )
    return result.rowcount or 0


def forget_imports_naming(person: User, *, email: str | None) -> int:
    """Delete the unconfirmed uploads ``person`` made or that name them (their e-mail, or their
    first and last names in one row): an anonymised person's name must not wait up to
    ``PENDING_LIFETIME`` in a file. Return how many were deleted."""
    needles = {email.casefold()} if email else set()
    names = {person.first_name.casefold(), person.last_name.casefold()}
    doomed = []
    for pending in db.session.scalars(sa.select(PendingImport)):
        if pending.actor_id == person.id or _names(pending, needles, names):
            doomed.append(pending.id)
    if doomed:
        db.session.execute(sa.delete(PendingImport).where(PendingImport.id.in_(doomed)))
    return len(doomed)


def _names(pending: PendingImport, needles: set[str], names: set[str]) -> bool:
    try:
        table = read_table(pending.content, pending.filename)
    except ImportFileError:
        return True  # unreadable now: nothing to keep it for
    for _line, cells in table.rows:
        folded = {cell.casefold() for cell in cells if cell}
        if folded & needles or names <= folded:
            return True
    return False


def imports_task() -> str:
    """Periodic: the expired files of unconfirmed imports."""
    count = purge_expired_imports()
    return ngettext(
        "%(num)s fichier d'import expiré supprimé.",
        "%(num)s fichiers d'import expirés supprimés.",
        count,
    )
