"""``tick`` on every host: each task under its lock, every run recorded, one failure told."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from reseau import cli
from reseau.accounts.models import User, UserStatus
from reseau.catalogue.models import PromotionMode
from reseau.cli import TICK_TASKS
from reseau.core import tick as tick_module
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.tick import TickRun, run_tick
from reseau.enrolment import operations as enrolment
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.outbox.models import OutboxMail
from tests.factories import make_session, make_user

SLEEPING = 25  # people past the retention period
CONVOKED = 5  # people of a session that starts tomorrow


def _work_for_two_ticks():
    """People to anonymise, convocations to queue and an offer that has expired."""
    old = utcnow() - timedelta(days=40 * 31)
    for _ in range(SLEEPING):
        make_user(created_at=old, last_login_at=old)
    tomorrow = make_session(starts_at=utcnow() + timedelta(days=1))
    for _ in range(CONVOKED):
        person = make_user()
        db.session.add(Enrolment(session=tomorrow, person=person, status=EnrolmentStatus.CONFIRMED))
    offered = make_session(capacity=1, promotion_mode=PromotionMode.OFFER, offer_hours=1)
    holder, first, second = make_user(), make_user(), make_user()
    held = enrolment.enrol(holder, offered, actor=holder)
    enrolment.enrol(first, offered, actor=first)
    enrolment.enrol(second, offered, actor=second)
    enrolment.cancel(held, actor=holder, now=utcnow() - timedelta(hours=2))  # offer expired
    db.session.commit()


def _count(query) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def test_two_ticks_at_once_do_each_thing_once(app):
    app.config["RETENTION_NOTICE_DAYS"] = 0  # anonymise at once (the notice: tests/privacy)
    _work_for_two_ticks()
    db.session.remove()
    barrier, errors = threading.Barrier(2), []

    def one_tick():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                run_tick(TICK_TASKS)
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=one_tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []

    anonymised = _count(sa.select(User).where(User.status == UserStatus.ANONYMISED))
    entries = _count(sa.select(AuditLog).where(AuditLog.action == "person.anonymise"))
    convocations = _count(sa.select(OutboxMail).where(OutboxMail.subject.like("Convocation%")))
    promoted = _count(sa.select(AuditLog).where(AuditLog.action == "enrolment.promoted"))
    expired = _count(
        sa.select(Enrolment).where(Enrolment.waitlist_reason == "Délai de réponse dépassé.")
    )
    assert (anonymised, entries) == (SLEEPING, SLEEPING)
    assert convocations == CONVOKED
    # The expired offer passed to the next person once (promoted: the first at cancel, the
    # second at expiry).
    assert (expired, promoted) == (1, 2)
    runs = db.session.scalars(sa.select(TickRun).order_by(TickRun.id)).all()
    assert len(runs) == 2
    assert all(run.finished_at is not None and not run.failed for run in runs)


def test_the_tick_command_records_what_it_did(app, runner):
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "0 proposition expirée, 0 convocation" in result.output
    assert "0 personne anonymisée" in result.output
    (run,) = db.session.scalars(sa.select(TickRun)).all()
    assert "0 fichier d'import expiré supprimé" in result.output
    assert [entry["task"] for entry in run.report] == [
        "inscriptions",
        "conservation",
        "imports",
        "preuves",
        "preuves-conservation",
        "evaluations",
        "compteurs",
    ]
    assert run.finished_at >= run.started_at and not run.failed and run.host


def test_a_failing_task_does_not_stop_the_others_and_is_told(app, runner, monkeypatch):
    def broken() -> str:
        make_user()  # a half-done change, rolled back
        raise RuntimeError("boom")

    tasks = (tick_module.TickTask("cassée", broken), *cli.TICK_TASKS)
    monkeypatch.setattr(cli, "TICK_TASKS", tasks)
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 1
    assert "cassée : ÉCHEC (RuntimeError: boom)" in result.output
    assert "0 personne anonymisée" in result.output  # the next tasks ran
    assert _count(sa.select(User)) == 0
    run = db.session.scalar(sa.select(TickRun))
    assert run.failed and run.finished_at is not None


def test_old_runs_are_pruned(app):
    db.session.add(TickRun(host="ancien", started_at=utcnow() - timedelta(days=40), report=[]))
    db.session.commit()
    run_tick(TICK_TASKS)
    assert [run.host for run in db.session.scalars(sa.select(TickRun))] != ["ancien"]
    assert _count(sa.select(TickRun).where(TickRun.host == "ancien")) == 0


def test_a_task_lock_held_elsewhere_skips_the_task(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: on SQLite the write lock at BEGIN makes ticks wait")
    with db.engine.connect() as other:
        other.execute(sa.select(sa.func.pg_advisory_lock(tick_module.lock_key("conservation"))))
        run = run_tick(TICK_TASKS)
        other.execute(sa.select(sa.func.pg_advisory_unlock(tick_module.lock_key("conservation"))))
    lines = {entry["task"]: entry["line"] for entry in run.report}
    assert lines["conservation"].startswith("conservation : déjà en cours sur un autre hôte")
    assert "convocation" in lines["inscriptions"]
