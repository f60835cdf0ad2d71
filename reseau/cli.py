"""Command-line tools: ``flask --app reseau <command>``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app

from reseau.accounts.forms import PASSWORD_MIN
from reseau.accounts.models import Category, Role, User, UserStatus
from reseau.accounts.operations import get_user_by_email, normalise_email
from reseau.extensions import db
from reseau.outbox import deliver_due
from reseau.passwords import is_common_password, is_personal_password


def register_commands(app) -> None:
    from reseau.demo import demo_command
    from reseau.enrolment.cli import tick_command
    from reseau.generate import generate_command

    app.cli.add_command(send_mail_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(is_empty_command)
    app.cli.add_command(tick_command)
    app.cli.add_command(generate_command)


@click.command("send-mail")
@click.option("--limit", default=200, show_default=True, help="Messages au plus par passage.")
def send_mail_command(limit: int) -> None:
    """Deliver the outbox (SMTP if MAIL_SERVER is set, else .eml files in instance/mail)."""
    counts = deliver_due(current_app.config, limit=limit)
    click.echo(
        f"{counts['sent']} envoyé(s), {counts['retry']} à réessayer, {counts['failed']} en échec définitif."
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


@click.command("is-empty", hidden=True)
def is_empty_command() -> None:
    """Exit 0 when the database holds no person yet (used by ``make run``)."""
    count = db.session.scalar(sa.select(sa.func.count(User.id)))
    raise SystemExit(0 if count == 0 else 1)
