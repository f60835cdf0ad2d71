"""A period of local dates, as the bilan and the funder report select it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from reseau.core.database import utcnow
from reseau.core.i18n import from_local


@dataclass(frozen=True)
class Period:
    """Local dates ``start`` to ``end`` (inclusive), maybe one centre, maybe one kind of
    session (the bilan's rencontres régionales of a year); ``now`` fixes the clock."""

    start: date
    end: date
    centre_id: int | None = None
    now: datetime | None = None
    # A catalogue SessionKind: the core names no room.
    kind: enum.Enum | None = None

    @classmethod
    def year(
        cls,
        year: int,
        centre_id: int | None = None,
        now: datetime | None = None,
        kind: enum.Enum | None = None,
    ) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), centre_id, now, kind)

    @property
    def lower(self) -> datetime:
        return from_local(datetime.combine(self.start, time()))

    @property
    def upper(self) -> datetime:
        return from_local(datetime.combine(self.end + timedelta(days=1), time()))

    @property
    def is_year(self) -> bool:
        return (
            self.start.year == self.end.year
            and (self.start.month, self.start.day) == (1, 1)
            and (self.end.month, self.end.day) == (12, 31)
        )

    @property
    def instant(self) -> datetime:
        return self.now or utcnow()
