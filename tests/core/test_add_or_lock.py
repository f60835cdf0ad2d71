"""add_or_lock: a row made once even when two transactions create it at the same moment."""

from __future__ import annotations

import threading
from decimal import Decimal

import sqlalchemy as sa

from reseau.core.database import add_or_lock
from reseau.core.extensions import db
from reseau.valuation.models import HourlyRate


def test_an_existing_row_comes_back_locked_and_a_missing_one_is_made(app):
    made = add_or_lock(HourlyRate, {"year": 2011}, rate=Decimal("13.05"))
    db.session.commit()
    again = add_or_lock(HourlyRate, {"year": 2011}, rate=Decimal("99"))
    assert again is made and again.rate == Decimal("13.05")  # the values only make a new row
    db.session.rollback()


def test_two_transactions_creating_the_same_row_both_succeed(app):
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def create(rate: str) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                row = add_or_lock(HourlyRate, {"year": 2012}, rate=Decimal(rate))
                row.rate = Decimal(rate)
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=create, args=(r,)) for r in ("13.50", "14.00")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    rates = db.session.scalars(sa.select(HourlyRate.rate).where(HourlyRate.year == 2012)).all()
    assert len(rates) == 1 and rates[0] in (Decimal("13.50"), Decimal("14.00"))
