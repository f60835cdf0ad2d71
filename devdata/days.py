"""Calendar days of the demo and of the generator: working days, and séances in Paris time.

One rule for both: nobody organises a training at the weekend, on a fixed public holiday, or
during the Christmas break (22 December to 3 January), when the centres close. (The demo and
the generator each had their own copy of this rule; the generator's had lost the Christmas
break.)
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from reseau.core.i18n import from_local

# Fixed public holidays (month, day).
HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
# The two half-day séances of a training day (émargement par demi-journée).
HALF_DAYS = (((9, 30), (12, 30)), ((14, 0), (17, 0)))

Seances = list[tuple[datetime, datetime]]


def is_christmas_break(day: date) -> bool:
    return (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 3)


def is_working_day(day: date) -> bool:
    return (
        day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS and not is_christmas_break(day)
    )


def working_day(day: date, step: int = 1) -> date:
    """Return ``day`` if it is a working day, else the next one (``step=-1``: the previous)."""
    while not is_working_day(day):
        day += timedelta(days=step)
    return day


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return the UTC instant of a wall-clock time in Europe/Paris."""
    return from_local(datetime.combine(day, time(hour, minute)))


def half_day(day: date, afternoon: bool) -> tuple[datetime, datetime]:
    """The morning (or afternoon) séance of ``day``, as UTC instants."""
    (start_h, start_m), (end_h, end_m) = HALF_DAYS[afternoon]
    return at(day, start_h, start_m), at(day, end_h, end_m)


def full_day(day: date) -> Seances:
    """A full day as two half-day séances."""
    return [half_day(day, False), half_day(day, True)]


def morning(day: date) -> Seances:
    return [half_day(day, False)]
