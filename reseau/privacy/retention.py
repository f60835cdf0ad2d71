"""Retention: ``tick`` anonymises the people inactive for ``RETENTION_MONTHS`` months."""

from __future__ import annotations

from reseau.privacy.operations import apply_retention
from reseau.tick import tick_task


@tick_task("conservation")
def retention_task() -> str:
    count = apply_retention()
    return f"{count} personne(s) anonymisée(s) après la durée de conservation."
