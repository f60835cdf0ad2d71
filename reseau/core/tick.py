"""The periodic tasks run by ``flask --app reseau tick``, safe when cron runs it on every host.

A task is a room's own periodic function (taking nothing, flushing, never committing, and
returning one French line for the command's output); ``reseau/cli.py`` lists them in the
order they run, so no room imports this module to register itself. ``run_tick`` runs each
task in its own transaction under a lock named after it: on PostgreSQL a transaction-level
advisory lock (``pg_try_advisory_xact_lock``), so that while one host runs a task the others
skip it; on SQLite the write lock taken at BEGIN already makes a second tick wait, then
select again what is still to do. Each task also selects and re-checks its rows under its
own row locks. Every run is recorded (``TickRun``) for ``flask --app reseau health``.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from reseau.core.database import UTCDateTime, utcnow
from reseau.core.extensions import db

SKIPPED = "{name} : déjà en cours sur un autre hôte, rien à faire ici cette fois."
# Runs are kept this long (every 5 minutes on each host: about 9,000 rows a month per host).
KEEP_RUNS = timedelta(days=31)


@dataclass(frozen=True)
class TickTask:
    name: str
    run: Callable[[], str]


class TickRun(db.Model):
    """One run of ``tick`` on one host: when, and what each task did."""

    __tablename__ = "tick_run"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    started_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    # None while running, or when the run was killed.
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    host: so.Mapped[str] = so.mapped_column(sa.String(120))
    # [{"task": name, "line": what it did}] in the order run.
    report: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    failed: so.Mapped[bool] = so.mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<TickRun {self.id} {self.host} {self.started_at:%Y-%m-%d %H:%M}>"


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for the advisory lock of task ``name``."""
    digest = hashlib.sha256(f"reseau.core.tick.{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def try_task_lock(name: str) -> bool:
    """Take the task's lock for the current transaction; False if another host holds it.

    First statement of the task's transaction: on PostgreSQL its rows are read after the
    lock, so they include what the previous holder committed. SQLite: always True (the
    transaction's BEGIN IMMEDIATE is the lock).
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    return bool(db.session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(lock_key(name)))))


def _run_task(task: TickTask) -> tuple[str, bool]:
    """Run one task in its own transaction; return (its line, whether it failed)."""
    try:
        if not try_task_lock(task.name):
            db.session.rollback()
            return SKIPPED.format(name=task.name), False
        line = task.run()
        db.session.commit()
        return line, False
    except Exception as error:  # one broken task must not stop the others
        db.session.rollback()
        current_app.logger.exception("tick: la tâche %s a échoué", task.name)
        return f"{task.name} : ÉCHEC ({type(error).__name__}: {error})"[:500], True


def run_tick(tasks: Sequence[TickTask]) -> TickRun:
    """Run each of ``tasks`` once, in order, and record the run; return the record."""
    run = TickRun(host=socket.gethostname()[:120], report=[])
    db.session.add(run)
    db.session.commit()  # a run that is killed stays visible as unfinished
    run_id = run.id
    report, failed = [], False
    for task in tasks:
        line, task_failed = _run_task(task)
        report.append({"task": task.name, "line": line})
        failed = failed or task_failed
    run = db.session.get(TickRun, run_id)
    run.report, run.failed, run.finished_at = report, failed, utcnow()
    db.session.execute(sa.delete(TickRun).where(TickRun.started_at < utcnow() - KEEP_RUNS))
    db.session.commit()
    return run


def last_tick_run() -> TickRun | None:
    return db.session.scalar(sa.select(TickRun).order_by(TickRun.started_at.desc()).limit(1))


def hosts_seen(since: timedelta = timedelta(days=7)) -> int:
    """How many hosts ran ``tick`` lately (deploy-check's view of "several hosts")."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(sa.distinct(TickRun.host))).where(
                TickRun.started_at >= utcnow() - since
            )
        )
        or 0
    )
