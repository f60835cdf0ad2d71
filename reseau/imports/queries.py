"""Reads of the imports room: the pending file of a token, and the plan of an import.

``plan_import`` decides each row's fate without writing anything: created, updated (with the
fields that change), already up to date, or skipped with the reason in French. The preview
shows it; the confirmation computes it again inside its transaction and applies it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

import email_validator
import sqlalchemy as sa
import sqlalchemy.orm as so

import reseau.accounts.forms  # noqa: F401 (the same accepted e-mail domains as the forms)
from reseau.accounts.access import may_act_on_person, visible_people
from reseau.accounts.models import AccountToken, Category, Centre, TokenPurpose, User, UserStatus
from reseau.accounts.operations import hash_token, normalise_email
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.imports.columns import FIELDS, category_names, fold, parse_category
from reseau.imports.models import PendingImport
from reseau.imports.reading import Table

CREATE, UPDATE, UNCHANGED, SKIP = "create", "update", "unchanged", "skip"
# The accounts room's limits (PersonForm, User columns).
MAX_LENGTHS = {
    "first_name": 80,
    "last_name": 80,
    "email": 254,
    "phone": 30,
    "sub_category": 80,
    "centre": 200,
}
# What an update may change; an empty cell changes nothing.
UPDATABLE = ("first_name", "last_name", "phone", "category", "sub_category")
CHUNK = 500


def get_pending_import(actor: User, token: str) -> PendingImport | None:
    """Return ``actor``'s unexpired pending import for ``token``, or None (someone else's
    token is no token)."""
    pending = db.session.scalar(
        sa.select(PendingImport).where(PendingImport.token_hash == hash_token(token))
    )
    if pending is None or pending.actor_id != actor.id or pending.expires_at <= utcnow():
        return None
    return pending


def invitations_to_send(actor: User) -> sa.Select:
    """The invited people within ``actor``'s reach who were never sent an invitation (an
    import's « plus tard »)."""
    sent = sa.select(AccountToken.id).where(
        AccountToken.user_id == User.id, AccountToken.purpose == TokenPurpose.INVITATION
    )
    return visible_people(actor).where(
        User.status == UserStatus.INVITED, User.email.is_not(None), ~sent.exists()
    )


@dataclass
class RowPlan:
    line: int
    values: dict[str, str]
    kind: str = CREATE
    reason: str = ""
    category: Category | None = None
    centre: Centre | None = None
    person: User | None = None
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # label: (before, after)

    def skip(self, reason: str) -> None:
        self.kind, self.reason = SKIP, reason

    @property
    def email(self) -> str:
        return self.values.get("email", "")


@dataclass
class Plan:
    rows: list[RowPlan]
    problems: list[str] = field(default_factory=list)  # about the whole file

    def count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in (CREATE, UPDATE, UNCHANGED, SKIP)}

    @property
    def to_write(self) -> int:
        return self.count(CREATE) + self.count(UPDATE)

    def digest(self) -> str:
        """A fingerprint of what confirming would do: the confirmation checks that the
        database has not changed the plan since the preview."""
        summary = [
            (r.line, r.kind, r.person.id if r.person else None, sorted(r.changes.items()))
            for r in self.rows
        ]
        return hashlib.sha256(json.dumps(summary, default=str).encode()).hexdigest()[:32]


def plan_import(
    actor: User,
    table: Table,
    mapping: dict[int, str],
    *,
    centre: Centre | None,
    default_category: Category | None = None,
) -> Plan:
    """Return what importing ``table`` would do, row by row, for ``actor``.

    ``centre`` receives every row; None (the coordinator only) reads each row's centre from
    the column mapped to "centre".
    """
    plan = Plan(rows=[_row_plan(line, cells, mapping) for line, cells in table.rows])
    plan.problems = _missing_columns(mapping, centre)
    centres = _CentreIndex() if centre is None else None
    for row in plan.rows:
        _check_values(row, centres, centre)
    _skip_duplicates(plan.rows)
    _match_existing(actor, [row for row in plan.rows if row.kind != SKIP], default_category)
    return plan


def _row_plan(line: int, cells: list[str], mapping: dict[int, str]) -> RowPlan:
    values = {name: cells[index] for index, name in mapping.items() if index < len(cells)}
    return RowPlan(line=line, values=values)


def _missing_columns(mapping: dict[int, str], centre: Centre | None) -> list[str]:
    mapped = set(mapping.values())
    needed = ["first_name", "last_name"] + (["centre"] if centre is None else [])
    return [
        f"Aucune colonne ne contient « {FIELDS[name]} » : choisissez-la ci-dessous."
        for name in needed
        if name not in mapped
    ]


def looks_like_formula(name: str, value: str) -> bool:
    """A cell a spreadsheet would run: « =… », « @… », « +… » or « -… » (but « +33 6… »)."""
    if not value or value[0] not in "=+-@":
        return False
    if name == "phone" and value[0] == "+":
        return not all(char.isdigit() or char in " .()-/" for char in value[1:])
    return True


def _check_values(row: RowPlan, centres, centre: Centre | None) -> None:
    """Skip the row whose cells cannot make a person, with the first reason found."""
    values = row.values
    if not values.get("first_name"):
        return row.skip("Prénom manquant.")
    if not values.get("last_name"):
        return row.skip("Nom manquant.")
    for name, value in values.items():
        if looks_like_formula(name, value):
            return row.skip(
                f"« {FIELDS[name]} » commence par « {value[0]} », comme une formule de "
                "tableur : corrigez la cellule."
            )
        if len(value) > MAX_LENGTHS.get(name, 1000):
            return row.skip(f"« {FIELDS[name]} » dépasse {MAX_LENGTHS[name]} caractères.")
    if values.get("email"):
        reason = _email_problem(values["email"])
        if reason:
            return row.skip(reason)
        values["email"] = normalise_email(values["email"])
    if values.get("category"):
        row.category = parse_category(values["category"])
        if row.category is None:
            return row.skip(
                f"Catégorie inconnue « {values['category']} » : écrivez {category_names()}."
            )
    row.centre = centre if centres is None else centres.find(values.get("centre", ""), row)
    if row.centre is None and row.kind != SKIP:
        return row.skip("Centre social manquant.")


def _email_problem(email: str) -> str:
    try:
        email_validator.validate_email(email, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return f"Adresse e-mail invalide « {email} »."
    return ""


class _CentreIndex:
    """The centres by name, or « name (town) » as the person list writes them."""

    def __init__(self):
        self.by_name: dict[str, list[Centre]] = defaultdict(list)
        self.by_label: dict[str, Centre] = {}
        for centre in db.session.scalars(sa.select(Centre)):
            self.by_name[fold(centre.name)].append(centre)
            self.by_label[fold(f"{centre.name} ({centre.town})")] = centre

    def find(self, text: str, row: RowPlan) -> Centre | None:
        if not text:
            return None
        centre = self.by_label.get(fold(text))
        if centre is not None:
            return centre
        found = self.by_name.get(fold(text), [])
        if len(found) == 1:
            return found[0]
        if found:
            row.skip(
                f"Plusieurs centres s'appellent « {text} » : écrivez aussi la commune, "
                f"par exemple « {found[0].name} ({found[0].town}) »."
            )
        else:
            row.skip(f"Centre social inconnu « {text} » : écrivez son nom comme dans Réseau.")
        return None


def _identity(row: RowPlan) -> tuple:
    """Who a row is: its e-mail, or without one its name within its centre."""
    if row.email:
        return ("email", row.email)
    return ("name", *_name_key(row))


def _name_key(row: RowPlan) -> tuple:
    return (row.centre.id, fold(row.values["first_name"]), fold(row.values["last_name"]))


def _skip_duplicates(rows: list[RowPlan]) -> None:
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.kind == SKIP:
            continue
        key = _identity(row)
        if key in seen:
            what = "Cette adresse e-mail" if row.email else "Cette personne (même nom, sans e-mail)"
            row.skip(f"{what} figure déjà à la ligne {seen[key]} du fichier.")
        else:
            seen[key] = row.line


def _match_existing(actor: User, rows: list[RowPlan], default_category: Category | None) -> None:
    by_email = _people_by_email([row.email for row in rows if row.email])
    # People without an address are matched by name, also by a row that brings them one.
    by_name = _people_without_email({row.centre.id for row in rows if row.centre})
    for row in rows:
        person = by_email.get(row.email) if row.email else None
        if person is None:
            found = by_name.get(_name_key(row), [])
            if len(found) > 1 and not row.email:
                row.skip("Plusieurs personnes de ce centre portent ce nom sans e-mail.")
                continue
            person = found[0] if len(found) == 1 else None
        if person is None:
            row.category = row.category or default_category  # an update keeps theirs
            if row.category is None:
                row.skip(
                    "Catégorie manquante : ajoutez-la dans le fichier ou choisissez une "
                    "catégorie par défaut."
                )
            continue
        _plan_update(actor, row, person)


def _people_by_email(emails: list[str]) -> dict[str, User]:
    people = {}
    for start in range(0, len(emails), CHUNK):
        chunk = emails[start : start + CHUNK]
        query = sa.select(User).options(so.joinedload(User.centre)).where(User.email.in_(chunk))
        people.update({person.email: person for person in db.session.scalars(query)})
    return people


def _people_without_email(centre_ids: set[int]) -> dict[tuple, list[User]]:
    people: dict[tuple, list[User]] = defaultdict(list)
    if not centre_ids:
        return people
    query = sa.select(User).where(
        User.email.is_(None),
        User.centre_id.in_(centre_ids),
        User.status != UserStatus.ANONYMISED,
    )
    for person in db.session.scalars(query):
        people[(person.centre_id, fold(person.first_name), fold(person.last_name))].append(person)
    return people


def _plan_update(actor: User, row: RowPlan, person: User) -> None:
    row.person = person
    if person.centre_id != row.centre.id:
        where = f" ({person.centre.name})" if actor.is_coordinator and person.centre else ""
        return row.skip(
            f"Cette adresse est celle d'une personne d'un autre centre{where} : elle n'est "
            "pas modifiée (changez son centre depuis sa fiche)."
        )
    if not may_act_on_person(actor, person):
        return row.skip(
            "Cette personne a un rôle que vous n'avez pas (formation, coordination…) : "
            "seule la coordination peut modifier son compte."
        )
    if person.status == UserStatus.PENDING:
        return row.skip("Sa demande de compte attend d'être validée : validez-la d'abord.")
    if person.status in (UserStatus.DISABLED, UserStatus.ANONYMISED):
        return row.skip("Son compte est désactivé : réactivez-le depuis sa fiche d'abord.")
    for name in UPDATABLE:
        before, after = _compared(name, person, row)
        if after is not None and after != before:
            row.changes[FIELDS[name]] = (_shown(name, before), _shown(name, after))
    if row.email and not person.email:  # matched by name: the file brings their address
        row.changes[FIELDS["email"]] = ("—", row.email)
    row.kind = UPDATE if row.changes else UNCHANGED
    if not row.changes:
        row.reason = "Déjà à jour : rien ne change."


def _compared(name: str, person: User, row: RowPlan):
    """(the person's value, the row's value or None when the cell changes nothing)."""
    if name == "category":
        return person.category, row.category
    value = row.values.get(name) or None
    return getattr(person, name) or "", value


def _shown(name: str, value) -> str:
    if name == "category":
        return value.label if value else ""
    return value or "—"
