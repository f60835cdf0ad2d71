"""Demo data built from the seeds (being built)."""

import click


@click.command("demo")
def demo_command() -> None:
    """Load the demo data (idempotent)."""
    click.echo("À venir.")
