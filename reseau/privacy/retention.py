"""Retention: ``tick`` anonymises the people inactive for ``RETENTION_MONTHS`` months.

The first time it finds someone to anonymise, it anonymises nobody: it says how many people
it will anonymise, and from when (``RETENTION_NOTICE_DAYS`` later), and records that notice
in the audit log. Once the notice period is over, each tick anonymises as it finds.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from reseau.core.audit import AuditLog, record_audit
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import date_fr, ngettext, to_local
from reseau.privacy.operations import apply_retention, count_inactive

NOTICE = "retention.notice"


def retention_task() -> str:
    """Anonymise the people inactive for longer than the retention period (after a notice)."""
    months = current_app.config.get("RETENTION_MONTHS", 0)
    notice_days = current_app.config.get("RETENTION_NOTICE_DAYS", 7)
    now = utcnow()
    if months and months > 0 and notice_days and notice_days > 0:
        line = _notice(now, months, timedelta(days=notice_days))
        if line:
            return line
    count = apply_retention(now)
    return ngettext(
        "%(num)s personne anonymisée après la durée de conservation.",
        "%(num)s personnes anonymisées après la durée de conservation.",
        count,
    )


def _notice(now, months: int, period: timedelta) -> str | None:
    """Before the first anonymisation: the line announcing it, or None once its day came."""
    notice = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == NOTICE).order_by(AuditLog.at).limit(1)
    )
    if notice is not None and notice.at + period <= now:
        return None
    count = count_inactive(now, months)
    if notice is None:
        if not count:
            return None
        notice = record_audit(
            None,
            NOTICE,
            summary=ngettext(
                "%(num)s personne sans activité depuis %(months)s mois à anonymiser",
                "%(num)s personnes sans activité depuis %(months)s mois à anonymiser",
                count,
                months=months,
            ),
            after={"count": count, "months": months},
        )
        notice.at = now
    start = date_fr(to_local(notice.at + period))
    return ngettext(
        "Conservation : %(num)s personne sans activité depuis %(months)s mois sera anonymisée",
        "Conservation : %(num)s personnes sans activité depuis %(months)s mois seront anonymisées",
        count,
        months=months,
    ) + (
        f" à partir du {start} (premier passage de la durée de conservation ; "
        "RETENTION_MONTHS=0 l'arrête, une connexion ou une inscription garde la personne)."
    )
