"""Every command of ``flask --app reseau <command>``: the composition root of the CLI.

Beside ``create_app``, this is the one module that imports every room. ``tick`` runs each
room's own periodic function in the order of ``TICK_TASKS`` (no room registers itself).
``demo`` and ``generate`` come from devdata (outside the package), through the
``flask.commands`` entry points of setup.cfg.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from reseau.accounts import counts as people_counts
from reseau.accounts.forms import PASSWORD_MIN
from reseau.accounts.models import Category, Role, User, UserStatus
from reseau.accounts.passwords import is_common_password, is_personal_password
from reseau.accounts.queries import get_user_by_email, normalise_email
from reseau.attendance import rollups as bilan_rollups
from reseau.core import changes
from reseau.core.backup import PG_ADVICE, backup_sqlite, restore_sqlite, sqlite_path
from reseau.core.cache import figures
from reseau.core.database import utcnow
from reseau.core.deploy import deploy_problems, gunicorn_command, read_gunicorn, running_gunicorns
from reseau.core.extensions import db
from reseau.core.i18n import ngettext
from reseau.core.tick import TickTask, hosts_seen, last_tick_run, run_tick
from reseau.diagnostic import rollups as diagnostic_rollups
from reseau.enrolment.tasks import enrolment_task
from reseau.evaluation.tasks import evaluation_task
from reseau.imports.operations import imports_task
from reseau.main.health import health_report
from reseau.outbox import deliver_due, retry_failed
from reseau.privacy.retention import retention_task
from reseau.proof.packs import pack_task
from reseau.proof.retention import proof_retention_task

# The periodic tasks, in the order ``tick`` runs them.
TICK_TASKS = (
    TickTask("inscriptions", enrolment_task),
    TickTask("conservation", retention_task),
    TickTask("imports", imports_task),
    TickTask("preuves", pack_task),
    TickTask("preuves-conservation", proof_retention_task),
    TickTask("evaluations", evaluation_task),
    TickTask("compteurs", changes.fold),
)


def register_commands(app) -> None:
    for command in (
        send_mail_command,
        retry_mail_command,
        tick_command,
        health_command,
        create_admin_command,
        is_empty_command,
        deploy_check_command,
        backup_command,
        restore_command,
        rebuild_rollups_command,
        build_packs_command,
    ):
        app.cli.add_command(command)


@click.command("tick")
def tick_command() -> None:
    """Run the periodic tasks: offers, convocations (J-2), retention, cold evaluations. Safe on
    every host."""
    run = run_tick(TICK_TASKS)
    for entry in run.report:
        click.echo(entry["line"])
    if run.failed:
        click.echo("Au moins une tâche a échoué : voir les lignes ci-dessus.", err=True)
        raise SystemExit(1)


@click.command("build-packs")
def build_packs_command() -> None:
    """Build the evidence packs waiting, to the end (tick builds a few steps each run)."""
    total = 0
    while True:
        line = pack_task()
        db.session.commit()
        ran = int(line.split(" ", 1)[0])
        total += ran
        if not ran:
            break
    click.echo(
        ngettext(
            "%(num)s étape de dossiers de preuves construite.",
            "%(num)s étapes de dossiers de preuves construites.",
            total,
        )
    )


@click.command("send-mail")
@click.option("--limit", default=200, show_default=True, help="Messages au plus par passage.")
def send_mail_command(limit: int) -> None:
    """Deliver the outbox (SMTP if MAIL_SERVER is set, else .eml files in instance/mail).

    Each failed attempt is said on stderr; the exit status is 1 when a message failed for
    good in this run (cron's mail or the monitoring then catches it), 0 otherwise.
    """
    result = deliver_due(current_app.config, limit=limit)
    for problem in result.problems:
        click.echo(problem, err=True)
    click.echo(
        f"{ngettext('%(num)s envoyé', '%(num)s envoyés', result.sent)}, "
        f"{result.retry} à réessayer, {result.failed} en échec définitif."
    )
    if result.failed:
        click.echo(
            ngettext(
                "%(num)s message ne partira plus seul : la coordination le voit dans « Envois en "
                "échec » ; `flask --app reseau retry-mail` le remet à envoyer.",
                "%(num)s messages ne partiront plus seuls : la coordination les voit dans « Envois "
                "en échec » ; `flask --app reseau retry-mail` les remet à envoyer.",
                result.failed,
            ),
            err=True,
        )
        raise SystemExit(1)


@click.command("retry-mail")
@click.argument("mail_ids", nargs=-1, type=int)
def retry_mail_command(mail_ids: tuple[int, ...]) -> None:
    """Queue failed messages again (those numbered MAIL_IDS, or all), for the next send-mail."""
    count = retry_failed(list(mail_ids) or None, actor=None)
    db.session.commit()
    click.echo(
        ngettext(
            "%(num)s message en échec remis à envoyer au prochain send-mail.",
            "%(num)s messages en échec remis à envoyer au prochain send-mail.",
            count,
        )
    )


@click.command("create-admin")
@click.option("--email", prompt="Adresse e-mail")
@click.option("--first-name", prompt="Prénom")
@click.option("--last-name", prompt="Nom")
@click.password_option("--password", prompt="Mot de passe")
def create_admin_command(email: str, first_name: str, last_name: str, password: str) -> None:
    """Create (or promote) a regional coordinator account for a real deployment."""
    if len(password) < PASSWORD_MIN:
        raise click.BadParameter(f"au moins {PASSWORD_MIN} caractères", param_hint="--password")
    if is_common_password(password) or is_personal_password(
        password, email=email, names=(first_name, last_name)
    ):
        raise click.BadParameter(
            "trop courant, ou fait de votre nom ou de votre adresse e-mail",
            param_hint="--password",
        )
    user = get_user_by_email(email)
    if user is None:
        user = User(
            email=normalise_email(email),
            first_name=first_name,
            last_name=last_name,
            category=Category.SALARIE,
            status=UserStatus.ACTIVE,
        )
        db.session.add(user)
    user.status = UserStatus.ACTIVE
    user.set_password(password)
    user.set_roles(user.roles | {Role.COORDINATOR})
    db.session.commit()
    click.echo(f"Coordinateur·rice prêt·e : {user.email}")


# Every room's summary rows, rebuilt from the raw rows by ``rebuild-rollups``.
ROLLUPS = (
    ("personnes", people_counts.rebuild),
    ("diagnostic", diagnostic_rollups.rebuild),
    ("bilan", bilan_rollups.rebuild),
)


@click.command("rebuild-rollups")
def rebuild_rollups_command() -> None:
    """Recompute the summary rows of the figures from the raw rows (after a bulk import)."""
    for name, rebuild in ROLLUPS:
        written = rebuild()
        db.session.commit()
        for table, rows in written.items():
            click.echo(f"{name}: {table} – {rows} lignes")


@click.command("is-empty", hidden=True)
def is_empty_command() -> None:
    """Exit 0 when the database holds no person yet (used by ``make run``)."""
    count = db.session.scalar(sa.select(sa.func.count(User.id)))
    raise SystemExit(0 if count == 0 else 1)


@click.command("health")
@click.option("--json", "as_json", is_flag=True, help="Le détail en JSON (comme /sante).")
def health_command(as_json: bool) -> None:
    """Say whether Réseau is healthy; exit 0 (ok), 1 (attention) or 2 (panne)."""
    report = health_report()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"État : {report.level}")
        for check in report.checks:
            click.echo(f"  [{check.level}] {check.detail}")
        _echo_last_tick()
    raise SystemExit(report.exit_code)


def _echo_last_tick() -> None:
    """What the last tick did, for the person at the terminal (not for /sante: its lines may
    hold an error's text)."""
    try:
        run = last_tick_run()
    except sa.exc.SQLAlchemyError:  # no database, or not upgraded: said above
        db.session.rollback()
        return
    if run is not None:
        click.echo(f"Dernier tick sur {run.host}, le {run.started_at:%Y-%m-%d %H:%M} UTC :")
        for entry in run.report or []:
            click.echo(f"  {entry['line']}")


def _hosts_seen() -> int:
    """Hosts that ran ``tick`` lately; 1 when the database cannot tell (not upgraded yet)."""
    try:
        return max(hosts_seen(), 1)
    except SQLAlchemyError:
        db.session.rollback()
        return 1


@click.command("deploy-check", context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def deploy_check_command(command: tuple[str, ...]) -> None:
    """List what is unsafe in the current configuration for production.

    Give the gunicorn command line after "--" (as in the service file) to check it; without
    one, the gunicorns running on this machine are read, else what one started here would
    run with.
    """
    environ = os.environ
    if command:
        setups = [
            read_gunicorn(
                gunicorn_command(command),
                environ,
                Path.cwd(),
                where="la commande gunicorn donnée",
            )
        ]
    else:
        setups = running_gunicorns() or None
    problems = deploy_problems(current_app.config, environ, gunicorn=setups, hosts=_hosts_seen())
    if not problems:
        click.echo("Aucun problème de configuration détecté.")
        return
    click.echo(
        ngettext(
            "%(num)s point à corriger avant la mise en production :",
            "%(num)s points à corriger avant la mise en production :",
            len(problems),
        )
    )
    for problem in problems:
        click.echo(f"  - {problem}")
    raise SystemExit(1)


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path | None) -> None:
    """Copy the live SQLite database consistently (or explain pg_dump for PostgreSQL)."""
    source = sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if source is None:
        click.echo(PG_ADVICE)
        return
    if target is None:
        target = (
            Path(current_app.instance_path)
            / "backups"
            / (f"reseau-{utcnow():%Y%m%d-%H%M%S}.sqlite")
        )
    counts = backup_sqlite(source, target)
    click.echo(f"Sauvegarde écrite : {target} ({sum(counts.values())} lignes, intégrité ok).")
    click.echo("(Avec PostgreSQL, la sauvegarde se fait avec pg_dump : voir SECURITY.md.)")


@click.command("restore")
@click.argument("backup", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
def restore_command(backup: Path, yes: bool) -> None:
    """Replace the SQLite database by BACKUP after an integrity check; compare row counts."""
    target = sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if target is None:
        click.echo(PG_ADVICE)
        raise SystemExit(1)
    if not yes:
        click.confirm(f"Remplacer {target} par {backup} ?", abort=True)
    counts = restore_sqlite(backup, target)
    # The counters of writes went back with the data: what was kept since must go.
    figures.clear()
    click.echo(f"Base restaurée depuis {backup} : intégrité ok, nombres de lignes identiques.")
    for name, count in counts.items():
        click.echo(f"  {name}: {count}")
