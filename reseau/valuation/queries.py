"""The valuation of volunteer time, from records Réseau keeps.

*Hours in training*: the hours of the scheduled séances a volunteer (category « bénévole »)
attended (present or late), in sessions neither draft nor cancelled. *Delivery*: the hours of
the scheduled séances, already ended, of the published or closed sessions a volunteer trainer
leads. *Preparation*: the hours recorded on the session, for each of its volunteer trainers,
counted in the year the session starts (published or closed, started). A séance counts in the
year (Europe/Paris) it starts. Each year's hours are valued at that year's rate: the
coordinator's, else the SMIC with charges of the year (``models.default_rate``). The total is
booked twice, as account 864 (emploi: personnel bénévole) and 870 (contribution: bénévolat).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from reseau.accounts.models import Category, Centre, User
from reseau.attendance.queries import attended_marks
from reseau.catalogue.models import (
    Seance,
    SeanceStatus,
    SessionStatus,
    TrainingSession,
    session_trainer,
)
from reseau.core.database import hours_between, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import from_local
from reseau.valuation.models import CENT, HourlyRate, SessionPreparation, default_rate

KINDS = ("training", "delivery", "preparation")
LIVE = (SessionStatus.PUBLISHED, SessionStatus.CLOSED)


def hours(value) -> Decimal:
    return Decimal(str(round(float(value or 0), 2)))


def value_of(hours_: Decimal, rate: Decimal) -> Decimal:
    return (hours_ * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def rates(years) -> dict[int, Decimal]:
    """The hourly rate of each of ``years`` (one query)."""
    years = sorted(set(years))
    found = dict(
        db.session.execute(
            sa.select(HourlyRate.year, HourlyRate.rate).where(HourlyRate.year.in_(years))
        ).all()
    )
    return {year: Decimal(found[year]) if year in found else default_rate(year) for year in years}


def rate_table(first: int, last: int) -> list[tuple[int, Decimal, bool, str]]:
    """(year, rate, set by the coordinator, note) from ``last`` down to ``first``."""
    rows = {r.year: r for r in db.session.scalars(sa.select(HourlyRate))}
    return [
        (year, Decimal(rows[year].rate), True, rows[year].note) if year in rows
        else (year, default_rate(year), False, "")
        for year in range(last, first - 1, -1)
    ]  # fmt: skip


def _window(year: int) -> tuple[datetime, datetime]:
    return (
        from_local(datetime.combine(date(year, 1, 1), time())),
        from_local(datetime.combine(date(year + 1, 1, 1), time())),
    )


def _person_hours(year: int, session_ids: list[int] | None, centre_id: int | None) -> dict:
    """{person_id: {kind: hours}} of ``year`` (three aggregate queries)."""
    lower, upper = _window(year)
    volunteer = [User.category == Category.BENEVOLE]
    if centre_id is not None:
        volunteer.append(User.centre_id == centre_id)
    scope = [] if session_ids is None else [TrainingSession.id.in_(session_ids)]
    seance_hours = sa.func.sum(hours_between(Seance.starts_at, Seance.ends_at))
    training = (
        attended_marks(User.id, seance_hours)
        .where(
            TrainingSession.status.not_in((SessionStatus.DRAFT, SessionStatus.CANCELLED)),
            Seance.starts_at >= lower, Seance.starts_at < upper, *volunteer, *scope,
        )
        .group_by(User.id)
    )  # fmt: skip
    led = (
        sa.select(User.id)
        .select_from(session_trainer)
        .join(TrainingSession, TrainingSession.id == session_trainer.c.session_id)
        .join(User, User.id == session_trainer.c.user_id)
        .where(TrainingSession.status.in_(LIVE), *volunteer, *scope)
    )
    delivery = (
        led.add_columns(seance_hours)
        .join(Seance, Seance.session_id == TrainingSession.id)
        .where(Seance.status == SeanceStatus.SCHEDULED, Seance.ends_at <= utcnow(),
               Seance.starts_at >= lower, Seance.starts_at < upper)
        .group_by(User.id)
    )  # fmt: skip
    preparation = (
        led.add_columns(sa.func.sum(SessionPreparation.hours))
        .join(SessionPreparation, SessionPreparation.session_id == TrainingSession.id)
        .where(TrainingSession.starts_at >= lower, TrainingSession.starts_at < upper,
               TrainingSession.starts_at <= utcnow())
        .group_by(User.id)
    )  # fmt: skip
    found: dict[int, dict] = defaultdict(lambda: dict.fromkeys(KINDS, Decimal(0)))
    for kind, query in zip(KINDS, (training, delivery, preparation), strict=True):
        for person_id, total in db.session.execute(query):
            found[person_id][kind] = hours(total)
    return found


@dataclass
class Hours:
    """Hours of volunteer time by kind, valued at ``rate``."""

    label: str
    rate: Decimal
    training: Decimal = Decimal(0)
    delivery: Decimal = Decimal(0)
    preparation: Decimal = Decimal(0)
    people: int = 0

    def add(self, found: dict) -> None:
        self.training += found["training"]
        self.delivery += found["delivery"]
        self.preparation += found["preparation"]
        self.people += 1

    @property
    def trainers(self) -> Decimal:
        return self.delivery + self.preparation

    @property
    def total(self) -> Decimal:
        return self.training + self.trainers

    @property
    def value(self) -> Decimal:
        return value_of(self.total, self.rate)


@dataclass
class YearValuation:
    year: int
    rate: Decimal
    centres: list[tuple[Centre | None, Hours]]
    people: list[tuple[User, Hours]] = field(default_factory=list)

    @property
    def total(self) -> Hours:
        total = Hours("Total", self.rate)
        for _, line in self.centres:
            total.training += line.training
            total.delivery += line.delivery
            total.preparation += line.preparation
            total.people += line.people
        return total


def year_valuation(year: int, centre_id: int | None = None) -> YearValuation:
    """Every centre's valuation of ``year`` (or one centre's, with its people)."""
    rate = rates([year])[year]
    found = _person_hours(year, None, centre_id)
    people = db.session.scalars(sa.select(User).where(User.id.in_(list(found)))).all()
    centre_ids = {person.centre_id for person in people if person.centre_id is not None}
    centres = {
        c.id: c for c in db.session.scalars(sa.select(Centre).where(Centre.id.in_(centre_ids)))
    }
    by_centre: dict[int | None, Hours] = {}
    person_lines = []
    for person in sorted(people, key=lambda p: (p.last_name, p.first_name, p.id)):
        centre = centres.get(person.centre_id)
        label = centre.name if centre else "Sans centre social"
        by_centre.setdefault(person.centre_id, Hours(label, rate)).add(found[person.id])
        line = Hours(person.full_name, rate)
        line.add(found[person.id])
        person_lines.append((person, line))
    ordered = sorted(by_centre.items(), key=lambda item: (item[0] is None, item[1].label))
    lines = [(centres.get(cid), line) for cid, line in ordered]
    return YearValuation(year, rate, lines, person_lines if centre_id is not None else [])


@dataclass
class SessionsValuation:
    """The valuation of some sessions over some years (a funder's report)."""

    lines: list[Hours]  # one per year

    @property
    def training(self) -> Decimal:
        return sum((line.training for line in self.lines), Decimal(0))

    @property
    def trainers(self) -> Decimal:
        return sum((line.trainers for line in self.lines), Decimal(0))

    @property
    def value(self) -> Decimal:
        return sum((line.value for line in self.lines), Decimal(0))


def sessions_valuation(session_ids: list[int], first: date, last: date) -> SessionsValuation:
    """The volunteer time of ``session_ids`` from ``first`` to ``last``, each year at its rate."""
    years = list(range(first.year, last.year + 1)) if session_ids else []
    year_rates = rates(years) if years else {}
    lines = []
    for year in years:
        line = Hours(str(year), year_rates[year])
        for found in _person_hours(year, session_ids, None).values():
            line.add(found)
        lines.append(line)
    return SessionsValuation(lines)


def preparation_of(session_id: int) -> Decimal | None:
    value = db.session.scalar(
        sa.select(SessionPreparation.hours).where(SessionPreparation.session_id == session_id)
    )
    return None if value is None else Decimal(value)
