"""Retention: ``tick`` anonymises the people inactive for ``RETENTION_MONTHS`` months."""

from __future__ import annotations

from reseau.core.i18n import ngettext
from reseau.privacy.operations import apply_retention


def retention_task() -> str:
    """Anonymise the people inactive for longer than the retention period."""
    count = apply_retention()
    return ngettext(
        "%(num)s personne anonymisée après la durée de conservation.",
        "%(num)s personnes anonymisées après la durée de conservation.",
        count,
    )
