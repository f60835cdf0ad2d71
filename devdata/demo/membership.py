"""The demo's adhésions and the valuation of volunteer time (issue 19).

Membership: one record per centre of the seeds and year, from 2011 to this year, member when
its ``member_since`` (vocabulary) came by the end of that year: 27 members for 2011, as the
2011 report says ("27 adhérents fin 2011"). Each member declares a budget (a plausible figure,
the same at every run) and has paid its fee in March, except this year's, not all paid yet.

Valuation: the sessions of the 2012 volunteer cycle were prepared three hours by each
trainer, and a volunteer of Le Blanc co-led the first two with the salaried trainer (the
seeds' "binômes"). Only what is missing is written: a second run adds nothing.
"""

from __future__ import annotations

import zlib
from collections import Counter
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from devdata import vocabulary as words
from devdata.demo.specs import BENEVOLE
from devdata.demo.year2012 import CYCLE_TITLE
from reseau.accounts.models import Category, Centre, User
from reseau.catalogue.models import Cycle, Module, TrainingSession
from reseau.core.extensions import db
from reseau.membership.models import Membership
from reseau.valuation.models import SessionPreparation

FIRST_YEAR = 2011
PREPARATION_HOURS = Decimal(3)


def _budget(name: str, year: int) -> Decimal:
    """A centre's budget of ``year``: 150 000 € to 650 000 €, growing 2 % a year."""
    base = 150_000 + zlib.crc32(name.encode()) % 500_000
    return Decimal(round(base * 1.02 ** (year - FIRST_YEAR), 2)).quantize(Decimal("0.01"))


def add_demo_membership(today: date, created: Counter) -> None:
    centres = {(c.name, c.town): c for c in db.session.scalars(sa.select(Centre))}
    known = {
        tuple(row) for row in db.session.execute(sa.select(Membership.centre_id, Membership.year))
    }
    for code, name, town, _postcode, _address, since in words.CENTRES:
        centre = centres.get((name, town))
        if centre is None:
            continue
        for year in range(FIRST_YEAR, today.year + 1):
            if (centre.id, year) in known:
                continue
            member = since is not None and since <= date(year, 12, 31)
            paid = member and (year < today.year or zlib.crc32(name.encode()) % 3 == 0)
            db.session.add(
                Membership(
                    centre_id=centre.id,
                    year=year,
                    is_member=member,
                    budget=_budget(name, year) if member else None,
                    paid_on=date(year, 3, 1 + int(code[:2]) % 28) if paid else None,
                )
            )
            created["memberships"] += 1
    db.session.flush()
    _valuation_2012(created)


def _valuation_2012(created: Counter) -> None:
    sessions = db.session.scalars(
        sa.select(TrainingSession)
        .join(Module, Module.id == TrainingSession.module_id)
        .join(Cycle, Cycle.id == Module.cycle_id)
        .where(Cycle.year == 2012, Cycle.title == CYCLE_TITLE)
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    ).all()
    prepared = set(db.session.scalars(sa.select(SessionPreparation.session_id)))
    volunteer = db.session.scalar(
        sa.select(User)
        .join(Centre, Centre.id == User.centre_id)
        .where(
            User.category == Category.BENEVOLE,
            Centre.name == words.BLANC[0],
            User.email.is_not(None),
            User.email != BENEVOLE,
        )
        .order_by(User.id)
        .limit(1)
    )
    for n, session in enumerate(sessions):
        if session.id in prepared:
            continue
        db.session.add(SessionPreparation(session_id=session.id, hours=PREPARATION_HOURS))
        created["preparations"] += 1
        if n < 2 and volunteer is not None and volunteer not in session.trainers:
            session.trainers.append(volunteer)
    db.session.flush()
