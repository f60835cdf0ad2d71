"""The evaluation room's part of ``tick``: cold questionnaires, their reminder, the centres'
yearly question."""

from __future__ import annotations

from reseau.core.i18n import ngettext
from reseau.evaluation.operations import tick


def evaluation_task() -> str:
    counts = tick()
    return (
        ngettext(
            "%(num)s questionnaire à froid", "%(num)s questionnaires à froid", counts["invited"]
        )
        + " pour "
        + ngettext("%(num)s session, ", "%(num)s sessions, ", counts["sessions"])
        + ngettext("%(num)s relance, ", "%(num)s relances, ", counts["reminders"])
        + ngettext("%(num)s question annuelle", "%(num)s questions annuelles", counts["reviews"])
        + " aux référent·es mis dans la boîte d'envoi."
    )
