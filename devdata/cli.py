"""``flask --app reseau demo`` and ``flask --app reseau generate``.

These commands reach Flask through the ``flask.commands`` entry points of ``setup.cfg`` (Flask
loads them for every ``flask`` command line), so the ``reseau`` package never imports devdata.
"""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from devdata.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, LABELS, load_demo
from devdata.generate import (
    GENERATED_PASSWORD,
    LANDMARK_EMAILS,
    SCALES,
    GenerationError,
    generate,
)


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


_STEP_WIDTH = 26


class _ProgressBars:
    """One click progress bar per step, each closed when the next step starts."""

    def __init__(self):
        self._bar = None
        self._label = None
        self._done = 0

    def update(self, label: str, done: int, total: int) -> None:
        if label != self._label:
            self.close()
            self._bar = click.progressbar(
                length=max(total, 1), label=f"{label:<{_STEP_WIDTH}}", show_pos=True
            )
            self._bar.__enter__()
            self._label, self._done = label, 0
        self._bar.length = max(self._bar.length, total)
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@click.command("generate")
@with_appcontext
@click.option(
    "--scale",
    "scale_name",
    type=click.Choice(sorted(SCALES)),
    required=True,
    help="regional : 6 départements, 3 000 personnes ; national : 100 départements, "
    "100 000 personnes.",
)
@click.option("--seed", default=1, show_default=True, help="Graine : même graine, mêmes données.")
def generate_command(scale_name: str, seed: int) -> None:
    """Fill an EMPTY database with generated data (run `flask --app reseau db upgrade` first).

    Every generated account has the password « generated password 2026 »; the landmark
    accounts are coordination@, formateur@, referent@ and participant@generated.example.
    """
    started = time.perf_counter()
    bars = _ProgressBars()
    try:
        counts = generate(SCALES[scale_name], seed=seed, progress=bars.update)
    except GenerationError as error:
        click.echo(f"Erreur : {error}", err=True)
        raise SystemExit(1) from None
    finally:
        bars.close()
    elapsed = time.perf_counter() - started
    click.echo(f"\nDonnées générées (échelle {scale_name}, graine {seed}) :")
    for table, count in counts.items():
        click.echo(f"  {count:>9,} {table}".replace(",", " "))
    click.echo(
        f"Terminé en {elapsed:.1f} s. Mot de passe de tous les comptes : « {GENERATED_PASSWORD} »."
    )
    for role, email in LANDMARK_EMAILS.items():
        click.echo(f"  {role:<12} {email}")
