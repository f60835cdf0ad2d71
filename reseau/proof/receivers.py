"""What the proof room does when the rooms below it act."""

from __future__ import annotations

from reseau.attendance.signals import record_guard
from reseau.proof.operations import is_sealed


@record_guard.connect
def _sealed_sheets_are_corrected_by_the_coordinator(seance, actor=None, **_):
    if actor is not None and not actor.is_coordinator and is_sealed(seance.id):
        return (
            "La feuille d'émargement de cette séance est validée et scellée : seule la "
            "coordination peut encore la corriger."
        )
    return None
