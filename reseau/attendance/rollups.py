"""The bilan's summary rows, kept by the operations that change them and rebuilt from the raw rows.

Two levels, so that the bilan reads a few rows per session or per centre, never the
enrolments or the attendance marks themselves:

- per session (``BilanSessionCount``, by the person's centre, category and sub-category):
  enrolments, confirmed, waiting list, no-shows, people recorded and present, trainee
  minutes, marks of confirmed people; ``BilanSessionTally`` holds the seats held and the
  waiting list, and is the row writers lock. A session's rows are recomputed from its own
  enrolments and marks (a few dozen rows) in the transaction that changed them, or take the
  difference a change makes: marks (``marking``), an enrolment's status (``enrolments_moved``,
  told by the enrolment operations which status each enrolment left).
- per person (``BilanParticipant``: the years and kinds they attended or waited in, with
  their first year) and, added up from them, ``BilanYearCount``: distinct participants,
  first-timers and people waiting, per local year × kind ("" for every kind) × centre ×
  category × sub-category. A person's rows are recomputed and the difference from the stored
  ones is added to the counts.

Who calls ``refresh(session_ids, person_ids)``: the attendance operations (every mark), the
enrolment operations (through ``enrolment.signals.enrolments_changed``: enrol, cancel,
approve, decline, offers, the waiting list), the catalogue's ``session_changed``,
``session_cancelled`` and ``session_regrouped`` (séances cancelled, moved, added; a session
cancelled or of another kind) and the accounts' ``person_regrouped`` (a person's centre,
category or sub-category). A centre changing
département or membership needs nothing: the rows keep the centre, the bilan joins it.

Locks, always in this order: the people's rows (``user``, FOR NO KEY UPDATE), then the
sessions' tally rows, each sorted: marks in two séances of one session queue up on its tally,
writes in unrelated sessions never wait for each other.

Definitions: a person *attended* a year when they were present or late at a scheduled séance
of a published or closed session whose first séance starts in that (Paris) year; they
*waited* when they were on the waiting list of such a session. ``rebuild()`` recomputes
everything (``flask rebuild-rollups``); a test checks it finds what the operations kept.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from reseau.accounts.models import User
from reseau.attendance.models import (
    Attendance,
    AttendanceStatus,
    BilanParticipant,
    BilanSessionCategory,
    BilanSessionCount,
    BilanSessionMonth,
    BilanSessionTally,
    BilanYearCount,
    Feedback,
)
from reseau.catalogue.models import Seance, SeanceStatus, SessionStatus, TrainingSession
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.enrolment.models import Enrolment, EnrolmentStatus

NO_CENTRE = 0
ALL_KINDS = ""
HOLDING = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING, EnrolmentStatus.OFFERED)
COUNTED = (SessionStatus.PUBLISHED, SessionStatus.CLOSED)
SESSION_COLUMNS = (
    "enrolments",
    "confirmed",
    "waitlisted",
    "no_shows",
    "recorded",
    "present",
    "trainee_minutes",
    "confirmed_marks",
)


def _value(enum_or_str) -> str:
    return getattr(enum_or_str, "value", enum_or_str)


def _key(centre_id, category, sub_category) -> tuple[int, str, str]:
    return (centre_id or NO_CENTRE, _value(category), sub_category or "")


def _in(column, ids: list[int] | None) -> list:
    return [] if ids is None else [column.in_(ids)]


def _insert(s: so.Session, table):
    dialect = s.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


# --- per session ------------------------------------------------------------------------------


def _flags(key) -> dict:
    """One person's counts in one session, before their enrolments and marks are added."""
    return {
        "key": key, "enrolments": 0, "confirmed": 0, "waitlisted": 0, "holding": 0,
        "recorded": 0, "attended_any": 0, "present": 0, "trainee_minutes": 0,
        "confirmed_marks": 0,
    }  # fmt: skip


def _count_enrolment(found: dict, status) -> None:
    found["enrolments"] += 1
    found["confirmed"] += status == EnrolmentStatus.CONFIRMED
    found["waitlisted"] += status == EnrolmentStatus.WAITLISTED
    found["holding"] += status in HOLDING


def _count_mark(found: dict, status, seance_status, starts_at, ends_at, enrolment_status) -> None:
    found["recorded"] = 1
    if status not in AttendanceStatus.ATTENDED:
        return
    found["attended_any"] = 1
    if seance_status != SeanceStatus.SCHEDULED:
        return
    found["present"] = 1
    found["trainee_minutes"] += round((ends_at - starts_at).total_seconds() / 60)
    found["confirmed_marks"] += enrolment_status == EnrolmentStatus.CONFIRMED


def _session_people(
    s: so.Session, ids: list[int] | None, person_ids: list[int] | None = None
) -> dict:
    """{session_id: {person_id: flags}} from the sessions' enrolments and marks (of these
    people only, when ``person_ids`` is given)."""
    people: dict = defaultdict(dict)

    def flags(session_id, person_id, centre_id, category, sub_category):
        found = people[session_id].get(person_id)
        if found is None:
            found = people[session_id][person_id] = _flags(_key(centre_id, category, sub_category))
        return found

    who = (User.centre_id, User.category, User.sub_category)
    enrolments = s.execute(
        sa.select(Enrolment.session_id, Enrolment.person_id, *who, Enrolment.status)
        .join(User, User.id == Enrolment.person_id)
        .where(*_in(Enrolment.session_id, ids), *_in(Enrolment.person_id, person_ids))
    )
    for session_id, person_id, centre_id, category, sub, status in enrolments:
        _count_enrolment(flags(session_id, person_id, centre_id, category, sub), status)
    _add_marks(s, ids, flags, person_ids)
    return people


def _add_marks(s: so.Session, ids: list[int] | None, flags, person_ids=None) -> None:
    by = so.aliased(Enrolment)
    marks = s.execute(
        sa.select(
            Seance.session_id, Attendance.person_id, User.centre_id, User.category,
            User.sub_category, Attendance.status, Seance.status.label("seance_status"),
            Seance.starts_at, Seance.ends_at, by.status.label("enrolment_status"),
        )
        .join(Seance, Seance.id == Attendance.seance_id)
        .join(User, User.id == Attendance.person_id)
        .outerjoin(by, by.id == Attendance.enrolment_id)
        .where(*_in(Seance.session_id, ids), *_in(Attendance.person_id, person_ids))
    )  # fmt: skip
    for row in marks:
        _count_mark(flags(row[0], row[1], row[2], row[3], row[4]), *row[5:])


def _session_counts(people: dict) -> tuple[dict, dict, dict]:
    """({session_id: tally}, {(session_id, centre, category, sub): {column: n}}, the same by
    (session_id, category, sub))."""
    tallies, by_centre, by_category = {}, {}, {}
    for session_id, persons in people.items():
        tally = {"seats_held": 0, **dict.fromkeys(SESSION_COLUMNS, 0)}
        centres = set()
        for found in persons.values():
            tally["seats_held"] += found["holding"]
            centre, category, sub = found["key"]
            if found["present"] and centre != NO_CENTRE:
                centres.add(centre)
            for counts, key in (
                (by_centre, (session_id, centre, category, sub)),
                (by_category, (session_id, category, sub)),
                ({session_id: tally}, session_id),
            ):
                row = counts.setdefault(key, dict.fromkeys(SESSION_COLUMNS, 0))
                for name in SESSION_COLUMNS:
                    if name != "no_shows":
                        row[name] += found[name]
                row["no_shows"] += found["confirmed"] > 0 and not found["attended_any"]
        tallies[session_id] = {**tally, "centres": len(centres)}
    return tallies, by_centre, by_category


FEEDBACK_COLUMNS = tuple(f"feedback_{score}" for score in range(1, 6))
TALLY_COLUMNS = ("seats_held", "centres", *SESSION_COLUMNS)


def _session_figures(s: so.Session, ids: list[int] | None) -> tuple[dict, dict]:
    """({session_id: {column: n}}, {(session_id, month): minutes}): the sessions' scheduled
    séances and their minutes, in all and by the month (UTC) they start in (none while a
    draft: they count from its publication on), and their feedback by score."""
    figures: dict = defaultdict(dict)
    seconds: dict = defaultdict(float)
    by_month: dict = defaultdict(float)
    seances = s.execute(
        sa.select(Seance.session_id, Seance.starts_at, Seance.ends_at)
        .join(TrainingSession, TrainingSession.id == Seance.session_id)
        .where(
            Seance.status == SeanceStatus.SCHEDULED,
            TrainingSession.status != SessionStatus.DRAFT,
            *_in(Seance.session_id, ids),
        )
    )
    for session_id, starts_at, ends_at in seances:
        length = (ends_at - starts_at).total_seconds()
        found = figures[session_id]
        found["seances"] = found.get("seances", 0) + 1
        seconds[session_id] += length
        by_month[(session_id, f"{starts_at:%Y-%m}")] += length
    for session_id, total in seconds.items():
        figures[session_id]["seance_minutes"] = round(total / 60)
    feedback = s.execute(
        sa.select(Feedback.session_id, Feedback.satisfaction, sa.func.count())
        .where(*_in(Feedback.session_id, ids))
        .group_by(Feedback.session_id, Feedback.satisfaction)
    )
    for session_id, score, n in feedback:
        figures[session_id][f"feedback_{score}"] = n
    return figures, {key: round(total / 60) for key, total in by_month.items()}


def _tally_rows(s: so.Session, ids: list[int] | None, tallies: dict) -> tuple[list, list]:
    """The sessions' tally rows (their people's totals and their own séances and feedback: a
    row for every session refreshed that has any) and their rows by month."""
    figures, by_month = _session_figures(s, ids)
    empty = dict.fromkeys((*TALLY_COLUMNS, "seances", "seance_minutes", *FEEDBACK_COLUMNS), 0)
    tally_rows = [
        {**empty, "session_id": sid, **tallies.get(sid, {}), **figures.get(sid, {})}
        for sid in sorted(set(tallies) | set(figures))
    ]
    month_rows = [
        {"session_id": sid, "month": month, "minutes": minutes}
        for (sid, month), minutes in sorted(by_month.items())
    ]
    return tally_rows, month_rows


def record_feedback(session_id: int, satisfaction: int) -> None:
    """One more answer giving ``satisfaction`` to the session (one upsert on its tally, in
    the caller's transaction: answers to one session queue up only for that statement)."""
    s = db.session
    table = BilanSessionTally.__table__
    column = f"feedback_{int(satisfaction)}"
    statement = _insert(s, table).values(session_id=session_id, **{column: 1})
    s.execute(
        statement.on_conflict_do_update(
            index_elements=["session_id"], set_={column: table.c[column] + 1}
        )
    )


def _write_sessions(s: so.Session, ids: list[int] | None, people: dict) -> None:
    tallies, by_centre, by_category = _session_counts(people)
    tally_rows, month_rows = _tally_rows(s, ids, tallies)
    for model in (BilanSessionCount, BilanSessionCategory, BilanSessionMonth, BilanSessionTally):
        s.execute(sa.delete(model).where(*_in(model.session_id, ids)))
    rows = (
        (BilanSessionTally, tally_rows),
        (BilanSessionMonth, month_rows),
        (
            BilanSessionCount,
            [
                {"session_id": k[0], "centre_id": k[1], "category": k[2], "sub_category": k[3],
                 **values}
                for k, values in by_centre.items()
            ],
        ),
        (
            BilanSessionCategory,
            [
                {"session_id": k[0], "category": k[1], "sub_category": k[2], **values}
                for k, values in by_category.items()
            ],
        ),
    )  # fmt: skip
    for model, values in rows:
        if values:
            s.execute(sa.insert(model), values)


# --- per person -------------------------------------------------------------------------------


def _participations(s: so.Session, ids: list[int] | None) -> dict:
    """{person_id: {(year, kind): [attended, waitlisted]}} plus each person's key."""
    attended = (
        sa.select(Attendance.person_id, TrainingSession.starts_at, TrainingSession.kind,
                  sa.literal(1).label("attended"))
        .join(Seance, Seance.id == Attendance.seance_id)
        .join(TrainingSession, TrainingSession.id == Seance.session_id)
        .where(Attendance.status.in_(AttendanceStatus.ATTENDED),
               Seance.status == SeanceStatus.SCHEDULED, TrainingSession.status.in_(COUNTED),
               *_in(Attendance.person_id, ids))
    )  # fmt: skip
    waited = (
        sa.select(Enrolment.person_id, TrainingSession.starts_at, TrainingSession.kind,
                  sa.literal(0).label("attended"))
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .where(Enrolment.status == EnrolmentStatus.WAITLISTED,
               TrainingSession.status.in_(COUNTED), *_in(Enrolment.person_id, ids))
    )  # fmt: skip
    found: dict = defaultdict(dict)
    for person_id, starts_at, kind, is_attended in s.execute(sa.union(attended, waited)):
        year = to_local(starts_at).year
        for k in (_value(kind), ALL_KINDS):
            flags = found[person_id].setdefault((year, k), [0, 0])
            flags[0 if is_attended else 1] = 1
    return found


def _person_rows(s: so.Session, ids: list[int] | None, keys: dict | None = None) -> list[dict]:
    """The people's year rows; ``keys``: their (centre, category, sub-category), when already
    read (``_lock_people``)."""
    found = _participations(s, ids)
    if keys is None:
        # Rebuilding reads every person (no list of ids as long as the network).
        people = s.execute(
            sa.select(User.id, User.centre_id, User.category, User.sub_category).where(
                *_in(User.id, ids)
            )
        )
        keys = {person_id: _key(*key) for person_id, *key in people}
    rows = []
    for person_id, (centre, cat, sub) in keys.items():
        years = found.get(person_id)
        if not years:
            continue
        first = min((y for (y, _), f in years.items() if f[0]), default=None)
        for (year, kind), (attended, waitlisted) in years.items():
            rows.append(
                {"person_id": person_id, "year": year, "kind": kind, "centre_id": centre,
                 "category": cat, "sub_category": sub, "attended": bool(attended),
                 "waitlisted": bool(waitlisted), "first": bool(attended) and year == first}
            )  # fmt: skip
    return rows


def _contributions(rows: Iterable) -> dict:
    """{(year, kind, centre, category, sub-category): [participants, first-timers, waiting]}"""
    totals: dict = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        get = row.get if isinstance(row, dict) else row._mapping.get
        key = (get("year"), get("kind"), get("centre_id"), get("category"), get("sub_category"))
        values = totals[key]
        values[0] += bool(get("attended"))
        values[1] += bool(get("first"))
        values[2] += bool(get("waitlisted"))
    return totals


def _add_year_counts(s: so.Session, deltas: dict) -> None:
    """Add ``deltas`` to the year counts (sorted: two writers meet in one order)."""
    names = ("participants", "first_timers", "waitlisted")
    keys = ("year", "kind", "centre_id", "category", "sub_category")
    rows = [
        {**dict(zip(keys, key, strict=True)), **dict(zip(names, deltas[key], strict=True))}
        for key in sorted(deltas)
        if any(deltas[key])
    ]
    if rows:  # one statement, whatever the keys
        _upsert_adding(s, BilanYearCount, keys, rows, names)


def _refresh_people(s: so.Session, ids: list[int], keys: dict | None = None) -> None:
    """Recompute the people's year rows and add the difference to the year counts; ``keys``:
    theirs, when read with their lock (``_lock_people``)."""
    stored = s.execute(
        sa.select(BilanParticipant.__table__).where(BilanParticipant.person_id.in_(ids))
    ).all()
    rows = _person_rows(s, ids, None if keys is None else {i: keys[i] for i in ids})
    before, after = _contributions(stored), _contributions(rows)
    deltas = {
        key: [
            a - b
            for a, b in zip(after.get(key, [0, 0, 0]), before.get(key, [0, 0, 0]), strict=True)
        ]
        for key in set(before) | set(after)
    }
    _add_year_counts(s, deltas)
    s.execute(sa.delete(BilanParticipant).where(BilanParticipant.person_id.in_(ids)))
    if rows:
        s.execute(sa.insert(BilanParticipant), rows)


# --- the entry points -------------------------------------------------------------------------


def _lock(s: so.Session, session_ids: list[int], person_ids: list[int]) -> None:
    if person_ids:
        s.execute(
            sa.select(User.id).where(User.id.in_(person_ids)).order_by(User.id)
            .with_for_update(key_share=True)
        ).all()  # fmt: skip
    if session_ids:
        table = BilanSessionTally.__table__
        s.execute(
            _insert(s, table)
            .values([{"session_id": sid} for sid in session_ids])
            .on_conflict_do_nothing(index_elements=["session_id"])
        )
        s.execute(
            sa.select(table.c.session_id).where(table.c.session_id.in_(session_ids))
            .order_by(table.c.session_id).with_for_update()
        ).all()  # fmt: skip


def refresh(session_ids: Iterable[int] = (), person_ids: Iterable[int] = ()) -> None:
    """Bring the rows of these sessions and people up to date, in the caller's transaction."""
    s = db.session
    s.flush()
    session_ids = sorted(set(session_ids))
    person_ids = sorted(set(person_ids))
    _lock(s, session_ids, person_ids)
    if session_ids:
        _write_sessions(s, session_ids, _session_people(s, session_ids))
    if person_ids:
        _refresh_people(s, person_ids)


@contextmanager
def marking(session_id: int, person_ids: Iterable[int]):
    """Around writes that change only the marks of ``person_ids`` in one session (the
    attendance operations): their part of the session's rows is read before and after, and
    the difference added to the rows, so a tap costs the same in a session of 10 or of 500
    people. The locks are taken first (``refresh``'s order: the people's rows, which give
    their keys, then the session's tally), so the part read before is the one the writes
    change. The people's enrolments are read once (a mark does not change them); their year
    rows are recomputed only for those whose presence in the session flips (present ↔ late,
    or another séance attended, changes none of them)."""
    s = db.session
    s.flush()
    person_ids = sorted(set(person_ids))
    keys = _lock_people(s, person_ids)
    _lock_tally(s, session_id)
    parameters = {"session_id": session_id, "ids": person_ids}
    enrolments = s.execute(_ENROLMENTS_OF, parameters).all()

    def people() -> dict:
        found = {person_id: _flags(keys[person_id]) for person_id in person_ids}
        for person_id, status in enrolments:
            _count_enrolment(found[person_id], status)
        for person_id, *mark in s.execute(_MARKED, parameters):
            _count_mark(found[person_id], *mark)
        return found

    before = people()
    yield
    s.flush()
    after = people()
    flipped = [pid for pid in person_ids if before[pid]["present"] != after[pid]["present"]]
    _add_marked_differences(
        s,
        session_id,
        _session_counts({session_id: before}),
        _session_counts({session_id: after}),
        recount_centres=bool(flipped),
    )
    if flipped:
        _refresh_people(s, flipped, keys)


def _lock_tally(s: so.Session, session_id: int) -> None:
    """Lock the session's tally row, created first if it has none yet (a session refreshed
    with nothing to count)."""
    if s.execute(_LOCK_TALLY, {"session_id": session_id}).first() is None:
        _lock(s, [session_id], [])


def _differences(before: dict, after: dict, names: tuple) -> list[tuple]:
    """[(key, {column: after - before})] for the keys whose counts moved, sorted."""
    found = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, {}), after.get(key, {})
        delta = {name: new.get(name, 0) - old.get(name, 0) for name in names}
        if any(delta.values()):
            found.append((key, delta))
    return found


_SESSION_ROWS = (
    (BilanSessionCount, 1, ("session_id", "centre_id", "category", "sub_category")),
    (BilanSessionCategory, 2, ("session_id", "category", "sub_category")),
)


def _session_row_differences(before, after):
    """``(model, key columns, rows to add)`` for the session's rows by centre and by
    category that the people's difference changes (``before``/``after``: ``_session_counts``)."""
    for model, index, keys in _SESSION_ROWS:
        rows = [
            {**dict(zip(keys, key, strict=True)), **delta}
            for key, delta in _differences(before[index], after[index], SESSION_COLUMNS)
        ]
        if rows:
            yield model, keys, rows


def _add_marked_differences(
    s: so.Session, session_id: int, before, after, *, recount_centres: bool
) -> None:
    """Add the people's difference to the session's rows: by centre and by category (one
    upsert each), then its tally (the centres reached recounted from its few centre rows
    when someone's presence flipped); nothing at all when the marks change no count."""
    for model, keys, rows in _session_row_differences(before, after):
        _upsert_adding(s, model, keys, rows, SESSION_COLUMNS)
    moved = dict(_differences(before[0], after[0], _TALLY_ADDED)).get(session_id)
    if moved or recount_centres:
        deltas = {f"add_{name}": (moved or {}).get(name, 0) for name in _TALLY_ADDED}
        s.execute(_ADD_TO_TALLY, {"tally_id": session_id, "recount": recount_centres, **deltas})


_TALLY_ADDED = ("seats_held", *SESSION_COLUMNS)


def _add_to_tally() -> sa.Update:
    """``UPDATE`` a session's tally: its counts plus ``add_<column>``, its centres recounted
    from its rows by centre when ``recount``; built once (a tap runs it)."""
    tally, counts = BilanSessionTally.__table__, BilanSessionCount.__table__
    session_id = sa.bindparam("tally_id", type_=sa.Integer)
    centres = (
        sa.select(sa.func.count(sa.distinct(counts.c.centre_id)))
        .where(counts.c.session_id == session_id, counts.c.present > 0,
               counts.c.centre_id != NO_CENTRE)
        .scalar_subquery()
    )  # fmt: skip
    added = {
        name: tally.c[name] + sa.bindparam(f"add_{name}", type_=sa.Integer) for name in _TALLY_ADDED
    }
    recount = sa.bindparam("recount", type_=sa.Boolean)
    return (
        sa.update(tally)
        .where(tally.c.session_id == session_id)
        .values(**added, centres=sa.case((recount, centres), else_=tally.c.centres))
    )


_ADD_TO_TALLY = _add_to_tally()


# --- one enrolment changing status (the enrolment operations) ---------------------------------


class Move(NamedTuple):
    """One enrolment of a session changing status: ``before`` is None for a new row."""

    person_id: int
    enrolment_id: int
    before: EnrolmentStatus | None
    after: EnrolmentStatus


def enrolments_moved(session: TrainingSession, moves: Iterable[Move]) -> None:
    """Add the difference these status changes make, instead of recounting the session (the
    enrolment operations, under the session's lock): the people's rows locked (their keys
    read in that statement), their marks in the session read only when "confirmed" changes
    (no-shows, marks of confirmed people), then one upsert per session table, the tally
    first (it is the row writers lock, so ``refresh``'s order holds). The people's year rows
    move only when "waiting" changes: joining a waiting list sets the flag in one upsert
    that returns the rows it changed; leaving one recomputes the person's rows."""
    s = db.session
    moves = sorted(moves, key=lambda move: move.person_id)
    if len({move.person_id for move in moves}) != len(moves):
        refresh([session.id], [move.person_id for move in moves])
        return
    s.flush()
    keys = _lock_people(s, [move.person_id for move in moves])
    flipped = [m for m in moves if _is(m.before, CONFIRMED) != _is(m.after, CONFIRMED)]
    marks = _marks_of(s, session.id, flipped)
    before, after = {}, {}
    for move in moves:
        attended_any, linked = marks.get(move.person_id, (0, 0))
        for people, status in ((before, move.before), (after, move.after)):
            people[move.person_id] = _moved_flags(
                keys[move.person_id], status, attended_any, linked
            )
    upserts = _moved_upserts(
        session.id, _session_counts({session.id: before}), _session_counts({session.id: after})
    )
    joined, left = _waiting_moves(session, moves)
    waiting = _waiting_rows(session, joined, keys) if joined else []
    if upserts and not left and s.get_bind().dialect.name == "postgresql":
        # One round trip under the session's lock instead of one per table (SQLite runs
        # statements in process: nothing to save there).
        s.connection().exec_driver_sql(
            _moved_statement(_shape(upserts), len(waiting)), _moved_parameters(upserts, waiting)
        )
        return
    for model, keys_of, rows, names in upserts:
        _upsert_adding(s, model, keys_of, rows, names)
    if left:  # another session of the year and kind may still keep them waiting
        _refresh_people(s, left, keys)
    if waiting:
        _join_waiting(s, waiting)


CONFIRMED = EnrolmentStatus.CONFIRMED


def _is(status, *statuses) -> bool:
    return status is not None and status in statuses


def _moved_flags(key, status, attended_any: int, linked: int) -> dict:
    """A person's flags in ``_session_people``'s form, with one enrolment in ``status`` (none
    before a new row). Their marks count only where the status changes them: no-shows and
    the marks of confirmed people (``linked``: theirs that count, on this enrolment)."""
    confirmed = _is(status, CONFIRMED)
    return {
        "key": key, "enrolments": int(status is not None), "confirmed": int(confirmed),
        "waitlisted": int(_is(status, EnrolmentStatus.WAITLISTED)),
        "holding": int(_is(status, *HOLDING)), "recorded": 0, "attended_any": attended_any,
        "present": 0, "trainee_minutes": 0, "confirmed_marks": linked if confirmed else 0,
    }  # fmt: skip


def _lock_people(s: so.Session, ids: list[int]) -> dict[int, tuple]:
    """Lock the people's rows (``_lock``'s statement) and return their keys, read with it."""
    rows = s.connection().execute(_LOCK_PEOPLE, {"ids": ids})  # flushed: Core suffices
    return {person_id: _key(centre, category, sub) for person_id, centre, category, sub in rows}


# Built once: an enrolment runs them under the session's lock, where building and compiling
# a statement costs more than running it.
_LOCK_PEOPLE = (
    sa.select(User.id, User.centre_id, User.category, User.sub_category)
    .where(User.id.in_(sa.bindparam("ids", expanding=True))).order_by(User.id)
    .with_for_update(key_share=True)
)  # fmt: skip
_LOCK_TALLY = (
    sa.select(BilanSessionTally.session_id)
    .where(BilanSessionTally.session_id == sa.bindparam("session_id"))
    .with_for_update()
)
_ENROLMENTS_OF = sa.select(Enrolment.person_id, Enrolment.status).where(
    Enrolment.session_id == sa.bindparam("session_id"),
    Enrolment.person_id.in_(sa.bindparam("ids", expanding=True)),
)
_MARKED_BY = so.aliased(Enrolment)
# A person's marks in the session, in ``_count_mark``'s order.
_MARKED = (
    sa.select(Attendance.person_id, Attendance.status, Seance.status, Seance.starts_at,
              Seance.ends_at, _MARKED_BY.status)
    .join(Seance, Seance.id == Attendance.seance_id)
    .outerjoin(_MARKED_BY, _MARKED_BY.id == Attendance.enrolment_id)
    .where(Seance.session_id == sa.bindparam("session_id"),
           Attendance.person_id.in_(sa.bindparam("ids", expanding=True)))
)  # fmt: skip
_MARKS_OF = (
    sa.select(Attendance.person_id, Attendance.enrolment_id, Attendance.status, Seance.status)
    .join(Seance, Seance.id == Attendance.seance_id)
    .where(Seance.session_id == sa.bindparam("session_id"),
           Attendance.person_id.in_(sa.bindparam("ids", expanding=True)))
)  # fmt: skip


def _marks_of(s: so.Session, session_id: int, moves: list[Move]) -> dict[int, tuple[int, int]]:
    """{person_id: (attended at all, marks that count on the moved enrolment)} in the session."""
    if not moves:
        return {}
    enrolment_of = {move.person_id: move.enrolment_id for move in moves}
    rows = s.execute(_MARKS_OF, {"session_id": session_id, "ids": list(enrolment_of)})
    found: dict = defaultdict(lambda: [0, 0])
    for person_id, enrolment_id, status, seance_status in rows:
        if status not in AttendanceStatus.ATTENDED:
            continue
        found[person_id][0] = 1
        if seance_status == SeanceStatus.SCHEDULED and enrolment_id == enrolment_of[person_id]:
            found[person_id][1] += 1
    return {person_id: tuple(values) for person_id, values in found.items()}


def _upsert_adding(s: so.Session, model, keys: tuple, rows: list[dict], names) -> None:
    """Insert ``rows`` or add their ``names`` to the rows already there (one statement)."""
    columns = (*keys, *names)
    statement = _adding_statement(s.get_bind().dialect.name, model, columns, len(keys), len(rows))
    _run_compiled(s, statement, _numbered(columns, rows))


def _run_compiled(s: so.Session, statement, params: dict) -> sa.CursorResult:
    """Run ``statement`` (built once) in the session's transaction, compiled once per
    dialect: SQLAlchemy's cache does not keep an ``ON CONFLICT`` statement's compiled form
    (compiling it again cost more than running it)."""
    connection = s.connection()
    dialect = connection.dialect
    found = _COMPILED.get((statement, dialect.name))
    if found is None:
        compiled = statement.compile(dialect=dialect)
        found = _COMPILED[(statement, dialect.name)] = (
            compiled.string, compiled.positiontup, compiled.params
        )  # fmt: skip
    sql, positions, defaults = found
    values = {**defaults, **params}
    if positions is not None:
        values = tuple(values[name] for name in positions)
    return connection.exec_driver_sql(sql, values)


_COMPILED: dict = {}


def _numbered(columns: tuple, rows: list[dict]) -> dict:
    return {f"{name}_{i}": row[name] for i, row in enumerate(rows) for name in columns}


@functools.lru_cache(maxsize=64)
def _adding_statement(dialect: str, model, columns: tuple, keys: int, rows: int):
    """``INSERT … VALUES (rows) ON CONFLICT (the first ``keys`` columns) DO UPDATE SET n =
    n + excluded.n`` for the other columns, with numbered parameters (``_numbered``), built
    and compiled once per shape."""
    table = model.__table__
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    # The other columns' defaults written out (``_run_compiled`` runs the SQL as compiled).
    others = {
        column.name: column.default.arg
        for column in table.columns
        if column.name not in columns and column.default is not None and column.default.is_scalar
    }
    statement = insert.values(
        [
            {**others,
             **{name: sa.bindparam(f"{name}_{i}", type_=table.c[name].type) for name in columns}}
            for i in range(rows)
        ]
    )  # fmt: skip
    return statement.on_conflict_do_update(
        index_elements=list(columns[:keys]),
        set_={name: table.c[name] + statement.excluded[name] for name in columns[keys:]},
    )


def _moved_upserts(session_id: int, before, after) -> list[tuple]:
    """``(model, key columns, rows, columns added)`` of the upserts that add the moves'
    difference: the session's tally first (the lock, created if missing), then its rows by
    centre and by category; none at all when the moves change no count."""
    tally = _differences(before[0], after[0], ("seats_held", *SESSION_COLUMNS))
    if not tally:
        return []
    upserts = [
        (BilanSessionTally, ("session_id",), [{"session_id": key, **delta}], tuple(delta))
        for key, delta in tally  # one session
    ]
    for model, keys, rows in _session_row_differences(before, after):
        upserts.append((model, keys, rows, SESSION_COLUMNS))
    return upserts


def _waiting_moves(session: TrainingSession, moves: list[Move]) -> tuple[list, list]:
    """(people who joined the waiting list, people who left it), where waiting in this
    session changes what their year rows count."""
    if session.status not in COUNTED or session.starts_at is None:
        return [], []
    waiting = EnrolmentStatus.WAITLISTED
    joined = [m.person_id for m in moves if _is(m.after, waiting) and not _is(m.before, waiting)]
    left = [m.person_id for m in moves if _is(m.before, waiting) and not _is(m.after, waiting)]
    return joined, left


def _waiting_rows(session: TrainingSession, ids: list[int], keys) -> list[dict]:
    """The people's rows of the session's year and kind, to be set "waiting"."""
    year = to_local(session.starts_at).year
    return [
        {"person_id": person_id, "year": year, "kind": kind,
         **dict(zip(("centre_id", "category", "sub_category"), keys[person_id], strict=True))}
        for person_id in ids
        for kind in (_value(session.kind), ALL_KINDS)
    ]  # fmt: skip


def _join_waiting(s: so.Session, rows: list[dict]) -> None:
    """Set "waiting" on the people's rows of the session's year and kind (inserted if none);
    the rows that changed (returned by the upsert) add one to their year counts."""
    statement = _waiting_statement(s.get_bind().dialect.name, len(rows))
    changed = _run_compiled(s, statement, _numbered(_WAITING_COLUMNS, rows)).all()
    deltas: dict = defaultdict(lambda: [0, 0, 0])
    for row in changed:
        deltas[tuple(row)][2] += 1
    _add_year_counts(s, deltas)


def _shape(upserts: list[tuple]) -> tuple:
    return tuple((model, keys, names, len(rows)) for model, keys, rows, names in upserts)


def _moved_parameters(upserts: list[tuple], waiting: list[dict]) -> dict:
    """The parameters of ``_moved_statement``: each upsert's rows numbered under its own
    prefix, then the waiting rows."""
    parameters = {}
    for index, (_, keys, rows, names) in enumerate(upserts):
        columns = (*keys, *names)
        parameters.update(
            {f"u{index}_{name}_{i}": row[name] for i, row in enumerate(rows) for name in columns}
        )
    parameters.update(
        {f"w_{name}_{i}": row[name] for i, row in enumerate(waiting) for name in _WAITING_COLUMNS}
    )
    return parameters


_CASTS = {sa.Integer: "integer", sa.String: "varchar", sa.Boolean: "boolean"}


def _cast(column) -> str:
    return next(cast for kind, cast in _CASTS.items() if isinstance(column.type, kind))


@functools.lru_cache(maxsize=64)
def _moved_statement(shape: tuple, waiting: int) -> str:
    """PostgreSQL: the moves' upserts (``_moved_upserts``) and, for people joining the
    waiting list, ``_waiting_statement`` and the year counts it changes, in ONE statement of
    data-modifying CTEs. Each later write reads a row of the tally's upsert, so it runs after
    the tally is locked (``refresh``'s order: a tap holds the tally while it writes the rest);
    the year counts are written in their keys' order (``_add_year_counts``'s, byte order).
    The text holds the models' names and numbered placeholders only, never a value."""
    parts, names = [], []
    for index, (model, keys, added, rows) in enumerate(shape):
        table = model.__table__
        columns = (*keys, *added)
        # The other columns' defaults written out, as ``_adding_statement`` does.
        others = {
            c.name: c.default.arg
            for c in table.columns
            if c.name not in columns and c.default is not None and c.default.is_scalar
        }
        values = ", ".join(
            "(" + ", ".join([*(f"%(u{index}_{n}_{i})s::{_cast(table.c[n])}" for n in columns),
                             *(repr(int(v)) for v in others.values())]) + ")"
            for i in range(rows)
        )  # fmt: skip
        listed = ", ".join((*columns, *others))
        source = (
            f"VALUES {values}"
            if index == 0
            else f"SELECT v.* FROM (VALUES {values}) AS v ({listed}), u0"  # noqa: S608
        )
        adding = ", ".join(f"{n} = t.{n} + excluded.{n}" for n in added)
        parts.append(
            f"u{index} AS (INSERT INTO {table.name} AS t ({listed}) {source} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {adding} RETURNING 1 AS done)"
        )
        names.append(f"u{index}")
    if waiting:
        participant = BilanParticipant.__table__
        listed = ", ".join(_WAITING_COLUMNS)
        values = ", ".join(
            "(" + ", ".join(f"%(w_{n}_{i})s::{_cast(participant.c[n])}"
                            for n in _WAITING_COLUMNS) + ")"
            for i in range(waiting)
        )  # fmt: skip
        parts.append(
            f"w AS (INSERT INTO bilan_participant AS t ({listed}, attended, waitlisted, first) "  # noqa: S608
            f"SELECT v.*, false, true, false FROM (VALUES {values}) AS v ({listed}), u0 "
            "ON CONFLICT (person_id, year, kind) DO UPDATE SET waitlisted = true "
            "WHERE NOT t.waitlisted RETURNING t.year, t.kind, t.centre_id, t.category, "
            "t.sub_category)"
        )
        keys = "year, kind, centre_id, category, sub_category"
        parts.append(
            "y AS (INSERT INTO bilan_year_count AS t "  # noqa: S608
            f"({keys}, participants, first_timers, waitlisted) "
            f"SELECT {keys}, 0, 0, count(*) FROM w GROUP BY {keys} "
            'ORDER BY year, kind COLLATE "C", centre_id, category COLLATE "C", '
            'sub_category COLLATE "C" '
            f"ON CONFLICT ({keys}) DO UPDATE SET waitlisted = t.waitlisted + excluded.waitlisted)"
        )
    # A row whatever was written: the table counters (``core.changes``) see the writes by
    # the statement's row count, the tables by its text (every one named here counts).
    return f"WITH {', '.join(parts)} SELECT count(*) FROM u0"  # noqa: S608


_WAITING_COLUMNS = ("person_id", "year", "kind", "centre_id", "category", "sub_category")


@functools.lru_cache(maxsize=16)
def _waiting_statement(dialect: str, rows: int):
    """Insert the people's rows as waiting, or set "waiting" on those there without it;
    return the rows inserted or changed (their year count keys)."""
    table = BilanParticipant.__table__
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    values = [
        {**{name: sa.bindparam(f"{name}_{i}", type_=table.c[name].type)
            for name in _WAITING_COLUMNS},
         "attended": False, "waitlisted": True, "first": False}
        for i in range(rows)
    ]  # fmt: skip
    return (
        insert.values(values)
        .on_conflict_do_update(
            index_elements=["person_id", "year", "kind"],
            set_={"waitlisted": True},
            where=sa.not_(table.c.waitlisted),
        )
        .returning(table.c.year, table.c.kind, table.c.centre_id, table.c.category,
                   table.c.sub_category)
    )  # fmt: skip


def people_of(session_id: int) -> list[int]:
    """Everyone with an enrolment or a mark in the session."""
    enrolled = sa.select(Enrolment.person_id).where(Enrolment.session_id == session_id)
    marked = (
        sa.select(Attendance.person_id)
        .join(Seance, Seance.id == Attendance.seance_id)
        .where(Seance.session_id == session_id)
    )
    return list(db.session.scalars(sa.union(enrolled, marked)))


def sessions_of(person_id: int) -> list[int]:
    """Every session the person has an enrolment or a mark in."""
    enrolled = sa.select(Enrolment.session_id).where(Enrolment.person_id == person_id)
    marked = (
        sa.select(Seance.session_id)
        .join(Attendance, Attendance.seance_id == Seance.id)
        .where(Attendance.person_id == person_id)
    )
    return list(db.session.scalars(sa.union(enrolled, marked)))


def refresh_session(session_id: int) -> None:
    """A session changed (séances, status): its rows and those of its people."""
    refresh([session_id], people_of(session_id))


def refresh_person(person_id: int) -> None:
    """A person changed (centre, category, sub-category): their rows and their sessions'."""
    refresh(sessions_of(person_id), [person_id])


def rebuild(s: so.Session | None = None) -> dict[str, int]:
    """Recompute every row from the enrolments and marks (``flask rebuild-rollups``, the
    migration that adds them, the generator). Return the rows written per table."""
    s = s or db.session
    people = _session_people(s, None)
    _write_sessions(s, None, people)
    rows = _person_rows(s, None)
    s.execute(sa.delete(BilanParticipant))
    s.execute(sa.delete(BilanYearCount))
    if rows:
        s.execute(sa.insert(BilanParticipant), rows)
    counts = _contributions(rows)
    if counts:
        names = ("year", "kind", "centre_id", "category", "sub_category")
        s.execute(
            sa.insert(BilanYearCount),
            [
                {**dict(zip(names, key, strict=True)), "participants": v[0],
                 "first_timers": v[1], "waitlisted": v[2]}
                for key, v in counts.items()
            ],
        )  # fmt: skip
    s.flush()
    return {
        model.__tablename__: s.scalar(sa.select(sa.func.count()).select_from(model))
        for model in SUMMARIES
    }


def stored_rows(model) -> set[tuple]:
    """The rows of a summary table that count something (zero rows are as good as none)."""
    table = model.__table__
    counted = [c for c in table.columns if not c.primary_key and c.name not in KEY_COLUMNS]
    nonzero = [c.is_(True) if isinstance(c.type, sa.Boolean) else c != 0 for c in counted]
    rows = db.session.execute(sa.select(table).where(sa.or_(*nonzero)))
    return {tuple(_value(v) for v in row) for row in rows}


# Columns of the people's rows that say who they are, not what they count.
KEY_COLUMNS = {"centre_id", "category", "sub_category", "first"}


SUMMARIES = (
    BilanSessionTally,
    BilanSessionMonth,
    BilanSessionCount,
    BilanSessionCategory,
    BilanParticipant,
    BilanYearCount,
)
