"""The people counts (``people_count``): how many people each centre has in each status.

Kept in the transaction of the write: every flush that adds, removes or changes people
announces them (``accounts.announcements``, ``signals.people_changed``), and those whose
status or centre changed move the counts of their old and new (centre, status), one upsert
per key that changed. Every room's writes go through the ORM, so they all pass here (the
imports, the anonymising, walk-ins, registrations, approvals); a bulk write outside it (the
generated data sets, a restore) is followed by ``rebuild()`` (``flask rebuild-rollups``).
Concurrent changes of one centre's people queue on that centre's row only.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from reseau.accounts.models import PeopleCount, User, UserStatus
from reseau.accounts.signals import people_changed
from reseau.core.extensions import db

NO_CENTRE = 0


def _value(status) -> str:
    return getattr(status, "value", status)


def _key(centre_id, status) -> tuple[int, str]:
    return (centre_id or NO_CENTRE, _value(status))


@people_changed.connect
def _count_people(session: so.Session, changes) -> None:
    """Move the counts of the people a flush created, deleted or moved (``announcements``)."""
    deltas: Counter = Counter()
    for _person_id, before, after in changes:
        if before is not None:
            deltas[_key(before.centre_id, before.status)] -= 1
        if after is not None:
            deltas[_key(after.centre_id, after.status)] += 1
    for (centre_id, status), delta in sorted(deltas.items()):
        if delta:
            _add(session, centre_id, status, delta)


def _add(session: so.Session, centre_id: int, status: str, delta: int) -> None:
    table = PeopleCount.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(status=status, centre_id=centre_id, people=delta)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["status", "centre_id"],
            set_={"people": table.c.people + statement.excluded.people},
        )
    )


def count_rows(s: so.Session | None = None) -> list[dict]:
    """The counts computed from the people themselves."""
    s = s or db.session
    rows = s.execute(
        sa.select(
            User.status, sa.func.coalesce(User.centre_id, NO_CENTRE), sa.func.count()
        ).group_by(User.status, User.centre_id)
    )
    return [
        {"status": _value(status), "centre_id": centre_id, "people": people}
        for status, centre_id, people in rows
    ]


def rebuild(s: so.Session | None = None) -> dict[str, int]:
    """Recompute every count from the people (``flask rebuild-rollups``, a restore)."""
    s = s or db.session
    rows = count_rows(s)
    s.execute(sa.delete(PeopleCount))
    if rows:
        s.execute(sa.insert(PeopleCount), rows)
    return {"people_count": len(rows)}


def stored_rows(s: so.Session | None = None) -> set[tuple]:
    """The counts as stored, without the zeros (a test compares them with ``count_rows``)."""
    s = s or db.session
    return {
        (row.status, row.centre_id, row.people)
        for row in s.scalars(sa.select(PeopleCount))
        if row.people
    }


def people(status: UserStatus) -> sa.Select:
    """How many people have ``status`` in the whole network (for ``core.database.counts``)."""
    return sa.select(sa.func.coalesce(sa.func.sum(PeopleCount.people), 0)).where(
        PeopleCount.status == status.value
    )
