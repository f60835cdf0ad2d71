"""Health for monitoring: ``flask --app reseau health`` and ``GET /sante``, no personal data.

Levels: ``ok``; ``attention`` (the site works but someone must act: mail late or failed,
``tick`` not run lately); ``panne`` (the database does not answer, or its schema is not the
code's). The command exits 0, 1 or 2 (Nagios' OK, WARNING, CRITICAL); ``/sante`` answers 200
for ok and attention, 503 for panne, with the details as JSON.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from reseau.core.database import MIGRATIONS, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import ngettext
from reseau.core.tick import last_tick_run
from reseau.main import bp
from reseau.outbox.operations import outbox_figures

LEVELS = ("ok", "attention", "panne")
# send-mail runs every 2 minutes and tick every 5: beyond these, something is stuck.
MAIL_LATE = timedelta(minutes=30)
TICK_LATE = timedelta(minutes=30)
# A tick not finished after this long was killed (or is stuck).
TICK_STUCK = timedelta(minutes=15)


@dataclass
class Check:
    name: str
    level: str
    detail: str


@dataclass
class Health:
    checks: list[Check] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    @property
    def level(self) -> str:
        return max((check.level for check in self.checks), key=LEVELS.index, default="ok")

    @property
    def exit_code(self) -> int:
        return LEVELS.index(self.level)

    def add(self, name: str, level: str, detail: str) -> None:
        self.checks.append(Check(name, level, detail))

    def as_dict(self) -> dict:
        return {
            "etat": self.level,
            "verifications": {c.name: {"etat": c.level, "detail": c.detail} for c in self.checks},
            **self.figures,
        }


def _minutes(since: datetime | None, now: datetime) -> int | None:
    return None if since is None else int((now - since).total_seconds() // 60)


def _assigned(module: ast.Module, name: str):
    for node in module.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return ast.literal_eval(node.value)
    return None


@functools.cache
def _code_heads(directory: str) -> tuple[str, ...]:
    """The revisions no other revision follows, read from the migration files themselves.

    Not through alembic: loading it (and mako) costs a worker about 8 MB, and a load balancer
    polls ``/sante`` on every worker. ``tests/main/test_health.py`` checks alembic agrees.
    """
    revisions, followed = set(), set()
    for path in (Path(directory) / "versions").glob("*.py"):
        module = ast.parse(path.read_text(encoding="utf-8"))
        revision = _assigned(module, "revision")
        if revision is None:
            continue
        revisions.add(revision)
        down = _assigned(module, "down_revision")
        followed.update(down if isinstance(down, (tuple, list)) else [down] if down else [])
    return tuple(sorted(revisions - followed))


def _database_heads() -> tuple[str, ...]:
    connection = db.session.connection()
    if not sa.inspect(connection).has_table("alembic_version"):
        return ()
    rows = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
    return tuple(sorted(row[0] for row in rows))


def _check_schema(health: Health) -> None:
    expected = _code_heads(current_app.extensions[MIGRATIONS])
    current = _database_heads()
    if current == expected:
        health.add("schema", "ok", f"Schéma à jour (révision {', '.join(current)}).")
    else:
        health.add(
            "schema",
            "panne",
            f"Schéma de la base à la révision {', '.join(current) or 'aucune'}, le code attend "
            f"{', '.join(expected)} : lancez `flask --app reseau db upgrade`.",
        )


def _check_outbox(health: Health, now: datetime) -> None:
    figures = outbox_figures()
    age = _minutes(figures.oldest_waiting, now)
    health.figures["envois"] = {
        "en_attente": figures.waiting,
        "plus_ancien_minutes": age,
        "en_echec": figures.failed,
    }
    late = figures.oldest_waiting is not None and now - figures.oldest_waiting > MAIL_LATE
    health.add(
        "envois",
        "attention" if late else "ok",
        ngettext("%(num)s message à envoyer", "%(num)s messages à envoyer", figures.waiting)
        + (f", le plus ancien depuis {age} min" if age is not None else "")
        + (" : send-mail tourne-t-il, le serveur SMTP répond-il ?" if late else "."),
    )
    health.add(
        "echecs",
        "attention" if figures.failed else "ok",
        ngettext(
            "%(num)s message en échec définitif",
            "%(num)s messages en échec définitif",
            figures.failed,
        )
        + (
            " : à reprendre dans « Envois en échec » ou avec retry-mail." if figures.failed else "."
        ),
    )


def _check_tick(health: Health, now: datetime) -> None:
    run = last_tick_run()
    if run is None:
        health.figures["tick"] = None
        health.add("tick", "attention", "`flask --app reseau tick` n'a encore jamais tourné.")
        return
    age = _minutes(run.started_at, now)
    health.figures["tick"] = {
        "dernier": run.started_at.isoformat(),
        "il_y_a_minutes": age,
        "termine": run.finished_at is not None,
        "echec": run.failed,
    }
    if run.failed:
        level, detail = "attention", f"Le dernier tick (il y a {age} min) a eu une tâche en échec."
    elif run.finished_at is None and now - run.started_at > TICK_STUCK:
        level, detail = "attention", f"Le tick lancé il y a {age} min n'a pas fini."
    elif now - run.started_at > TICK_LATE:
        level, detail = "attention", f"Le dernier tick date de {age} min : cron le lance-t-il ?"
    else:
        level, detail = "ok", f"Dernier tick il y a {age} min."
    health.add("tick", level, detail)


def health_report() -> Health:
    """Check the database, its schema, the outbox and the last tick run."""
    health, now = Health(), utcnow()
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        health.add("base", "panne", f"La base de données ne répond pas ({type(error).__name__}).")
        return health
    health.add("base", "ok", "La base de données répond.")
    try:
        _check_schema(health)
        _check_outbox(health, now)
        _check_tick(health, now)
    except sa.exc.SQLAlchemyError as error:  # e.g. a table the schema lacks
        health.add("schema", "panne", f"Lecture impossible ({type(error).__name__}).")
    finally:
        db.session.rollback()  # read only
    return health


@bp.route("/sante")
def health():
    """For an uptime checker: 200 while the site works (ok or attention), 503 otherwise."""
    report = health_report()
    status = 503 if report.level == "panne" else 200
    return report.as_dict(), status, {"Cache-Control": "no-store"}
