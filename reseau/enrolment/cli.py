"""``flask --app reseau tick``: the time-based work of enrolments, safe to run twice."""

from __future__ import annotations

import click

from reseau.enrolment.operations import tick
from reseau.extensions import db
from reseau.tick import run_tick_tasks


@click.command("tick")
def tick_command() -> None:
    """Expire unanswered offers (the seat passes on) and queue the convocations (J-2)."""
    counts = tick()
    db.session.commit()
    click.echo(
        f"{counts['offers_expired']} proposition(s) expirée(s), "
        f"{counts['reminders']} convocation(s) mise(s) dans la boîte d'envoi."
    )
    # Other rooms' time-based work (retention…), see reseau/tick.py.
    for line in run_tick_tasks():
        db.session.commit()
        click.echo(line)
