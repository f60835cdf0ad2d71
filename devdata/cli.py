"""``flask --app reseau demo`` and ``flask --app reseau generate``.

These commands reach Flask through the ``flask.commands`` entry points of ``setup.cfg`` (Flask
loads them for every ``flask`` command line), so the ``reseau`` package never imports devdata.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from devdata.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, LABELS, load_demo


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo data (idempotent)."""
    created = load_demo()
    if any(created.values()):
        click.echo("Données de démonstration chargées :")
        for key, count in created.items():
            click.echo(f"  {count:>4} {LABELS[key]}")
    else:
        click.echo("Les données de démonstration sont déjà en place : rien à ajouter.")
    click.echo(f"\nComptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
    for email, *_, what in DEMO_ACCOUNTS:
        click.echo(f"  {email:<32} {what}")
