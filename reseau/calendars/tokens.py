"""Secret feed addresses: derived with a keyed signature, stored only as a hash.

Why a keyed signature rather than a random token shown once: people come back to "Mes agendas"
to copy the address into a second device or scan its QR code, so the page must be able to show
it again. The token is ``HMAC-SHA256(key, "reseau-calendar:<row id>:<kind>:<user>:<centre>")``
(256 bits, URL-safe base64), where the key is ``CALENDAR_TOKEN_KEY`` (``SECRET_KEY`` by
default) and the row id is new for every address. The database keeps only the SHA-256 of the
token (``token_hash``): a database leak without the key reveals no working address.

Regenerating revokes the row (``revoked_at``) and creates a new one, so the old address stops
working at once; a person may also just revoke it. A revoked address answers 410 Gone (calendar
apps may stop polling it), an unknown one 404. Rotating the key invalidates every address
(people regenerate theirs).

A request is looked up by the SHA-256 of the token it presents (an indexed, unique column):
the database never compares secret bytes, and a wrong, revoked or malformed token costs one
hash and one indexed query, the same as a good one up to that point, before answering 404.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from reseau.accounts.models import Centre, Role, User, UserRole, UserStatus
from reseau.calendars.feeds import private_feed_tables
from reseau.calendars.models import CalendarToken, FeedKind
from reseau.core import cache
from reseau.core.database import lock_row, standalone_write, utcnow
from reseau.core.extensions import db
from reseau.core.http import RawQuery, raw_reader

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
# Bookkeeping only: a feed polled every few minutes writes at most this often.
FETCH_WRITE_INTERVAL = timedelta(minutes=10)


def _key() -> bytes:
    key = current_app.config.get("CALENDAR_TOKEN_KEY") or current_app.config["SECRET_KEY"]
    return key.encode() if isinstance(key, str) else key


def feed_token(row: CalendarToken) -> str:
    """Return the secret part of the address of ``row`` (43 URL-safe characters)."""
    message = f"reseau-calendar:{row.id}:{row.kind.value}:{row.user_id}:{row.centre_id}"
    digest = hmac.new(_key(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_tokens(user: User) -> dict[FeedKind, CalendarToken]:
    """Return the person's current addresses by kind (their centre's for a referent)."""
    rows = db.session.scalars(
        sa.select(CalendarToken)
        .where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.id)
    ).all()
    return {row.kind: row for row in rows if row.kind != FeedKind.CENTRE or _centre_ok(row, user)}


def _centre_ok(row: CalendarToken, user: User) -> bool:
    return row.centre_id is not None and row.centre_id == user.centre_id


def may_have(kind: FeedKind, user: User) -> bool:
    """Return whether ``user`` may hold an address of this kind."""
    return may_hold(
        kind,
        is_trainer=user.has_role(Role.TRAINER),
        is_referent=user.has_role(Role.REFERENT),
        centre_id=user.centre_id,
    )


def may_hold(kind: FeedKind, *, is_trainer: bool, is_referent: bool, centre_id) -> bool:
    """The rule of ``may_have`` on plain facts (a feed request reads them in its one query)."""
    if kind == FeedKind.PERSON:
        return True
    if kind == FeedKind.TRAINER:
        return is_trainer
    return is_referent and centre_id is not None


def revoke_token(kind: FeedKind, user: User, *, actor: User) -> CalendarToken | None:
    """Turn off the person's address of this kind without a new one; return it (flushes)."""
    if actor.id != user.id:
        raise PermissionError("Seule la personne concernée peut désactiver son adresse.")
    row = active_tokens(user).get(kind)
    if row is not None:
        row.revoked_at = utcnow()
        db.session.flush()
    return row


def issue_token(kind: FeedKind, user: User, *, actor: User) -> CalendarToken:
    """Revoke the person's address of this kind, if any, and create a new one (flushes).

    A centre address belongs to the referent who created it, for their own centre: it is the
    only feed that shows participants' names, and it stops working if they leave that role.
    """
    if not may_have(kind, user) or actor.id != user.id:
        raise PermissionError("Cette adresse d'agenda n'est pas disponible pour ce compte.")
    lock_row(user)  # two clicks at once: one address stays valid, not two
    now = utcnow()
    db.session.execute(
        sa.update(CalendarToken)
        .where(
            CalendarToken.user_id == user.id,
            CalendarToken.kind == kind,
            CalendarToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    row = CalendarToken(
        kind=kind,
        user_id=user.id,
        centre_id=user.centre_id if kind == FeedKind.CENTRE else None,
        # A random placeholder until the id (part of the signed message) is known.
        token_hash=secrets.token_hex(32),
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    row.token_hash = hash_token(feed_token(row))
    db.session.flush()
    return row


@dataclass(frozen=True, slots=True)
class FeedAddress:
    """What serving a secret address needs, read in one query (a feed is polled often)."""

    id: int
    kind: FeedKind
    user_id: int
    centre_id: int | None
    centre_name: str | None
    last_fetched_at: datetime | None
    gone: bool  # revoked, or its owner may no longer have it: answered 410 Gone
    # The counters of the tables a private feed reads, read with the address: a poll whose
    # feed is unchanged then needs no other statement (``feeds.fingerprint``).
    counters: dict[str, int] | None = None


def _has_role(role: Role):
    return sa.exists().where(UserRole.user_id == User.id, UserRole.role == role)


@functools.cache
def _address_query() -> sa.Select:
    """One query: the row, whether it is revoked, what its owner may hold, the centre's name.

    Built once: a feed is polled often, and building the statement costs more than running it.
    """
    return (
        sa.select(
            CalendarToken.id,
            CalendarToken.kind,
            CalendarToken.user_id,
            CalendarToken.centre_id,
            CalendarToken.last_fetched_at,
            CalendarToken.token_hash,
            CalendarToken.revoked_at,
            User.status,
            User.centre_id.label("owner_centre_id"),
            Centre.name.label("centre_name"),
            _has_role(Role.TRAINER).label("is_trainer"),
            _has_role(Role.REFERENT).label("is_referent"),
            cache.counters_column(private_feed_tables()).label("counters"),
        )
        .join(User, CalendarToken.user_id == User.id)
        .outerjoin(Centre, Centre.id == CalendarToken.centre_id)
        .where(CalendarToken.token_hash == sa.bindparam("digest"))
    )


_ADDRESS_QUERY = RawQuery(_address_query)


def _read_address(digest: str, reader=None):
    """Run the address query, compiled once, on ``reader`` (a ``core.http.RawReader``:
    outside any transaction, no ORM session), else on one of its own."""
    if reader is not None:
        return reader.first(_ADDRESS_QUERY, {"digest": digest})
    with raw_reader() as own:
        return own.first(_ADDRESS_QUERY, {"digest": digest})


def find_token(token: str, reader=None) -> FeedAddress | None:
    """Return the address for ``token``, or None if no address ever had it.

    An address that exists but no longer works is ``gone`` (answered 410): revoked, its owner
    no longer active or allowed (no more referent, moved to another centre). Only unknown
    tokens — guesses — are None (404), and only those count against the guessing limit, so
    a calendar service still polling old addresses is not taken for a guesser.
    """
    candidate = token if TOKEN_PATTERN.fullmatch(token) else "-" * 43
    digest = hash_token(candidate)
    found = _read_address(digest, reader)
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    kind = FeedKind(found.kind)
    allowed = may_hold(
        kind,
        is_trainer=bool(found.is_trainer),
        is_referent=bool(found.is_referent),
        centre_id=found.owner_centre_id,
    )
    # A centre feed also ends when the referent moves to another centre, or the centre goes.
    centre_gone = kind == FeedKind.CENTRE and (
        found.centre_name is None or found.centre_id != found.owner_centre_id
    )
    usable = found.status == UserStatus.ACTIVE and allowed and not centre_gone
    return FeedAddress(
        found.id,
        kind,
        found.user_id,
        found.centre_id,
        found.centre_name,
        found.last_fetched_at,
        gone=found.revoked_at is not None or not usable,
        counters=cache.read_counters(found.counters),
    )


def record_fetch(address: FeedAddress) -> None:
    """Note when the feed was last fetched, writing at most every ``FETCH_WRITE_INTERVAL``."""
    now = utcnow()
    last = address.last_fetched_at
    if last is not None and now - last < FETCH_WRITE_INTERVAL:
        return
    try:
        with standalone_write(db.engine) as connection:
            connection.execute(
                sa.update(CalendarToken)
                .where(CalendarToken.id == address.id)
                .values(last_fetched_at=now)
            )
    except sa.exc.OperationalError:
        # Bookkeeping only: a busy database must not fail the feed; the next fetch retries.
        current_app.logger.warning("Could not record the fetch of calendar token %s", address.id)
