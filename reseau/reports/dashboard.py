"""The coordinator's home: what needs attention now (a fixed number of small queries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa

from reseau.attendance.models import BilanSessionTally, Feedback
from reseau.catalogue.models import SessionStatus, TrainingSession, session_trainer
from reseau.core.database import UTCDateTime, counts_statement, run_counts, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import from_local, to_local
from reseau.outbox.models import MailStatus, OutboxMail

LIMIT = 5
LISTS = ("this_week", "without_trainer", "full_with_waitlist", "to_close")
FEEDBACK_DAYS = 30


class Listed(NamedTuple):
    """A session in one of the lists: what the list shows (plain values, kept between
    requests by the home page)."""

    id: int
    title: str
    starts_at: datetime | None


@dataclass
class Item:
    """One kind of thing to look at: how many, and the first few."""

    count: int = 0
    sessions: list = field(default_factory=list)


@dataclass
class Attention:
    this_week: Item
    without_trainer: Item
    full_with_waitlist: Item
    to_close: Item
    feedback: int
    feedback_since: datetime
    failed_mail: int = 0  # e-mails that will not leave without a coordinator

    @property
    def anything(self) -> bool:
        return any(
            (
                self.this_week.count,
                self.without_trainer.count,
                self.full_with_waitlist.count,
                self.to_close.count,
                self.feedback,
                self.failed_mail,
            )
        )


def _first_sessions(query: sa.Select, order) -> sa.Select:
    """How many sessions ``query`` finds and the first few (id, title, start: what the list
    shows), in one statement: the total rides along as a window count, so the sessions are
    looked at once, not once to count and once more to list."""
    return (
        query.with_only_columns(
            TrainingSession.id,
            TrainingSession.title,
            TrainingSession.starts_at,
            sa.func.count().over().label("total"),
        )
        .order_by(*order)
        .limit(LIMIT)
    )


def _week(now: datetime) -> tuple[datetime, datetime]:
    """Monday 0:00 to next Monday 0:00, Europe/Paris, as UTC."""
    today = to_local(now).date()
    monday = today - timedelta(days=today.weekday())
    start = from_local(datetime.combine(monday, time()))
    return start, from_local(datetime.combine(monday + timedelta(days=7), time()))


@cache
def _statements() -> tuple[sa.Select, sa.CompoundSelect]:
    """The totals and the four lists (one statement each), built once per process (building them costs more than
    running them); ``now``, the week and ``since`` are parameters."""
    now = sa.bindparam("now")
    published = sa.select(TrainingSession).where(TrainingSession.status == SessionStatus.PUBLISHED)
    has_trainer = sa.exists().where(session_trainer.c.session_id == TrainingSession.id)
    # Seats taken and the waiting list from the session's tally (attendance.rollups keeps it
    # in the transaction of every enrolment change; a session without enrolments has none,
    # and no waiting list): one row read per session instead of counting its enrolments.
    tally = BilanSessionTally
    lists = {
        "this_week": _first_sessions(
            published.where(
                TrainingSession.starts_at >= sa.bindparam("week_start"),
                TrainingSession.starts_at < sa.bindparam("week_end"),
            ),
            [TrainingSession.starts_at],
        ),
        "without_trainer": _first_sessions(
            sa.select(TrainingSession).where(
                TrainingSession.status.in_([SessionStatus.PUBLISHED, SessionStatus.DRAFT]),
                TrainingSession.starts_at >= now,
                ~has_trainer,
            ),
            [TrainingSession.starts_at],
        ),
        "full_with_waitlist": _first_sessions(
            published.join(tally, tally.session_id == TrainingSession.id).where(
                TrainingSession.starts_at >= now,
                tally.waitlisted > 0,
                tally.confirmed >= TrainingSession.capacity,
            ),
            [TrainingSession.starts_at],
        ),
        "to_close": _first_sessions(
            published.where(TrainingSession.ends_at < now), [TrainingSession.ends_at]
        ),
    }
    # The two totals in one statement, then each list with its total.
    totals = counts_statement(
        feedback=sa.select(sa.func.count(Feedback.id)).where(
            Feedback.created_at >= sa.bindparam("since")
        ),
        failed_mail=sa.select(sa.func.count(OutboxMail.id)).where(
            OutboxMail.status == MailStatus.FAILED
        ),
    )
    return totals, _one_statement(lists)


def _one_statement(lists: dict[str, sa.Select]) -> sa.CompoundSelect:
    """The lists in one statement (UNION ALL), each row naming its list (``kind``): one
    round trip and one execution instead of one per list. Each list keeps its own order
    and limit inside its subquery; ``position`` keeps that order in the union."""
    parts = []
    for kind, statement in lists.items():
        ordered = statement.add_columns(
            sa.func.row_number().over(order_by=statement._order_by_clauses).label("position")
        ).subquery(kind)
        parts.append(sa.select(sa.literal(kind).label("kind"), *ordered.c).order_by(None))
    return sa.union_all(*parts)


def attention(now: datetime | None = None) -> Attention:
    """Sessions this week, without a trainer, full with a waitlist, to close; new feedback."""
    now = now or utcnow()
    week_start, week_end = _week(now)
    since = now - timedelta(days=FEEDBACK_DAYS)
    totals_statement, lists = _statements()
    totals = run_counts(db.session, totals_statement, since=since)
    parameters = {"now": now, "week_start": week_start, "week_end": week_end}
    found: dict[str, list] = {name: [] for name in LISTS}
    for row in db.session.execute(lists, parameters):
        found[row.kind].append(row)
    items = {}
    for name, rows in found.items():
        rows.sort(key=lambda row: row.position)
        listed = [Listed(row.id, row.title, row.starts_at) for row in rows]
        items[name] = Item(rows[0].total if rows else 0, listed)
    return Attention(
        **items,
        feedback=totals["feedback"],
        feedback_since=since,
        failed_mail=totals["failed_mail"],
    )


def next_change(now: datetime) -> datetime:
    """When the coordinator's figures computed at ``now`` stop being true without any write:
    the next start of a session to come (it leaves "without a trainer", "full", the sessions
    to come), the next end of a published session (it is to close), the next Monday (this
    week's sessions), the day the oldest feedback of the window leaves it. One statement."""
    upcoming = (SessionStatus.PUBLISHED, SessionStatus.DRAFT)
    row = db.session.execute(
        _next_change_statement(),
        {"now": now, "since": now - timedelta(days=FEEDBACK_DAYS), "upcoming": upcoming},
    ).one()
    moments = [_week(now)[1]]
    moments += [moment for moment in row[:2] if moment is not None]
    if row[2] is not None:
        moments.append(row[2] + timedelta(days=FEEDBACK_DAYS))
    return min(moments)


@cache
def _next_change_statement() -> sa.Select:
    now = sa.bindparam("now")
    session = TrainingSession

    def first(column, *conditions):
        query = sa.select(sa.type_coerce(sa.func.min(column), UTCDateTime)).where(*conditions)
        return query.scalar_subquery()

    return sa.select(
        first(session.starts_at, session.status.in_(sa.bindparam("upcoming", expanding=True)),
              session.starts_at >= now),
        first(session.ends_at, session.status == SessionStatus.PUBLISHED, session.ends_at >= now),
        first(Feedback.created_at, Feedback.created_at >= sa.bindparam("since")),
    )  # fmt: skip
