"""The enrolment room's part of ``tick``: offers that expire, convocations (J-2)."""

from __future__ import annotations

from reseau.enrolment.operations import tick


def enrolment_task() -> str:
    """Expire unanswered offers (the seat passes on) and queue the convocations (J-2)."""
    counts = tick()
    return (
        f"{counts['offers_expired']} proposition(s) expirée(s), "
        f"{counts['reminders']} convocation(s) mise(s) dans la boîte d'envoi."
    )
