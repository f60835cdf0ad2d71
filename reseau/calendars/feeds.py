"""Which séances make each feed, the cheap fingerprint behind ETag/Last-Modified, and the build.

A feed is described by a ``Feed`` (its scope and subject). Two things are computed from it:

- ``fingerprint(feed)``: ONE aggregate query over the rows that make the feed. Every row whose
  fields an event shows takes part: the séances (count, ids, SEQUENCEs, update times), their
  sessions (title, place, description), the host centres (address), themes and modules
  (names), the trainers in private feeds, the participants in a centre feed, and the feed's
  own subject (a cycle's or theme's name). The ETag is a hash of those, so it changes when
  the bytes would; Last-Modified is the latest update time of anything that is, or was, in
  the feed — a cancelled enrolment's ``updated_at``, the expiry of a cancellation kept 60
  days or of a séance leaving the past window count too, so it only moves forward, also when
  something leaves. A conditional GET gets its 304 from that query alone.
- ``build(feed)``: the calendar bytes (a fixed number of queries whatever the size).

Rules: drafts never appear; a cancelled séance or session stays, STATUS:CANCELLED, for 60 days
after its cancellation (the séance's ``updated_at``, which cancelling bumps with SEQUENCE);
a person's feed holds their confirmed and waitlisted (TENTATIVE) enrolments only; subscription
feeds stop ``CALENDAR_PAST_MONTHS`` (12) months back, so they do not grow forever; the
one-session download keeps every séance.
"""

from __future__ import annotations

import calendar as month_calendar
import enum
import functools
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from werkzeug.routing import BuildError

from reseau.accounts.models import Centre, User
from reseau.calendars import ical
from reseau.calendars.models import CalendarSetting
from reseau.catalogue.models import (
    Cycle,
    Module,
    Seance,
    SeanceStatus,
    SessionStatus,
    Theme,
    TrainingSession,
    session_trainer,
)
from reseau.core import cache
from reseau.core.database import UTCDateTime, is_read_only, standalone_write, utcnow
from reseau.core.extensions import db
from reseau.core.http import RawQuery, RawReader
from reseau.core.i18n import ngettext
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.outbox import base_url

CANCELLED_KEPT = timedelta(days=60)
# Bump when the bytes change for the same rows (new property, new wording): ETags move.
FORMAT_VERSION = "4"
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
IN_PERSON_FEED = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED)
UID_HOST_SETTING = "uid_host"


class Scope(enum.StrEnum):
    PERSON = "person"
    TRAINER = "trainer"
    CENTRE = "centre"
    CATALOGUE = "catalogue"
    CYCLE = "cycle"
    THEME = "theme"
    SESSION = "session"


@dataclass(frozen=True, slots=True)
class Feed:
    """One calendar: its scope, subject (person, centre, cycle… id) and name."""

    scope: Scope
    subject_id: int | None
    name: str
    method: str | None = None
    # A one-session download for someone who may see its visio link (confirmed, trainer).
    visio: bool = False

    @property
    def private(self) -> bool:
        """Whether events carry what only enrolled people see (trainers; the visio link
        follows ``visio_for``)."""
        return self.scope in (Scope.PERSON, Scope.TRAINER, Scope.CENTRE)

    def visio_for(self, enrolment: Enrolment | None) -> bool:
        """Whether an event of this feed carries the visio link: a trainer's feed, a person's
        confirmed places, a personal download; never a centre's or a public feed."""
        if self.scope == Scope.PERSON:
            return enrolment is not None and enrolment.shows_visio_link
        return self.scope == Scope.TRAINER or self.visio

    @property
    def shows_names(self) -> bool:
        """Participants' names: only in a centre feed, whose address only its referent has."""
        return self.scope == Scope.CENTRE

    @property
    def subscription(self) -> bool:
        """A calendar apps subscribe to (name, refresh hints, past window), not a download."""
        return self.scope != Scope.SESSION


@dataclass(frozen=True, slots=True)
class Fingerprint:
    etag: str
    last_modified: datetime


def feed_context() -> ical.FeedContext:
    """Return the site-wide data events need, from the configuration (not the request)."""
    app = current_app._get_current_object()
    key = (base_url(), uid_host())
    cached = app.extensions.get("feed_context")
    if cached is None or cached[0] != key:  # once per application: every feed request needs it
        cached = app.extensions["feed_context"] = (key, _feed_context(app.config, *key))
    return cached[1]


def _feed_context(config, base: str, host: str) -> ical.FeedContext:
    sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
    organizer = config.get("NETWORK_CONTACT_EMAIL") or sender or f"ne-pas-repondre@{host}"
    try:
        path = current_app.url_map.bind("localhost").build(
            "enrolment.public_session", {"session_id": 987654321}
        )
        session_path = path.replace("987654321", "{id}", 1)
    except BuildError:
        session_path = "/catalogue/sessions/{id}"
    return ical.FeedContext(
        host=host,
        base_url=base,
        network_name=config["NETWORK_NAME"],
        organizer_email=organizer,
        session_path=session_path,
    )


def uid_host() -> str:
    """Return the host part of event UIDs: ``CALENDAR_UID_HOST``, else fixed at first use.

    The first time, the host of the links' address is stored (table ``calendar_setting``) and
    kept forever, so moving the site to another domain never re-creates events in clients.
    """
    app = current_app
    if app.config.get("CALENDAR_UID_HOST"):
        return app.config["CALENDAR_UID_HOST"]
    host = app.extensions.get("reseau_uid_host")
    if host is None:
        host = app.extensions["reseau_uid_host"] = _stored_uid_host()
    return host


def _stored_uid_host() -> str:
    query = sa.select(CalendarSetting.value).where(CalendarSetting.name == UID_HOST_SETTING)
    stored = db.session.scalar(query)
    if stored:
        return stored
    value = urlsplit(base_url()).hostname or "reseau.invalid"
    row = {"name": UID_HOST_SETTING, "value": value}
    try:
        # Its own short transaction, committed at once, except in an SQLite transaction that
        # may hold the write lock already: another connection would wait for it.
        if is_read_only() or db.engine.dialect.name != "sqlite":
            with standalone_write(db.engine) as connection:
                connection.execute(sa.insert(CalendarSetting), row)
        else:
            with db.session.begin_nested():
                db.session.execute(sa.insert(CalendarSetting), row)
    except sa.exc.IntegrityError:  # another worker stored it first: theirs wins
        pass
    return db.session.scalar(query) or value


def horizon(now: datetime) -> datetime:
    """Return the moment before which a cancellation has left the feeds.

    Rounded to the start of the UTC day, so a feed stays byte-identical within a day.
    """
    return _day(now) - CANCELLED_KEPT


def _day(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _months_back(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, month_calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def past_window(now: datetime) -> datetime | None:
    """Return when a subscription feed starts (séances ended before are left out), or None.

    ``CALENDAR_PAST_MONTHS`` months before today (UTC day), so the feed is stable within a day.
    """
    months = current_app.config.get("CALENDAR_PAST_MONTHS", 12)
    return _months_back(_day(now), months) if months else None


def _window_exit(ended: datetime) -> datetime:
    """Return the day a séance that ended at ``ended`` left the past window."""
    months = current_app.config.get("CALENDAR_PAST_MONTHS", 12)
    return _day(_months_back(ended, -months)) + timedelta(days=1)


def _member_enrolments(centre_id) -> sa.CTE:
    """The enrolments of the centre's people (every status), with what a centre feed shows of
    them: read once per statement, from the centre's people by index."""
    return (
        sa.select(
            Enrolment.session_id,
            Enrolment.status,
            Enrolment.updated_at,
            User.updated_at.label("named_at"),
            User.directory_consent,
        )
        .join(User, Enrolment.person_id == User.id)
        .where(User.centre_id == centre_id)
        .cte("member_enrolments")
    )


def _centre_sessions(centre_id, members: sa.CTE | None = None) -> sa.CTE:
    """The sessions of a centre's feed: hosted by the centre, or where one of its people holds
    a confirmed place. One list of ids looked up by index (an OR of the two would scan every
    session), a CTE so that a statement reading it twice computes it once."""
    members = members if members is not None else _member_enrolments(centre_id)
    return sa.union(
        sa.select(TrainingSession.id.label("session_id")).where(
            TrainingSession.host_centre_id == centre_id
        ),
        sa.select(members.c.session_id).where(members.c.status == EnrolmentStatus.CONFIRMED),
    ).cte("centre_sessions")


def _scoped(feed: Feed, columns, centre_sessions: sa.CTE | None = None) -> sa.Select:
    """Return SELECT ``columns`` over the séances (and sessions) the feed's scope covers
    (a centre's: ``centre_sessions`` when given, so that one CTE serves several parts)."""
    query = (
        sa.select(*columns)
        .select_from(Seance)
        .join(TrainingSession, Seance.session_id == TrainingSession.id)
    )
    subject = feed.subject_id
    match feed.scope:
        case Scope.PERSON:
            query = query.join(
                Enrolment,
                sa.and_(Enrolment.session_id == TrainingSession.id, Enrolment.person_id == subject),
            )
        case Scope.TRAINER:
            query = query.join(
                session_trainer,
                sa.and_(
                    session_trainer.c.session_id == TrainingSession.id,
                    session_trainer.c.user_id == subject,
                ),
            )
        case Scope.CENTRE:
            sessions = centre_sessions if centre_sessions is not None else _centre_sessions(subject)
            query = query.where(TrainingSession.id.in_(sa.select(sessions.c.session_id)))
        case Scope.CYCLE:
            query = query.where(
                TrainingSession.module_id.in_(
                    sa.select(Module.id).where(Module.cycle_id == subject)
                )
            )
        case Scope.THEME:
            modules = sa.select(Module.id).join(Cycle).where(Cycle.theme_id == subject)
            query = query.where(
                sa.or_(TrainingSession.theme_id == subject, TrainingSession.module_id.in_(modules))
            )
        case Scope.SESSION:
            query = query.where(TrainingSession.id == subject)
    return query


def _conditions(feed: Feed, cutoff, window):
    """Return (visible, expired, too_old) SQL conditions for a row of the scoped query:
    ``cutoff`` is the ``horizon``, ``window`` the ``past_window`` (None: no window), values or
    bound parameters."""
    cancelled = sa.or_(
        Seance.status == SeanceStatus.CANCELLED, TrainingSession.status == SessionStatus.CANCELLED
    )
    expired = sa.and_(cancelled, Seance.updated_at < cutoff)
    too_old = Seance.ends_at < window if window is not None else sa.false()
    visible = sa.and_(
        TrainingSession.status != SessionStatus.DRAFT, sa.not_(expired), sa.not_(too_old)
    )
    if feed.scope == Scope.PERSON:
        visible = sa.and_(visible, Enrolment.status.in_(IN_PERSON_FEED))
    return visible, expired, too_old


def _window(feed: Feed, now: datetime) -> datetime | None:
    return past_window(now) if feed.subscription else None


def _max(expression) -> sa.ColumnElement:
    return sa.type_coerce(sa.func.max(expression), UTCDateTime)


def _trainers(sessions: sa.Select):
    """One row: who leads the feed's sessions shown (``sessions``, a SELECT of their ids), and
    when their names last changed (private feeds). Cross-joined to the séances."""
    return (
        sa.select(
            sa.func.count().label("pairs"),
            sa.func.coalesce(sa.func.sum(User.id * 7 + session_trainer.c.session_id), 0).label(
                "ids"
            ),
            _max(User.updated_at).label("named_at"),
        )
        .select_from(session_trainer)
        .join(User, User.id == session_trainer.c.user_id)
        .where(session_trainer.c.session_id.in_(sessions))
        .subquery("trainers")
    )


def _subject_stamp(feed: Feed):
    """The update time of the row that names the feed (its X-WR-CALNAME), if any."""
    table = {Scope.CYCLE: Cycle, Scope.THEME: Theme, Scope.CENTRE: Centre}.get(feed.scope)
    if table is None or feed.subject_id is None:
        return None
    return sa.select(table.updated_at).where(table.id == feed.subject_id).scalar_subquery()


# The fingerprint's statement is built once per kind of feed (building it costs more than
# running it); the feed's subject and the day's limits are bound when it runs.
_SUBJECT = sa.bindparam("feed_subject", type_=sa.Integer)
_CUTOFF = sa.bindparam("feed_cutoff", type_=UTCDateTime)
_WINDOW = sa.bindparam("feed_window", type_=UTCDateTime)


def fingerprint(
    feed: Feed,
    context: ical.FeedContext,
    now: datetime | None = None,
    connection=None,
    counters: dict[str, int] | None = None,
) -> Fingerprint:
    """Return the ETag and Last-Modified of the feed, from one aggregate query (on
    ``connection``, else the ORM session's), kept (``core.cache.kept``) while none of the
    tables it reads is written: it depends on nothing else but the UTC day (the windows go
    by days), which is in the key, so a poll that finds the feed unchanged reads the tables'
    counters instead of the feed's rows (``counters``: theirs, when read already with the
    feed's address)."""
    now = now or utcnow()
    window = _window(feed, now)
    parameters = {"feed_subject": feed.subject_id, "feed_cutoff": horizon(now)}
    if window is not None:
        parameters["feed_window"] = window
    windowed = window is not None
    raw = connection if isinstance(connection, RawReader) else None
    etag, latest = cache.kept(
        cache.key_of(
            "feed", feed.scope.value, feed.subject_id, _context_digest(feed, context),
            cutoff=parameters["feed_cutoff"].date(), window=window and window.date(),
        ),
        lambda: (_fingerprint_row(feed, context, parameters, connection), _day(now) + DAY),
        tables=_fingerprint_tables(feed.scope, windowed),
        reader=raw,
        counters=counters,
    )  # fmt: skip
    return Fingerprint(etag=etag, last_modified=min(latest, now).replace(microsecond=0))


DAY = timedelta(days=1)


@functools.lru_cache(maxsize=256)
def _context_digest(feed: Feed, context: ical.FeedContext) -> str:
    # Both frozen: a feed polled again finds its digest here.
    return hashlib.blake2b(repr((feed, context)).encode(), digest_size=8).hexdigest()


def _fingerprint_row(
    feed: Feed, context: ical.FeedContext, parameters: dict, connection
) -> tuple[str, datetime]:
    """The ETag and the latest moment of the feed's rows (Last-Modified before ``now`` caps
    it: a moment still to come, an expiry, says only "up to now")."""
    windowed = "feed_window" in parameters
    if isinstance(connection, RawReader):
        row = list(connection.first(_fingerprint_query(feed.scope, windowed), parameters))
    else:
        statement = _fingerprint_statement(feed.scope, windowed)
        reader = connection if connection is not None else db.session
        row = list(reader.execute(statement, parameters).one())
    shown_values, gone = row[1:8], row[8:11]
    in_content = [*shown_values, *row[11:]]
    moments = [value for value in (*row[3:8], gone[0], *row[11:]) if isinstance(value, datetime)]
    if gone[1] is not None:
        moments.append(gone[1] + CANCELLED_KEPT)
    if gone[2] is not None:
        moments.append(_window_exit(gone[2]))
    latest = max(moments, default=EPOCH)
    key = "|".join(
        str(part)
        for part in (FORMAT_VERSION, feed, context, row[0], *[_text(v) for v in in_content])
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32], latest


def private_feed_tables() -> frozenset[str]:
    """Every table a private feed's fingerprint may read (a person's, a trainer's, a
    centre's; with or without the past window)."""
    return frozenset().union(
        *(_fingerprint_tables(scope, windowed)
          for scope in (Scope.PERSON, Scope.TRAINER, Scope.CENTRE) for windowed in (True, False))
    )  # fmt: skip


@functools.lru_cache(maxsize=32)
def _fingerprint_tables(scope: Scope, windowed: bool) -> frozenset[str]:
    return cache.tables_of(_fingerprint_statement(scope, windowed))


@functools.lru_cache(maxsize=32)
def _fingerprint_query(scope: Scope, windowed: bool) -> RawQuery:
    """``_fingerprint_statement`` compiled once for a ``RawReader`` (the revalidations)."""
    return RawQuery(functools.partial(_fingerprint_statement, scope, windowed))


@functools.lru_cache(maxsize=32)
def _fingerprint_statement(scope: Scope, windowed: bool) -> sa.Select:
    """The one aggregate query of ``fingerprint``, for a feed of ``scope``: its séances once
    (``_feed_rows``), added up, cross-joined to one-row aggregates (trainers, a centre's
    people)."""
    feed = Feed(scope, None if scope == Scope.CATALOGUE else _SUBJECT, "")
    members = sessions = None
    if feed.scope == Scope.CENTRE:
        members = _member_enrolments(feed.subject_id)
        sessions = _centre_sessions(feed.subject_id, members)
    rows = _feed_rows(feed, windowed, sessions)
    visible = rows.c.visible

    def shown(expression):
        return sa.case((visible, expression))

    columns = [
        sa.func.count(shown(rows.c.id)),
        sa.func.coalesce(sa.func.sum(shown(rows.c.id)), 0),
        sa.func.coalesce(sa.func.sum(shown(rows.c.sequence)), 0),
        *[_max(shown(rows.c[name])) for name in _SHOWN_STAMPS],
        # Not shown any more (drafted again, an expired cancellation, out of the window).
        _max(sa.case((sa.not_(visible), rows.c.session_at))),
        _max(sa.case((rows.c.expired, rows.c.seance_at))),
        _max(sa.case((rows.c.too_old, rows.c.ends_at))),
    ]
    aggregates = []  # one-row aggregates, cross-joined
    if feed.private:
        aggregates.append(_trainers(sa.select(rows.c.session_id).where(visible)))
    if feed.scope == Scope.PERSON:
        columns += [_max(shown(rows.c.enrolment_at)), _max(rows.c.enrolment_at)]
    elif members is not None:
        aggregates.append(_members(members))
    for row in aggregates:
        columns += [sa.func.max(column) for column in row.c]
    stamp = _subject_stamp(feed)
    if stamp is not None:
        columns.append(stamp)
    query = sa.select(*columns).select_from(rows)
    for row in aggregates:
        query = query.join(row, sa.true())
    return query


_SHOWN_STAMPS = ("seance_at", "session_at", "centre_at", "theme_at", "module_at")


def _feed_rows(feed: Feed, windowed: bool, centre_sessions: sa.CTE | None) -> sa.CTE:
    """The feed's séances with what the fingerprint adds up, and whether each is shown,
    expired or out of the window: a CTE read by the sums and by the trainers' row, so the
    scope is evaluated once and each condition once per séance."""
    visible, expired, too_old = _conditions(feed, _CUTOFF, _WINDOW if windowed else None)
    columns = [
        Seance.id,
        Seance.sequence,
        Seance.updated_at.label("seance_at"),
        Seance.ends_at,
        TrainingSession.id.label("session_id"),
        TrainingSession.updated_at.label("session_at"),
        Centre.updated_at.label("centre_at"),
        Theme.updated_at.label("theme_at"),
        Module.updated_at.label("module_at"),
        visible.label("visible"),
        expired.label("expired"),
        too_old.label("too_old"),
    ]
    if feed.scope == Scope.PERSON:
        columns.append(Enrolment.updated_at.label("enrolment_at"))
    return (
        _scoped(feed, columns, centre_sessions)
        .outerjoin(Centre, Centre.id == TrainingSession.host_centre_id)
        .outerjoin(Theme, Theme.id == TrainingSession.theme_id)
        .outerjoin(Module, Module.id == TrainingSession.module_id)
        .cte("feed_rows")
    )


def _members(members: sa.CTE):
    """One row: the centre's participants (``_member_enrolments``), their confirmed places and
    names, and the latest change of any of their enrolments (a centre feed shows their
    names)."""
    confirmed = members.c.status == EnrolmentStatus.CONFIRMED
    return sa.select(
        _max(sa.case((confirmed, members.c.updated_at))).label("placed_at"),
        _max(sa.case((confirmed, members.c.named_at))).label("named_at"),
        sa.func.count(sa.case((confirmed, 1))).label("places"),
        # Who chose "nom visible" changes the names shown.
        sa.func.count(
            sa.case((sa.and_(confirmed, members.c.directory_consent.is_(True)), 1))
        ).label("named"),
        _max(members.c.updated_at).label("changed_at"),
    ).subquery("members")


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def load(feed: Feed, now: datetime | None = None) -> list[tuple[Seance, Enrolment | None]]:
    """Return the feed's séances in order, with the person's enrolment for a person feed."""
    now = now or utcnow()
    visible = _conditions(feed, horizon(now), _window(feed, now))[0]
    columns = [Seance, Enrolment] if feed.scope == Scope.PERSON else [Seance]
    query = (
        _scoped(feed, columns)
        .where(visible)
        .order_by(Seance.starts_at, Seance.id)
        .options(
            so.contains_eager(Seance.session).options(
                so.selectinload(TrainingSession.trainers),
                so.selectinload(TrainingSession.module),
                so.selectinload(TrainingSession.theme),
                so.selectinload(TrainingSession.host_centre),
            )
        )
    )
    rows = db.session.execute(query).all()
    if feed.scope == Scope.PERSON:
        return [(row[0], row[1]) for row in rows]
    return [(row[0], None) for row in rows]


def _centre_participants(
    centre_id: int, session_ids: set[int]
) -> dict[int, tuple[list[str], datetime | None]]:
    """Return, per session, the confirmed participants of the centre as shown (the names of
    those who chose "nom visible", a count of the others) and the latest change of their
    enrolments."""
    result: dict[int, tuple[list[str], datetime | None]] = {}
    if not session_ids:
        return result
    rows = db.session.execute(
        sa.select(
            Enrolment.session_id,
            User.first_name,
            User.last_name,
            User.directory_consent,
            Enrolment.updated_at,
        )
        .join(User, Enrolment.person_id == User.id)
        .where(
            User.centre_id == centre_id,
            Enrolment.status == EnrolmentStatus.CONFIRMED,
            Enrolment.session_id.in_(session_ids),
        )
        .order_by(User.last_name, User.first_name, User.id)
    ).all()
    hidden: dict[int, int] = {}
    for session_id, first_name, last_name, visible, updated_at in rows:
        names, latest = result.get(session_id, ([], None))
        if visible:
            names.append(f"{first_name} {last_name}")
        else:
            hidden[session_id] = hidden.get(session_id, 0) + 1
        latest = updated_at if latest is None else max(latest, updated_at)
        result[session_id] = (names, latest)
    for session_id, count in hidden.items():
        names = result[session_id][0]
        names.append(_others(count, after_names=bool(names)))
    return result


def _others(count: int, *, after_names: bool) -> str:
    """« 1 personne », « 3 autres personnes »: the participants whose names are not shown."""
    if after_names:
        return ngettext("%(num)s autre personne", "%(num)s autres personnes", count)
    return ngettext("%(num)s personne", "%(num)s personnes", count)


# Built feeds by (database, ETag), per process. The ETag covers everything the bytes depend on,
# so an entry is never stale;
# it spares rebuilding a feed for clients that never send a conditional request (Google).
_built: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_built_lock = threading.Lock()
CACHE_MAX_BYTES = 24 * 1024 * 1024


def build_cached(feed: Feed, context: ical.FeedContext, mark: Fingerprint, now=None) -> bytes:
    """Return the feed's bytes, from the process cache when its ETag was built already."""
    entries = current_app.config.get("CALENDAR_FEED_CACHE_ENTRIES", 32)
    if not entries:
        return build(feed, context, now)
    key = (db.engine.url.render_as_string(hide_password=True), mark.etag)
    with _built_lock:
        data = _built.get(key)
        if data is not None:
            _built.move_to_end(key)
            return data
    data = build(feed, context, now)
    with _built_lock:
        _built[key] = data
        while len(_built) > entries or sum(map(len, _built.values())) > CACHE_MAX_BYTES:
            _built.popitem(last=False)
            if not _built:
                break
    return data


def build(feed: Feed, context: ical.FeedContext, now: datetime | None = None) -> bytes:
    """Return the feed's calendar bytes."""
    rows = load(feed, now)
    participants = (
        _centre_participants(feed.subject_id, {seance.session_id for seance, _ in rows})
        if feed.shows_names and feed.subject_id is not None
        else {}
    )
    calendar = ical.new_calendar(feed.name, method=feed.method, subscription=feed.subscription)
    for seance, enrolment in rows:
        names, names_changed = participants.get(seance.session_id, ((), None))
        calendar.add_component(
            ical.seance_event(
                seance,
                context,
                private=feed.private,
                tentative=enrolment is not None and enrolment.status == EnrolmentStatus.WAITLISTED,
                participants=names,
                modified=(enrolment.updated_at if enrolment else None, names_changed),
                visio=feed.visio_for(enrolment),
            )
        )
    return ical.to_bytes(calendar)
