"""The enrolment room's part of ``tick``: offers that expire, convocations (J-2)."""

from __future__ import annotations

from reseau.enrolment.operations import tick
from reseau.tick import tick_task


@tick_task("inscriptions")
def enrolment_task() -> str:
    counts = tick()
    return (
        f"{counts['offers_expired']} proposition(s) expirée(s), "
        f"{counts['reminders']} convocation(s) mise(s) dans la boîte d'envoi."
    )
