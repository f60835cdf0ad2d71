"""Retention: ``tick`` anonymises the people inactive for ``RETENTION_MONTHS`` months."""

from __future__ import annotations

from reseau.privacy.operations import apply_retention


def retention_task() -> str:
    """Anonymise the people inactive for longer than the retention period."""
    count = apply_retention()
    return f"{count} personne(s) anonymisée(s) après la durée de conservation."
