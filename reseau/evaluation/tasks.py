"""The evaluation room's part of ``tick``: cold questionnaires, their reminder, the centres'
yearly question."""

from __future__ import annotations

from reseau.evaluation.operations import tick


def evaluation_task() -> str:
    counts = tick()
    return (
        f"{counts['invited']} questionnaire(s) à froid pour {counts['sessions']} session(s), "
        f"{counts['reminders']} relance(s), {counts['reviews']} question(s) annuelle(s) "
        "aux référent·es mis dans la boîte d'envoi."
    )
