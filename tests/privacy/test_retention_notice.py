"""Issue 23: before its first anonymisation, ``tick`` says how many people it will
anonymise and waits ``RETENTION_NOTICE_DAYS``; then it anonymises as it finds."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from reseau.accounts.models import User, UserStatus
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.privacy.retention import retention_task
from tests.factories import make_user


def _sleepers(count: int) -> list[int]:
    old = utcnow() - timedelta(days=40 * 31)
    return [make_user(created_at=old, last_login_at=old).id for _ in range(count)]


def _anonymised() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.status == UserStatus.ANONYMISED)
    )


def test_first_tick_announces_then_waits_then_anonymises(app):
    app.config.update(RETENTION_MONTHS=36, RETENTION_NOTICE_DAYS=7)
    _sleepers(3)
    make_user()  # active: never counted
    db.session.commit()
    line = retention_task()
    db.session.commit()
    assert line.startswith("Conservation : 3 personnes sans activité depuis 36 mois seront")
    assert "à partir du" in line
    assert _anonymised() == 0
    (notice,) = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "retention.notice")
    ).all()
    assert notice.after == {"count": 3, "months": 36}
    # During the notice period: the same announcement, the count as it is now; no new notice.
    _sleepers(1)
    db.session.commit()
    line = retention_task()
    db.session.commit()
    assert line.startswith("Conservation : 4 personnes") and _anonymised() == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(AuditLog.action == "retention.notice")
        )
        == 1
    )
    # After it: anonymised, and from then on without notice.
    notice.at = utcnow() - timedelta(days=7, minutes=1)
    db.session.commit()
    assert retention_task() == "4 personnes anonymisées après la durée de conservation."
    db.session.commit()
    assert _anonymised() == 4
    _sleepers(2)
    db.session.commit()
    assert retention_task() == "2 personnes anonymisées après la durée de conservation."


def test_nobody_to_anonymise_records_no_notice(app):
    app.config.update(RETENTION_MONTHS=36, RETENTION_NOTICE_DAYS=7)
    make_user()
    db.session.commit()
    assert retention_task() == "0 personne anonymisée après la durée de conservation."
    db.session.commit()
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(AuditLog.action == "retention.notice")
        )
        == 0
    )


def test_no_notice_when_switched_off(app):
    app.config.update(RETENTION_MONTHS=36, RETENTION_NOTICE_DAYS=0)
    _sleepers(2)
    db.session.commit()
    assert retention_task() == "2 personnes anonymisées après la durée de conservation."
