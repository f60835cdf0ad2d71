"""Issue 23: the first ``tick`` on a fresh demo anonymises nobody (its 2011–2012 participants
are history imported the day the demo is loaded)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from devdata.demo import load_demo
from reseau.accounts.models import User, UserStatus
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment
from reseau.privacy.operations import count_inactive


def test_first_tick_on_a_fresh_demo_keeps_everyone(app, runner):
    app.config.update(RETENTION_MONTHS=36, RETENTION_NOTICE_DAYS=7)
    load_demo()
    people = db.session.scalar(sa.select(sa.func.count(User.id)))
    # The demo's history is there: enrolments older than the retention period.
    old = utcnow() - timedelta(days=30 * 36)
    assert (
        db.session.scalar(sa.select(sa.func.count(Enrolment.id)).where(Enrolment.updated_at < old))
        > 100
    )
    assert count_inactive(utcnow(), 36) == 0
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "0 personne anonymisée" in result.output
    assert (
        db.session.scalar(
            sa.select(sa.func.count(User.id)).where(User.status == UserStatus.ANONYMISED)
        )
        == 0
    )
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == people
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(AuditLog.action == "retention.notice")
        )
        == 0
    )
    # 36 months without any activity later, retention would find them (it still applies).
    assert count_inactive(utcnow() + timedelta(days=30 * 37), 36) > 100
