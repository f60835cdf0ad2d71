"""Secret feed addresses: derived with a keyed signature, stored only as a hash.

Why a keyed signature rather than a random token shown once: people come back to "Mes agendas"
to copy the address into a second device or scan its QR code, so the page must be able to show
it again. The token is ``HMAC-SHA256(key, "reseau-calendar:<row id>:<kind>:<user>:<centre>")``
(256 bits, URL-safe base64), where the key is ``CALENDAR_TOKEN_KEY`` (``SECRET_KEY`` by
default) and the row id is new for every address. The database keeps only the SHA-256 of the
token (``token_hash``): a database leak without the key reveals no working address.

Regenerating revokes the row (``revoked_at``) and creates a new one, so the old address stops
working at once. Rotating the key invalidates every address (people regenerate theirs).

A request is looked up by the SHA-256 of the token it presents (an indexed, unique column):
the database never compares secret bytes, and a wrong, revoked or malformed token costs one
hash and one indexed query, the same as a good one up to that point, before answering 404.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from reseau.accounts.models import Centre, Role, User, UserStatus
from reseau.calendars.models import CalendarToken, FeedKind
from reseau.database import standalone_write, utcnow
from reseau.extensions import db

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
    if kind == FeedKind.PERSON:
        return True
    if kind == FeedKind.TRAINER:
        return user.has_role(Role.TRAINER)
    return user.has_role(Role.REFERENT) and user.centre_id is not None


def issue_token(kind: FeedKind, user: User, *, actor: User) -> CalendarToken:
    """Revoke the person's address of this kind, if any, and create a new one (flushes).

    A centre address belongs to the referent who created it, for their own centre: it is the
    only feed that shows participants' names, and it stops working if they leave that role.
    """
    if not may_have(kind, user) or actor.id != user.id:
        raise PermissionError("Cette adresse d'agenda n'est pas disponible pour ce compte.")
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


def find_token(token: str) -> CalendarToken | None:
    """Return the active address row for ``token``, or None (wrong, revoked, owner gone)."""
    candidate = token if TOKEN_PATTERN.fullmatch(token) else "-" * 43
    digest = hash_token(candidate)
    # One query: the row, its owner and the owner's roles (may_have reads them).
    found = (
        db.session.execute(
            sa.select(CalendarToken, User)
            .join(User, CalendarToken.user_id == User.id)
            .where(CalendarToken.token_hash == digest, CalendarToken.revoked_at.is_(None))
            .options(so.joinedload(User.role_rows))
        )
        .unique()
        .first()
    )
    if found is None or not hmac.compare_digest(found[0].token_hash, digest):
        return None
    row, owner = found
    if owner.status != UserStatus.ACTIVE or not may_have(row.kind, owner):
        return None
    if row.kind == FeedKind.CENTRE and (
        row.centre_id != owner.centre_id or db.session.get(Centre, row.centre_id) is None
    ):
        return None
    return row


def record_fetch(row: CalendarToken) -> None:
    """Note when the feed was last fetched, writing at most every ``FETCH_WRITE_INTERVAL``."""
    now = utcnow()
    if row.last_fetched_at is not None and now - row.last_fetched_at < FETCH_WRITE_INTERVAL:
        return
    try:
        with standalone_write(db.engine) as connection:
            connection.execute(
                sa.update(CalendarToken)
                .where(CalendarToken.id == row.id)
                .values(last_fetched_at=now)
            )
    except sa.exc.OperationalError:
        # Bookkeeping only: a busy database must not fail the feed; the next fetch retries.
        current_app.logger.warning("Could not record the fetch of calendar token %s", row.id)
        return
    # The row is not dirty for the request's session: the value is already in the database.
    so.attributes.set_committed_value(row, "last_fetched_at", now)
