"""What a coordinator (or ``retry-mail``) does with failed messages, and the outbox's figures.

Functions take an explicit ``actor`` (None from the command line), flush and never commit.
Each change is one conditional UPDATE: a message retried twice at once is retried once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from reseau.core.audit import record_audit
from reseau.core.database import counts, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import ngettext
from reseau.outbox.models import WAITING, MailStatus, OutboxMail


@dataclass
class OutboxFigures:
    waiting: int  # pending or being sent
    oldest_waiting: datetime | None  # when the oldest of them was queued
    failed: int


def outbox_figures() -> OutboxFigures:
    """The backlog, the age of its oldest message and the failed count (one query)."""
    waiting = OutboxMail.status.in_(WAITING)
    figures = counts(
        db.session,
        waiting=sa.select(sa.func.count(OutboxMail.id)).where(waiting),
        failed=sa.select(sa.func.count(OutboxMail.id)).where(
            OutboxMail.status == MailStatus.FAILED
        ),
    )
    oldest = db.session.scalar(sa.select(sa.func.min(OutboxMail.created_at)).where(waiting))
    return OutboxFigures(figures["waiting"], oldest, figures["failed"])


def failed_mail(limit: int = 200) -> list[OutboxMail]:
    """The failed messages, most recent first."""
    return list(
        db.session.scalars(
            sa.select(OutboxMail)
            .where(OutboxMail.status == MailStatus.FAILED)
            .order_by(OutboxMail.id.desc())
            .limit(limit)
        )
    )


def retry_failed(mail_ids: list[int] | None = None, *, actor) -> int:
    """Queue failed messages again with a fresh budget of attempts (all when ``mail_ids`` is
    None); return how many. Their Message-ID stays: a copy already received can be dropped."""
    statement = (
        sa.update(OutboxMail)
        .where(OutboxMail.status == MailStatus.FAILED)
        .values(status=MailStatus.PENDING, attempts=0, next_attempt_at=utcnow(), lease_until=None)
        .execution_options(synchronize_session=False)
    )
    if mail_ids is not None:
        statement = statement.where(OutboxMail.id.in_(mail_ids))
    count = db.session.execute(statement).rowcount
    if count:
        record_audit(
            actor,
            "mail.retry",
            summary=ngettext(
                "%(num)s message en échec remis à envoyer",
                "%(num)s messages en échec remis à envoyer",
                count,
            ),
        )
    db.session.flush()
    return count


def abandon_failed(mail_id: int, *, actor) -> bool:
    """Give up a failed message (it stays listed in the person's data); False if not failed."""
    count = db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.status == MailStatus.FAILED)
        .values(status=MailStatus.ABANDONED)
        .execution_options(synchronize_session=False)
    ).rowcount
    if count:
        record_audit(actor, "mail.abandon", summary=f"Message n°{mail_id} abandonné")
    db.session.flush()
    return bool(count)
