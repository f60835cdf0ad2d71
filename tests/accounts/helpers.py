"""Small helpers shared by the accounts tests."""

from __future__ import annotations

import re

import sqlalchemy as sa

from reseau.core.extensions import db
from reseau.outbox import OutboxMail
from tests.factories import PASSWORD

LINK = re.compile(r"https?://localhost(/\S+)")


def outbox(recipient: str | None = None) -> list[OutboxMail]:
    """Return the outbox rows, oldest first (for ``recipient`` only, if given)."""
    query = sa.select(OutboxMail).order_by(OutboxMail.id)
    if recipient is not None:
        query = query.where(OutboxMail.recipient == recipient)
    return list(db.session.scalars(query))


def link_in(mail: OutboxMail) -> str:
    """Return the path of the first link of this site in ``mail``'s body."""
    match = LINK.search(mail.body_text)
    assert match, mail.body_text
    return match.group(1)


NEW_PASSWORD = "un-nouveau-mot-de-passe"  # noqa: S105 (test data)


def new_password_form(password: str = NEW_PASSWORD) -> dict[str, str]:
    return {"password": password, "password_confirm": password}


def person_form(**overrides) -> dict:
    """The person form (invite or edit), filled in for Zoé Martin; ``overrides`` change it."""
    data = {
        "first_name": "Zoé",
        "last_name": "Martin",
        "email": "zoe.martin@exemple.test",
        "phone": "",
        "category": "benevole",
    }
    data.update(overrides)
    return data


def password_change_form(password: str, confirm: str | None = None, current: str = PASSWORD):
    """The profile page's password form (fields prefixed ``pw-``)."""
    return {
        "pw-current_password": current,
        "pw-password": password,
        "pw-password_confirm": password if confirm is None else confirm,
        "pw-submit": "1",
    }
