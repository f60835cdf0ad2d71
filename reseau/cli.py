"""Command-line tools: ``flask --app reseau <command>``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app

from reseau.accounts.forms import PASSWORD_MIN
from reseau.accounts.models import Category, Role, User, UserStatus
from reseau.accounts.operations import get_user_by_email, normalise_email
from reseau.extensions import db
from reseau.outbox import deliver_due, retry_failed
from reseau.passwords import is_common_password, is_personal_password
from reseau.tick import run_tick


def register_commands(app) -> None:
    # `demo` and `generate` come from devdata (outside the package), through the
    # flask.commands entry points of setup.cfg.
    from reseau.main.health import health_command

    _register_tick_tasks()

    app.cli.add_command(send_mail_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(is_empty_command)
    app.cli.add_command(tick_command)
    app.cli.add_command(retry_mail_command)
    app.cli.add_command(health_command)


def _register_tick_tasks() -> None:
    """The periodic tasks, in the order ``tick`` runs them (see reseau/tick.py)."""
    import reseau.enrolment.tasks  # noqa: F401
    import reseau.privacy.retention  # noqa: F401


@click.command("tick")
def tick_command() -> None:
    """Run the periodic tasks: offers, convocations (J-2), retention. Safe on every host."""
    run = run_tick()
    for entry in run.report:
        click.echo(entry["line"])
    if run.failed:
        click.echo("Au moins une tâche a échoué : voir les lignes ci-dessus.", err=True)
        raise SystemExit(1)


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
        f"{result.sent} envoyé(s), {result.retry} à réessayer, "
        f"{result.failed} en échec définitif."
    )
    if result.failed:
        click.echo(
            f"{result.failed} message(s) ne partiront plus seuls : la coordination les voit "
            "dans « Envois en échec » ; `flask --app reseau retry-mail` les remet à envoyer.",
            err=True,
        )
        raise SystemExit(1)


@click.command("retry-mail")
@click.argument("mail_ids", nargs=-1, type=int)
def retry_mail_command(mail_ids: tuple[int, ...]) -> None:
    """Queue failed messages again (those numbered MAIL_IDS, or all), for the next send-mail."""
    count = retry_failed(list(mail_ids) or None, actor=None)
    db.session.commit()
    click.echo(f"{count} message(s) en échec remis à envoyer au prochain send-mail.")


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


@click.command("is-empty", hidden=True)
def is_empty_command() -> None:
    """Exit 0 when the database holds no person yet (used by ``make run``)."""
    count = db.session.scalar(sa.select(sa.func.count(User.id)))
    raise SystemExit(0 if count == 0 else 1)
