"""The enrolment room's part of ``tick``: offers that expire, convocations (J-2)."""

from __future__ import annotations

from reseau.core.i18n import ngettext
from reseau.enrolment.operations import tick


def enrolment_task() -> str:
    """Expire unanswered offers (the seat passes on) and queue the convocations (J-2)."""
    counts = tick()
    return ngettext(
        "%(num)s proposition expirée, ", "%(num)s propositions expirées, ", counts["offers_expired"]
    ) + ngettext(
        "%(num)s convocation mise dans la boîte d'envoi.",
        "%(num)s convocations mises dans la boîte d'envoi.",
        counts["reminders"],
    )
