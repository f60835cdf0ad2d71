"""Which séances make each feed, the cheap fingerprint behind ETag/Last-Modified, and the build.

A feed is described by a ``Feed`` (its scope and subject). Two things are computed from it:

- ``fingerprint(feed)``: ONE aggregate query over the rows that make the feed (count, sums of
  ids and sequences, latest update times). The ETag is a hash of what the bytes depend on, so
  it changes when the bytes would; Last-Modified is the latest update time of anything that
  is, or was, in the feed — a cancelled enrolment's ``updated_at`` and the expiry of a
  cancellation kept 60 days count too, so it only moves forward, also when something leaves.
  A conditional GET gets its 304 from that query alone, without building the calendar.
- ``build(feed)``: the calendar bytes (a fixed number of queries whatever the size).

Rules: drafts never appear; a cancelled séance or session stays, STATUS:CANCELLED, for 60 days
after its cancellation (the séance's ``updated_at``, which cancelling bumps with SEQUENCE);
a person's feed holds their confirmed and waitlisted (TENTATIVE) enrolments only.

Known limits of the fingerprint: changes that touch no row's ``updated_at`` (a trainer added to
a session without any other change, a centre's address, a module's title) reach subscribers
with the next change of the session itself.
"""

from __future__ import annotations

import enum
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

from reseau.accounts.models import User
from reseau.calendars import ical
from reseau.catalogue.models import (
    Cycle,
    Module,
    Seance,
    SeanceStatus,
    SessionStatus,
    TrainingSession,
    session_trainer,
)
from reseau.database import UTCDateTime, utcnow
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.extensions import db

CANCELLED_KEPT = timedelta(days=60)
# Bump when the bytes change for the same rows (new property, new wording): ETags move.
FORMAT_VERSION = "4"
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
IN_PERSON_FEED = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED)


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

    @property
    def private(self) -> bool:
        """Whether events carry what only enrolled people see (trainers, visio link)."""
        return self.scope in (Scope.PERSON, Scope.TRAINER, Scope.CENTRE)

    @property
    def shows_names(self) -> bool:
        """Participants' names: only in a centre feed, whose address only its referent has."""
        return self.scope == Scope.CENTRE


@dataclass(frozen=True, slots=True)
class Fingerprint:
    etag: str
    last_modified: datetime


def feed_context() -> ical.FeedContext:
    """Return the site-wide data events need, from the configuration (not the request)."""
    app = current_app._get_current_object()
    context = app.extensions.get("feed_context")
    if context is None:  # once per application: every feed request needs it
        context = app.extensions["feed_context"] = _feed_context(app.config)
    return context


def _feed_context(config) -> ical.FeedContext:
    base_url = config["BASE_URL"].rstrip("/")
    host = config.get("CALENDAR_UID_HOST") or urlsplit(base_url).hostname or "reseau.invalid"
    organizer = parseaddr(config["MAIL_DEFAULT_SENDER"])[1] or f"ne-pas-repondre@{host}"
    try:
        path = current_app.url_map.bind("localhost").build(
            "enrolment.public_session", {"session_id": 987654321}
        )
        session_path = path.replace("987654321", "{id}", 1)
    except BuildError:
        session_path = "/catalogue/sessions/{id}"
    return ical.FeedContext(
        host=host,
        base_url=base_url,
        network_name=config["NETWORK_NAME"],
        organizer_email=organizer,
        session_path=session_path,
    )


def horizon(now: datetime) -> datetime:
    """Return the moment before which a cancellation has left the feeds.

    Rounded to the start of the UTC day, so a feed stays byte-identical within a day.
    """
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - CANCELLED_KEPT


def _member_sessions(centre_id: int) -> sa.Select:
    return (
        sa.select(Enrolment.session_id)
        .join(User, Enrolment.person_id == User.id)
        .where(User.centre_id == centre_id, Enrolment.status == EnrolmentStatus.CONFIRMED)
    )


def _scoped(feed: Feed, columns) -> sa.Select:
    """Return SELECT ``columns`` over the séances (and sessions) the feed's scope covers."""
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
            query = query.where(
                sa.or_(
                    TrainingSession.host_centre_id == subject,
                    TrainingSession.id.in_(_member_sessions(subject)),
                )
            )
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


def _conditions(feed: Feed, now: datetime):
    """Return (visible, expired) SQL conditions for a row of the scoped query."""
    cancelled = sa.or_(
        Seance.status == SeanceStatus.CANCELLED, TrainingSession.status == SessionStatus.CANCELLED
    )
    expired = sa.and_(cancelled, Seance.updated_at < horizon(now))
    visible = sa.and_(TrainingSession.status != SessionStatus.DRAFT, sa.not_(expired))
    if feed.scope == Scope.PERSON:
        visible = sa.and_(visible, Enrolment.status.in_(IN_PERSON_FEED))
    return visible, expired


def _max(expression) -> sa.ColumnElement:
    return sa.type_coerce(sa.func.max(expression), UTCDateTime)


def fingerprint(feed: Feed, context: ical.FeedContext, now: datetime | None = None) -> Fingerprint:
    """Return the ETag and Last-Modified of the feed, from one aggregate query."""
    now = now or utcnow()
    visible, expired = _conditions(feed, now)

    def shown(expression):
        return sa.case((visible, expression))

    columns = [
        sa.func.count(shown(Seance.id)),
        sa.func.coalesce(sa.func.sum(shown(Seance.id)), 0),
        sa.func.coalesce(sa.func.sum(shown(Seance.sequence)), 0),
        _max(shown(Seance.updated_at)),
        _max(shown(TrainingSession.updated_at)),
        # Not shown any more (drafted again, or an expired cancellation): Last-Modified only.
        _max(sa.case((sa.not_(visible), TrainingSession.updated_at))),
        _max(sa.case((expired, Seance.updated_at))),
    ]
    if feed.scope == Scope.PERSON:
        columns += [_max(shown(Enrolment.updated_at)), _max(Enrolment.updated_at)]
    elif feed.scope == Scope.CENTRE:
        members = sa.select(Enrolment.updated_at).join(User, Enrolment.person_id == User.id)
        members = members.where(User.centre_id == feed.subject_id)
        confirmed = members.where(Enrolment.status == EnrolmentStatus.CONFIRMED)
        named = confirmed.where(User.directory_consent.is_(True))
        columns += [
            sa.select(_max(confirmed.subquery().c.updated_at)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(confirmed.subquery()).scalar_subquery(),
            sa.select(_max(members.subquery().c.updated_at)).scalar_subquery(),
            # Who chose "nom visible" changes the names shown, not any updated_at.
            sa.select(sa.func.count()).select_from(named.subquery()).scalar_subquery(),
        ]
    row = db.session.execute(_scoped(feed, columns)).one()
    count, id_sum, sequence_sum, seance_max, session_max, gone_max, expired_max = row[:7]
    extra = list(row[7:])

    in_content = [seance_max, session_max]
    moments = [seance_max, session_max, gone_max]
    if expired_max is not None:
        moments.append(expired_max + CANCELLED_KEPT)
    if feed.scope == Scope.PERSON:
        in_content.append(extra[0])
        moments += extra
    elif feed.scope == Scope.CENTRE:
        in_content += [extra[0], extra[1], extra[3]]
        moments.append(extra[2])
    moments = [moment for moment in moments if moment is not None]
    last = min(max(moments, default=EPOCH), now).replace(microsecond=0)

    key = "|".join(
        str(part)
        for part in (
            FORMAT_VERSION,
            feed.scope,
            feed.subject_id,
            feed.name,
            feed.method,
            context,
            count,
            int(id_sum),
            int(sequence_sum),
            *[_text(value) for value in in_content],
        )
    )
    return Fingerprint(etag=hashlib.sha256(key.encode()).hexdigest()[:32], last_modified=last)


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def load(feed: Feed, now: datetime | None = None) -> list[tuple[Seance, Enrolment | None]]:
    """Return the feed's séances in order, with the person's enrolment for a person feed."""
    now = now or utcnow()
    visible, _ = _conditions(feed, now)
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
    plural = "s" if count > 1 else ""
    other = f"autre{plural} " if after_names else ""
    return f"{count} {other}personne{plural}"


# Built feeds by (database, ETag), per process. The ETag covers everything the bytes depend on,
# so an entry can never be stale by more than the fingerprint is (see the known limits above);
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
    calendar = ical.new_calendar(feed.name, method=feed.method)
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
            )
        )
    return ical.to_bytes(calendar)
