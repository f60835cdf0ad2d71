"""The people counts (``people_count``): how many people each centre has in each status.

Kept in the transaction of the write: after every flush, the people added, removed or whose
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
from reseau.core.extensions import db

NO_CENTRE = 0


def _value(status) -> str:
    return getattr(status, "value", status)


def _key(centre_id, status) -> tuple[int, str]:
    return (centre_id or NO_CENTRE, _value(status))


def _before_and_after(user: User) -> tuple[tuple | None, tuple | None]:
    """The (centre, status) key of ``user`` before this flush and after it."""
    state = sa.inspect(user)
    centre, status = state.attrs.centre_id.history, state.attrs.status.history
    if not (centre.has_changes() or status.has_changes()):
        return None, None

    def old(history, now):
        return history.deleted[0] if history.deleted else now

    now_centre, now_status = user.centre_id, user.status
    return _key(old(centre, now_centre), old(status, now_status)), _key(now_centre, now_status)


@sa.event.listens_for(so.Session, "after_flush")
def _count_people(session: so.Session, context) -> None:
    deltas: Counter = Counter()
    for user in session.new:
        if isinstance(user, User):
            status = sa.inspect(user).dict.get("status") or UserStatus.ACTIVE  # the default
            deltas[_key(user.centre_id, status)] += 1
    for user in session.dirty:
        if isinstance(user, User):
            before, after = _before_and_after(user)
            if before != after:
                deltas[before] -= 1
                deltas[after] += 1
    for user in session.deleted:
        if isinstance(user, User):
            state = sa.inspect(user)
            centre = state.attrs.centre_id.history
            status = state.attrs.status.history
            deltas[
                _key(
                    (centre.deleted or centre.unchanged or [None])[0],
                    (status.deleted or status.unchanged or [UserStatus.ACTIVE])[0],
                )
            ] -= 1
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
        sa.select(User.status, sa.func.coalesce(User.centre_id, NO_CENTRE), sa.func.count())
        .group_by(User.status, User.centre_id)
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
