"""Tell the other rooms, at flush, which people changed what they count as.

Every write of a person goes through the ORM (operations, imports, commands, anonymising):
the flush sees the old and new values of the columns other rooms count by and sends
``signals.people_changed`` once, within the flush, so that the receivers update their counts
in the same transaction with plain statements.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import User
from reseau.accounts.signals import PersonGroup, people_changed

COUNTED = ("centre_id", "category", "status", "email")


# Setting one of these columns loads its old value first (if it was expired), so that the
# flush knows what the person counted as before.
for _name in COUNTED:
    sa.event.listen(getattr(User, _name), "set", lambda *args: None, active_history=True)


def _value(value):
    return getattr(value, "value", value)


def group_of(values: dict) -> PersonGroup:
    return PersonGroup(
        centre_id=values["centre_id"],
        category=_value(values["category"]),
        status=_value(values["status"]),
        has_email=values["email"] is not None,
    )


def _now(person: User) -> dict:
    return {name: getattr(person, name) for name in COUNTED}


def _before(person: User) -> dict | None:
    """The counted values before this flush, or None if none of them changed."""
    values, changed = _now(person), False
    for name in COUNTED:
        history = so.attributes.get_history(person, name)
        if history.deleted:
            values[name], changed = history.deleted[0], True
    centre = so.attributes.get_history(person, "centre")
    if centre.deleted and "centre_id" not in _changed_names(person):
        old = centre.deleted[0]
        values["centre_id"], changed = (old.id if old is not None else None), True
    return values if changed else None


def _changed_names(person: User) -> set[str]:
    return {name for name in COUNTED if so.attributes.get_history(person, name).deleted}


@sa.event.listens_for(so.Session, "after_flush")
def _announce_people_changes(session: so.Session, flush_context) -> None:
    changes = []
    for person in session.new:
        if isinstance(person, User):
            changes.append((person.id, None, group_of(_now(person))))
    for person in session.dirty:
        if isinstance(person, User) and person not in session.deleted:
            before = _before(person)
            if before is not None:
                old, new = group_of(before), group_of(_now(person))
                if old != new:
                    changes.append((person.id, old, new))
    for person in session.deleted:
        if isinstance(person, User):
            changes.append((person.id, group_of(_before(person) or _now(person)), None))
    if changes:
        changes.sort(key=lambda change: change[0])
        people_changed.send(session, changes=changes)
