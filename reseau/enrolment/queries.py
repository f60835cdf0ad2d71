"""Reads of the enrolment room: seats, waitlists, someone's enrolment, overlaps.

Each ``get_x_or_404`` raises ``NotFound`` (404) when there is no such object, or when the
viewer may not see it.
"""

from __future__ import annotations

import collections
import functools
from datetime import datetime
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from reseau.accounts.access import can_manage_person
from reseau.accounts.models import Centre, Department, PersonName, User
from reseau.adjustments import queries as adjustment_queries
from reseau.adjustments.models import AdjustmentRequest
from reseau.adjustments.queries import OwnRequest
from reseau.catalogue.models import (
    Audience,
    Cycle,
    Module,
    PlaceAccessibility,
    PlaceKind,
    Seance,
    SeanceStatus,
    SessionKind,
    SessionStatus,
    Theme,
    TrainingSession,
    session_trainer,
)
from reseau.catalogue.queries import wheelchair_accessible
from reseau.core.database import UTCDateTime
from reseau.core.extensions import db
from reseau.core.http import RawQuery, raw_reader
from reseau.core.i18n import from_local
from reseau.core.lists import PAGE_SIZE, contains, like_text
from reseau.enrolment.models import OFFER_EXPIRED_REASON, Enrolment, EnrolmentStatus

# Statuses that hold a seat: never more of them than the capacity.
HOLDING = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING, EnrolmentStatus.OFFERED)
# Statuses of a live enrolment (holding a seat or waiting for one).
ACTIVE = (*HOLDING, EnrolmentStatus.WAITLISTED)


def seats_taken(session_ids) -> dict[int, int]:
    """Return {session id: seats held} for ``session_ids``, in one grouped query."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Enrolment.session_id, sa.func.count(Enrolment.id))
        .where(Enrolment.session_id.in_(ids), Enrolment.status.in_(HOLDING))
        .group_by(Enrolment.session_id)
    ).all()
    return {session_id: count for session_id, count in rows}


def seats_and_waitlists(session_ids) -> dict[int, tuple[int, int]]:
    """Return {session id: (seats held, people waiting)} for ``session_ids``, one query."""
    ids = list(session_ids)
    if not ids:
        return {}
    waiting = Enrolment.status == EnrolmentStatus.WAITLISTED
    rows = db.session.execute(
        sa.select(
            Enrolment.session_id,
            sa.func.count(sa.case((Enrolment.status.in_(HOLDING), Enrolment.id))),
            sa.func.count(sa.case((waiting, Enrolment.id))),
        )
        .where(Enrolment.session_id.in_(ids), Enrolment.status.in_(ACTIVE))
        .group_by(Enrolment.session_id)
    ).all()
    return {session_id: (taken, waits) for session_id, taken, waits in rows}


def sees_visio_link(
    person: User | None, session: TrainingSession, enrolment: Enrolment | None = None
) -> bool:
    """Whether ``person`` may see the session's visio link: its trainers, the coordination
    and the people with a confirmed place (``enrolment``: theirs, if already read)."""
    if person is None or session.place_kind != PlaceKind.VISIO or not session.visio_url:
        return False
    if person.is_coordinator or any(trainer.id == person.id for trainer in session.trainers):
        return True
    enrolment = enrolment if enrolment is not None else get_enrolment(session, person)
    return enrolment is not None and enrolment.shows_visio_link


def seats_left(session: TrainingSession, taken: int | None = None) -> int:
    if taken is None:
        taken = seats_taken([session.id]).get(session.id, 0)
    return max(session.capacity - taken, 0)


def queue_order():
    """The waitlist order: arrival time, then id (ids follow insertion under the lock)."""
    return (Enrolment.queued_at, Enrolment.id)


def waitlist_position(enrolment: Enrolment) -> int | None:
    """Return the 1-based waitlist position of ``enrolment``, or None when not waitlisted.

    Computed from the queue order, never stored: cancellations leave no gaps.
    """
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count(Enrolment.id)).where(
            Enrolment.session_id == enrolment.session_id,
            Enrolment.status == EnrolmentStatus.WAITLISTED,
            sa.or_(
                Enrolment.queued_at < enrolment.queued_at,
                sa.and_(Enrolment.queued_at == enrolment.queued_at, Enrolment.id < enrolment.id),
            ),
        )
    )
    return ahead + 1


def waitlist(session: TrainingSession) -> list[Enrolment]:
    """Return the waitlisted enrolments of ``session`` in queue order, people loaded."""
    return list(
        db.session.scalars(
            sa.select(Enrolment)
            .options(so.joinedload(Enrolment.person).joinedload(User.centre))
            .where(
                Enrolment.session_id == session.id,
                Enrolment.status == EnrolmentStatus.WAITLISTED,
            )
            .order_by(*queue_order())
        )
    )


def get_enrolment(session: TrainingSession, person: User) -> Enrolment | None:
    return db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.session_id == session.id, Enrolment.person_id == person.id
        )
    )


def find_overlap(person: User, session: TrainingSession) -> TrainingSession | None:
    """Return another session ``person`` is confirmed in whose séances overlap this one's.

    One statement, built once: the session's own scheduled séances are joined in SQL (no
    séance loaded, no expression built per séance)."""
    return db.session.scalar(
        _overlap_statement(), {"session_id": session.id, "person_id": person.id}
    )


@functools.cache
def _overlap_statement() -> sa.Select:
    other, mine = so.aliased(Seance), so.aliased(Seance)
    session_id = sa.bindparam("session_id", type_=sa.Integer)
    return (
        sa.select(TrainingSession)
        .join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .join(other, other.session_id == TrainingSession.id)
        .join(
            mine,
            sa.and_(
                mine.session_id == session_id,
                mine.status == SeanceStatus.SCHEDULED,
                other.starts_at < mine.ends_at,
                other.ends_at > mine.starts_at,
            ),
        )
        .where(
            Enrolment.person_id == sa.bindparam("person_id", type_=sa.Integer),
            Enrolment.status == EnrolmentStatus.CONFIRMED,
            TrainingSession.id != session_id,
            TrainingSession.status == SessionStatus.PUBLISHED,
            other.status == SeanceStatus.SCHEDULED,
        )
        .order_by(TrainingSession.starts_at)
        .limit(1)
    )


def get_enrolment_or_404(enrolment_id: int) -> Enrolment:
    """Return the enrolment with its person and session, or abort with 404."""
    return db.first_or_404(
        sa.select(Enrolment)
        .options(so.joinedload(Enrolment.person), so.joinedload(Enrolment.session))
        .where(Enrolment.id == enrolment_id)
    )


def get_managed_enrolment_or_404(actor: User, enrolment_id: int) -> Enrolment:
    """Return an enrolment of a person ``actor`` manages (or their own); others are 404."""
    enrolment = get_enrolment_or_404(enrolment_id)
    if enrolment.person_id != actor.id and not can_manage_person(actor, enrolment.person):
        abort(404)
    return enrolment


def waitlist_positions(waiting: list[Enrolment]) -> dict[int, int]:
    """Return {enrolment id: waitlist position} for ``waiting``, in one query."""
    if not waiting:
        return {}
    rows = db.session.execute(_positions_statement(), {"ids": [e.id for e in waiting]}).all()
    return dict(rows)


@cache
def _positions_statement() -> sa.Select:
    # Built once per process ("Mes formations" runs it on every request).
    other = so.aliased(Enrolment)
    return (
        sa.select(Enrolment.id, sa.func.count(other.id))
        .join(
            other,
            sa.and_(
                other.session_id == Enrolment.session_id,
                other.status == EnrolmentStatus.WAITLISTED,
                sa.or_(
                    other.queued_at < Enrolment.queued_at,
                    sa.and_(other.queued_at == Enrolment.queued_at, other.id <= Enrolment.id),
                ),
            ),
        )
        .where(Enrolment.id.in_(sa.bindparam("ids", expanding=True)))
        .group_by(Enrolment.id)
    )


def roster_groups(session: TrainingSession) -> dict[str, list[Enrolment]]:
    """The session's enrolments by group (holding a seat, waiting, cancelled), in queue order."""
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .options(so.joinedload(Enrolment.person).joinedload(User.centre))
        .where(Enrolment.session_id == session.id)
        .order_by(*queue_order())
    ).all()
    groups: dict[str, list[Enrolment]] = {
        "holding": [],
        "waitlisted": [],
        "cancelled": [],
    }
    for enrolment in enrolments:
        if enrolment.status in HOLDING:
            groups["holding"].append(enrolment)
        elif enrolment.status == EnrolmentStatus.WAITLISTED:
            groups["waitlisted"].append(enrolment)
        else:
            groups["cancelled"].append(enrolment)
    return groups


# --- The public catalogue ---------------------------------------------------------------


def list_options():
    """What a list of sessions shows of each."""
    return (
        so.joinedload(TrainingSession.theme),
        so.joinedload(TrainingSession.host_centre),
        so.joinedload(TrainingSession.department),
        so.joinedload(TrainingSession.module).joinedload(Module.cycle),
    )


def month_bounds(value: str) -> tuple[datetime, datetime] | None:
    """Return the UTC bounds of a « YYYY-MM » month in Paris time, or None if malformed."""
    try:
        year, month = (int(part) for part in value.split("-", 1))
        start = datetime(year, month, 1)
    except ValueError:
        return None
    end = datetime(year + (month == 12), month % 12 + 1, 1)
    return from_local(start), from_local(end)


def seats_held_subquery():
    return (
        sa.select(sa.func.count(Enrolment.id))
        .where(Enrolment.session_id == TrainingSession.id, Enrolment.status.in_(HOLDING))
        .correlate(TrainingSession)
        .scalar_subquery()
    )


def catalogue_conditions(filters: dict, now: datetime) -> list:
    """The WHERE of the published, upcoming sessions matching ``filters``."""
    conditions = [TrainingSession.status == SessionStatus.PUBLISHED, TrainingSession.ends_at >= now]
    if _given(filters["theme"]):
        conditions.append(TrainingSession.theme_id == filters["theme"])
    if _given(filters["cycle"]):
        conditions.append(
            TrainingSession.module_id.in_(
                sa.select(Module.id).where(Module.cycle_id == filters["cycle"])
            )
        )
    if _given(filters["type"]):
        conditions.append(TrainingSession.kind == filters["type"])
    if _given(filters["departement"]):
        conditions.append(TrainingSession.department_id == filters["departement"])
    if _given(filters["mois"]):
        months = filters["mois"]  # « YYYY-MM », or its bounds as bound parameters
        start, end = months if isinstance(months, tuple) else month_bounds(months)
        conditions += [TrainingSession.starts_at >= start, TrainingSession.starts_at < end]
    if _given(filters["public"]):
        wanted = [filters["public"], Audience.TOUS.value]
        conditions.append(TrainingSession.audience.in_(wanted))
    if _given(filters["q"]):
        # After the plain comparisons: SQLite tests the terms in this order, and reading each
        # upcoming session's description costs more than comparing its theme or département.
        conditions.append(
            sa.or_(
                contains(TrainingSession.title, filters["q"]),
                contains(TrainingSession.description, filters["q"]),
                contains(TrainingSession.town, filters["q"]),
            )
        )
    if _given(filters["places"]):
        conditions.append(seats_held_subquery() < TrainingSession.capacity)
    if _given(filters.get("fauteuil")):
        conditions.append(wheelchair_accessible())  # places only: no visio
    return conditions


def _given(value) -> bool:
    """Whether a filter is set: a value chosen, or a bound parameter standing for one."""
    return isinstance(value, sa.BindParameter) or bool(value)


class SessionCard(NamedTuple):
    """What a public list shows of a session: plain values, no ORM object."""

    id: int
    title: str
    kind: str
    audience: str
    starts_at: datetime | None
    place_kind: str
    town: str | None
    centre_town: str | None
    department_code: str | None
    theme_name: str | None
    cycle_title: str | None
    seats_left: int


@cache
def _card_statement() -> sa.Select:
    """The columns of a ``SessionCard`` and their joins, built once per process (building
    it cost a twentieth of a catalogue page)."""
    held = seats_held_subquery()
    return (
        sa.select(
            TrainingSession.id,
            TrainingSession.title,
            TrainingSession.kind,
            TrainingSession.audience,
            TrainingSession.starts_at,
            TrainingSession.place_kind,
            TrainingSession.town,
            Centre.town,
            Department.code,
            Theme.name,
            Cycle.title,
            TrainingSession.capacity - held,
        )
        .select_from(TrainingSession)
        .outerjoin(Theme, Theme.id == TrainingSession.theme_id)
        .outerjoin(Module, Module.id == TrainingSession.module_id)
        .outerjoin(Cycle, Cycle.id == Module.cycle_id)
        .outerjoin(Centre, Centre.id == TrainingSession.host_centre_id)
        .outerjoin(Department, Department.id == TrainingSession.department_id)
    )


def _card(row) -> SessionCard:
    return SessionCard(*row[:11], max(row[11], 0))


def _cards(statement) -> list[SessionCard]:
    return [_card(row) for row in db.session.execute(statement).all()]


def _page_statement(conditions: list, per_page: int, offset, *, filtered: bool = True) -> sa.Select:
    """The page's ids are chosen first (ordering reads the sessions' own columns only), then
    joined: ordering the joined rows made the databases join and count seats for every
    upcoming session before keeping 25 (SQLite: a sort of 3,000 joined rows).

    Filtered, the total rides along as a window count. Unfiltered (the catalogue as most
    visitors see it), the ids are an index-only walk in page order
    (``ix_training_session_upcoming_order``) that stops after the page, and the total a
    count read from ``ix_training_session_upcoming`` alone: a window count made the walk
    read every upcoming session."""
    chosen = sa.select(TrainingSession.id)
    if filtered:
        chosen = chosen.add_columns(sa.func.count().over().label("total"))
    chosen = (
        chosen.where(*conditions)
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(per_page)
        .offset(offset)
        .subquery("chosen")
    )
    if filtered:
        total = chosen.c.total
    else:
        total = (
            sa.select(sa.func.count())
            .select_from(TrainingSession)
            .where(*conditions)
            .correlate(None)  # its own FROM, not the page's sessions
            .scalar_subquery()
            .label("total")
        )
    return (
        _card_statement()
        .add_columns(total)
        .join(chosen, chosen.c.id == TrainingSession.id)
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )


_NOW = sa.bindparam("now", type_=UTCDateTime)
# A filter's value in a page statement compiled once (``_filtered_page``); flags have none.
_FILTER_PARAMETERS = {
    "q": sa.bindparam("filter_q", type_=sa.String),
    "theme": sa.bindparam("filter_theme", type_=sa.Integer),
    "cycle": sa.bindparam("filter_cycle", type_=sa.Integer),
    "type": sa.bindparam("filter_type", type_=TrainingSession.kind.type),
    "departement": sa.bindparam("filter_departement", type_=sa.Integer),
    "mois": (
        sa.bindparam("filter_mois_start", type_=UTCDateTime),
        sa.bindparam("filter_mois_end", type_=UTCDateTime),
    ),
    "public": sa.bindparam("filter_public", type_=TrainingSession.audience.type),
    "places": True,
    "fauteuil": True,
}


@functools.lru_cache(maxsize=64)
def _filtered_page(given: tuple[str, ...]) -> RawQuery:
    """A catalogue page filtered by the filters named in ``given`` (none: the catalogue as
    most visitors first see it), their values bound: one statement compiled once per set of
    filters and read by a ``RawReader`` (no ORM session nor result machinery: a tenth of
    the page's time)."""
    filters = collections.defaultdict(lambda: None)
    filters.update({name: _FILTER_PARAMETERS[name] for name in given})
    return RawQuery(
        lambda: _page_statement(
            catalogue_conditions(filters, _NOW),
            PAGE_SIZE,
            sa.bindparam("offset", type_=sa.Integer),
            filtered=bool(given),
        )
    )


def _filter_values(filters: dict, given: tuple[str, ...]) -> dict:
    """The bound values of ``_filtered_page(given)`` for ``filters``."""
    values = {}
    for name in given:
        value = filters[name]
        if name == "q":
            values["filter_q"] = like_text(value)
        elif name == "mois":
            values["filter_mois_start"], values["filter_mois_end"] = month_bounds(value)
        elif not isinstance(_FILTER_PARAMETERS[name], bool):
            values[f"filter_{name}"] = value
    return values


def catalogue_cards(filters: dict, now: datetime, page: int, per_page: int, reader=None):
    """One page of the catalogue, and how many sessions match: one statement, the page's
    sessions with their theme, cycle, place and seats left (columns only: no ORM object)
    and the total; a second one only when the page is empty (no session matches, or a page
    beyond the last), to count them. Read by ``reader`` (a ``RawReader``) when given one."""
    offset = (page - 1) * per_page
    if reader is not None and per_page == PAGE_SIZE:
        given = tuple(name for name in _FILTER_PARAMETERS if filters.get(name))
        parameters = {"now": now, "offset": offset, **_filter_values(filters, given)}
        rows = reader.all(_filtered_page(given), parameters)
    else:
        statement = _page_statement(catalogue_conditions(filters, now), per_page, offset)
        rows = db.session.execute(statement).all()
    if rows:
        return [_card(row) for row in rows], rows[0][-1]
    # Built here only: the raw path's statement has its conditions compiled in already.
    conditions = catalogue_conditions(filters, now)
    return [], db.session.scalar(sa.select(sa.func.count(TrainingSession.id)).where(*conditions))


def published_cards(*conditions, limit: int = 200) -> list[SessionCard]:
    """The published sessions meeting ``conditions`` (a cycle's, a theme's), in date order."""
    return _cards(
        _card_statement()
        .where(TrainingSession.status == SessionStatus.PUBLISHED, *conditions)
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(limit)
    )


class PlaceCentre(NamedTuple):
    """A host centre as a place (``Centre.label``, read from these values)."""

    name: str
    address: str
    postcode: str
    town: str

    full_address = Centre.full_address
    label = Centre.label


class MySession(NamedTuple):
    """What "Mes formations" shows of a session: plain values, the model's rules
    (``place_label``) read from them."""

    id: int
    title: str
    status: SessionStatus
    starts_at: datetime | None
    ends_at: datetime | None
    place_kind: PlaceKind
    place_name: str
    address: str
    postcode: str
    town: str
    visio_url: str
    host_centre: PlaceCentre | None

    place_label = TrainingSession.place_label


class MyEnrolment(NamedTuple):
    """A line of "Mes formations": the enrolment as plain values, shaped as the
    ``status_badge`` macro reads one; ``seances``: how many séances its session has;
    ``adjustment``: the person's own adjustment request for the session, if any."""

    id: int
    session_id: int
    status: EnrolmentStatus
    offer_expires_at: datetime | None
    waitlist_reason: str
    seances: int
    session: MySession
    adjustment: OwnRequest | None

    offer_expired = Enrolment.offer_expired
    shows_visio_link = Enrolment.shows_visio_link


def _my_enrolments_statement() -> sa.Select:
    """A person's (``person_id``) enrolments, newest session first, each with its session,
    host centre, number of séances (no séance loaded) and the person's adjustment request
    (one at most per session), as plain columns: "Mes formations"."""
    seance_count = (
        sa.select(sa.func.count(Seance.id))
        .where(Seance.session_id == TrainingSession.id)
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    person_id = sa.bindparam("person_id", type_=sa.Integer)
    return (
        sa.select(
            Enrolment.id,
            Enrolment.session_id,
            Enrolment.status,
            Enrolment.offer_expires_at,
            Enrolment.waitlist_reason,
            seance_count,
            TrainingSession.title,
            TrainingSession.status,
            TrainingSession.starts_at,
            TrainingSession.ends_at,
            TrainingSession.place_kind,
            TrainingSession.place_name,
            TrainingSession.address,
            TrainingSession.postcode,
            TrainingSession.town,
            TrainingSession.visio_url,
            Centre.id,
            Centre.name,
            Centre.address,
            Centre.postcode,
            Centre.town,
            AdjustmentRequest.session_id,
            AdjustmentRequest.text,
            AdjustmentRequest.arranged,
            AdjustmentRequest.arranged_at,
        )
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .outerjoin(Centre, Centre.id == TrainingSession.host_centre_id)
        .outerjoin(
            AdjustmentRequest,
            sa.and_(
                AdjustmentRequest.session_id == Enrolment.session_id,
                AdjustmentRequest.person_id == person_id,
            ),
        )
        .where(Enrolment.person_id == person_id)
        .order_by(TrainingSession.starts_at.desc(), Enrolment.id)
        .limit(500)
    )


# Compiled once per process and read by a ``RawReader`` (no ORM result machinery).
_MY_ENROLMENTS = RawQuery(_my_enrolments_statement)


def _my_enrolment(row) -> MyEnrolment:
    (id_, session_id, status, expires, reason, seances, *session, centre_id) = row[:17]
    centre = PlaceCentre(*row[17:21]) if centre_id is not None else None
    adjustment = OwnRequest(*row[21:]) if row[21] is not None else None
    session = MySession(session_id, *session, centre)
    return MyEnrolment(id_, session_id, status, expires, reason, seances, session, adjustment)


def my_enrolments(person_id: int) -> list[MyEnrolment]:
    """The lines of "Mes formations": the person's enrolments, newest session first, with
    their adjustment requests (one statement)."""
    with raw_reader() as reader:
        rows = reader.all(_MY_ENROLMENTS, {"person_id": person_id})
    return [_my_enrolment(row) for row in rows]


class CentreSession(NamedTuple):
    """The session of a line of a centre's enrolments: what the list shows of it."""

    id: int
    title: str
    starts_at: datetime | None
    status: SessionStatus


class CentreEnrolmentLine(NamedTuple):
    """A line of a centre's enrolments (plain columns, no ORM object), shaped as the
    ``status_badge`` macro reads an enrolment."""

    id: int
    status: EnrolmentStatus
    queued_at: datetime
    offer_expires_at: datetime | None
    offer_expired: bool
    person_name: str
    enrolled_by_name: str
    session: CentreSession


def _full_name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


@functools.cache
def _centre_lines_statement(
    all_centres: bool, pending: bool, counting: bool, with_total: bool = False
) -> sa.Select:
    """The upcoming enrolments (``pending``: the requests to decide, else the others) of
    the people of centre ``centre_id`` (or of every centre), after ``now``; as a count, or
    as plain rows in the list's order, ``limit`` and ``offset`` bound. Built once per
    process and shape."""
    person = so.aliased(User, name="person")
    by = so.aliased(User, name="enrolled_by")
    status = Enrolment.status == EnrolmentStatus.PENDING
    conditions = [
        TrainingSession.ends_at >= sa.bindparam("now", type_=TrainingSession.ends_at.type),
        status if pending else ~status,
    ]
    if not all_centres:
        conditions.append(person.centre_id == sa.bindparam("centre_id"))
    joined = (
        sa.select(Enrolment.id)
        .select_from(Enrolment)
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .join(person, person.id == Enrolment.person_id)
        .where(*conditions)
    )
    if counting:
        return joined.with_only_columns(sa.func.count(Enrolment.id))
    # ``with_total``: each row also carries how many lines there are in all (a window count
    # over the centre's few lines, instead of a second statement counting them again).
    total = (sa.func.count().over().label("total"),) if with_total else ()
    order = (
        (Enrolment.queued_at, Enrolment.id)
        if pending
        else (TrainingSession.starts_at, Enrolment.person_id, Enrolment.id)
    )
    return (
        joined.add_columns(
            Enrolment.status,
            Enrolment.queued_at,
            Enrolment.offer_expires_at,
            Enrolment.waitlist_reason,
            person.first_name,
            person.last_name,
            by.first_name,
            by.last_name,
            TrainingSession.id,
            TrainingSession.title,
            TrainingSession.starts_at,
            TrainingSession.status,
            *total,
        )
        .outerjoin(by, by.id == Enrolment.enrolled_by_id)
        .order_by(*order)
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )


def _centre_line(row) -> CentreEnrolmentLine:
    (id_, status, queued_at, expires, reason, first, last, by_first, by_last, *session) = row
    expired = status == EnrolmentStatus.CANCELLED and reason == OFFER_EXPIRED_REASON
    return CentreEnrolmentLine(
        id_,
        status,
        queued_at,
        expires,
        expired,
        _full_name(first, last),
        _full_name(by_first, by_last),
        CentreSession(*session),
    )


def centre_lines(
    centre_id: int | None, now: datetime, *, pending: bool, limit: int, offset: int = 0
) -> list[CentreEnrolmentLine]:
    """The upcoming enrolments of the people of a centre (``None``: every centre): the
    requests to decide in the order they came (``pending``), else the others by session
    date, ``limit`` of them from ``offset``."""
    statement = _centre_lines_statement(centre_id is None, pending, False)
    values = {"now": now, "centre_id": centre_id, "limit": limit, "offset": offset}
    return [_centre_line(row) for row in db.session.execute(statement, values)]


def centre_page_lines(
    centre_id: int | None, now: datetime, *, limit: int, offset: int = 0
) -> tuple[list[CentreEnrolmentLine], int]:
    """``centre_lines`` (not pending) and how many there are in all: for one centre, in one
    statement (a window count); for every centre, with ``count_centre_lines`` (counting the
    network's lines beside a page of them is cheaper than numbering them all)."""
    if centre_id is None:
        total = count_centre_lines(None, now, pending=False)
        return centre_lines(None, now, pending=False, limit=limit, offset=offset), total
    statement = _centre_lines_statement(False, False, False, with_total=True)
    values = {"now": now, "centre_id": centre_id, "limit": limit, "offset": offset}
    rows = db.session.execute(statement, values).all()
    if rows:
        return [_centre_line(row[:-1]) for row in rows], rows[0].total
    # No line on this page: none at all, or a page past the last one.
    return [], count_centre_lines(centre_id, now, pending=False) if offset else 0


def count_centre_lines(centre_id: int | None, now: datetime, *, pending: bool) -> int:
    """How many lines ``centre_lines`` has in all."""
    statement = _centre_lines_statement(centre_id is None, pending, True)
    return db.session.scalar(statement, {"now": now, "centre_id": centre_id})


# --- A session's public page -------------------------------------------------------------


class PageTheme(NamedTuple):
    id: int
    name: str
    slug: str


class PageCycle(NamedTuple):
    id: int
    title: str


class PageModule(NamedTuple):
    """What the page shows of a module: its cycle and its programme sheet
    (``programme_sections`` reads these values as it reads the model)."""

    id: int
    title: str
    prerequisites: str
    objectives: str
    content: str
    methods: str
    assessment: str
    duration_hours: float
    access_delay: str
    free_for_members: bool
    cost: str
    accessibility: str
    contact: str
    cycle: PageCycle | None

    has_programme = Module.has_programme


class PageAccess(NamedTuple):
    """A place's accessibility (``PlaceAccessibility``'s rules, read from these values)."""

    step_free: bool
    accessible_toilets: bool
    hearing_loop: bool
    public_transport: bool
    notes: str

    features = PlaceAccessibility.features
    is_described = PlaceAccessibility.is_described


class PageSeance(NamedTuple):
    id: int
    starts_at: datetime
    ends_at: datetime
    status: SeanceStatus


class PagePerson(NamedTuple):
    """A trainer, or a référent·e handicap to contact (``email`` and ``phone``)."""

    id: int
    first_name: str
    last_name: str
    email: str | None = None
    phone: str = ""

    full_name = PersonName.full_name


class SessionPage(NamedTuple):
    """A session as its public page (and the enrol component) reads it: plain values, the
    model's rules (place, accessibility, enrolment open) read from them; ``seats_held``:
    the seats its holding enrolments take."""

    id: int
    kind: SessionKind
    title: str
    description: str
    objectives: str
    audience: Audience
    status: SessionStatus
    capacity: int
    enrolment_deadline: datetime | None
    place_kind: PlaceKind
    host_centre_id: int | None
    place_name: str
    address: str
    postcode: str
    town: str
    visio_url: str
    what_to_bring: str
    requires_validation: bool
    starts_at: datetime | None
    ends_at: datetime | None
    seats_held: int
    theme: PageTheme | None
    module: PageModule | None
    host_centre: PlaceCentre | None
    own_access: PageAccess | None
    centre_access: PageAccess | None
    seances: list[PageSeance]
    trainers: list[PagePerson]

    place_label = TrainingSession.place_label
    accessibility = TrainingSession.accessibility
    has_started = TrainingSession.has_started
    enrolment_deadline_passed = TrainingSession.enrolment_deadline_passed
    enrolment_open = TrainingSession.enrolment_open

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_held, 0)


_SESSION_COLUMNS = (
    "id", "kind", "title", "description", "objectives", "audience", "status", "capacity",
    "enrolment_deadline", "place_kind", "host_centre_id", "place_name", "address", "postcode",
    "town", "visio_url", "what_to_bring", "requires_validation", "starts_at", "ends_at",
)  # fmt: skip
_MODULE_COLUMNS = tuple(field for field in PageModule._fields if field != "cycle")
_ACCESS_COLUMNS = PageAccess._fields


def _session_page_statement() -> sa.Select:
    """The session (``session_id``) with its theme, module, cycle, host centre, both places'
    accessibility and the seats held, in one row of plain columns."""
    own, centre_access = so.aliased(PlaceAccessibility), so.aliased(PlaceAccessibility)
    return (
        sa.select(
            *(getattr(TrainingSession, name) for name in _SESSION_COLUMNS),
            seats_held_subquery(),
            *(Theme.id, Theme.name, Theme.slug),
            *(getattr(Module, name) for name in _MODULE_COLUMNS),
            *(Cycle.id, Cycle.title),
            *(Centre.id, Centre.name, Centre.address, Centre.postcode, Centre.town),
            *(own.id, *(getattr(own, name) for name in _ACCESS_COLUMNS)),
            *(centre_access.id, *(getattr(centre_access, name) for name in _ACCESS_COLUMNS)),
        )
        .select_from(TrainingSession)
        .outerjoin(Theme, Theme.id == TrainingSession.theme_id)
        .outerjoin(Module, Module.id == TrainingSession.module_id)
        .outerjoin(Cycle, Cycle.id == Module.cycle_id)
        .outerjoin(Centre, Centre.id == TrainingSession.host_centre_id)
        .outerjoin(own, own.session_id == TrainingSession.id)
        .outerjoin(centre_access, centre_access.centre_id == TrainingSession.host_centre_id)
        .where(TrainingSession.id == sa.bindparam("session_id", type_=sa.Integer))
    )


_SESSION_PAGE = RawQuery(_session_page_statement)


def _page_lists_statement() -> sa.CompoundSelect:
    """The session's séances (by start), its trainers and every référent·e handicap (with
    their status: ``adjustments.queries.shown_contacts`` keeps the ones shown), by name, as rows of one
    statement ordered by the databases as the model's relationships and ``contacts_select``
    order them (their collation, not Python's)."""

    def null(column):
        return sa.cast(sa.null(), column.type)

    labels = ("id", "starts_at", "ends_at", "status", "first_name", "last_name", "email")
    labels += ("phone", "person_status", "by_first_name")

    def columns(kind: int, *values):
        return (
            sa.literal(kind).label("kind"),
            *(value.label(label) for label, value in zip(labels, values, strict=True)),
        )

    no_seance = (null(Seance.starts_at), null(Seance.ends_at), null(Seance.status))
    no_contact = (null(User.email), null(User.phone), null(User.status))
    session_id = sa.bindparam("session_id", type_=sa.Integer)
    seances = sa.select(
        *columns(
            0,
            Seance.id,
            Seance.starts_at,
            Seance.ends_at,
            Seance.status,
            null(User.first_name),
            null(User.last_name),
            *no_contact,
            null(User.first_name),
        )
    ).where(Seance.session_id == session_id)
    trainers = (
        sa.select(
            *columns(
                1,
                User.id,
                *no_seance,
                User.first_name,
                User.last_name,
                *no_contact,
                null(User.first_name),
            )
        )
        .join(session_trainer, session_trainer.c.user_id == User.id)
        .where(session_trainer.c.session_id == session_id)
    )
    contacts = (
        adjustment_queries.contacts_select()
        .with_only_columns(
            *columns(
                2,
                User.id,
                *no_seance,
                User.first_name,
                User.last_name,
                User.email,
                User.phone,
                User.status,
                User.first_name,
            )
        )
        .order_by(None)
    )
    return sa.union_all(seances, trainers, contacts).order_by(
        sa.literal_column("kind"),
        sa.literal_column("starts_at"),
        sa.literal_column("last_name"),
        sa.literal_column("by_first_name"),
        sa.literal_column("id"),
    )


_PAGE_LISTS = RawQuery(_page_lists_statement)


def _plain(make, values, key):
    """``make(*values)``, or None when the row has none (``key``: its id, None)."""
    return None if key is None else make(*values)


def session_page(reader, session_id: int) -> tuple[SessionPage | None, list[PagePerson]]:
    """The session's public page as plain values (None: no such session) and the
    référent·es handicap it shows, in two statements run on ``reader`` (a ``RawReader``)."""
    row = reader.first(_SESSION_PAGE, {"session_id": session_id})
    if row is None:
        return None, []
    seances, trainers, holders = [], [], []
    for kind, id_, starts, ends, status, first, last, email, phone, person_status, _ in reader.all(
        _PAGE_LISTS, {"session_id": session_id}
    ):
        if kind == 0:
            seances.append(PageSeance(id_, starts, ends, status))
        elif kind == 1:
            trainers.append(PagePerson(id_, first, last))
        else:
            holders.append((PagePerson(id_, first, last, email, phone), person_status))
    return _session_page(row, seances, trainers), adjustment_queries.shown_contacts(holders)


def _session_page(row, seances, trainers) -> SessionPage:
    values = list(row)
    session, values = values[: len(_SESSION_COLUMNS) + 1], values[len(_SESSION_COLUMNS) + 1 :]
    theme, values = values[:3], values[3:]
    module, values = values[: len(_MODULE_COLUMNS)], values[len(_MODULE_COLUMNS) :]
    cycle, values = values[:2], values[2:]
    centre, values = values[:5], values[5:]
    width = len(_ACCESS_COLUMNS) + 1
    own, centre_access = values[:width], values[width:]
    cycle = _plain(PageCycle, cycle, cycle[0])
    return SessionPage(
        *session,
        _plain(PageTheme, theme, theme[0]),
        _plain(PageModule, (*module, cycle), module[0]),
        _plain(PlaceCentre, centre[1:], centre[0]),
        _plain(PageAccess, own[1:], own[0]),
        _plain(PageAccess, centre_access[1:], centre_access[0]),
        seances,
        trainers,
    )
