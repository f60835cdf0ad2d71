"""Two coordinators adding the same funder to a session at the same moment: one funding line,
with one of their amounts, never an IntegrityError (500). add_funding creates or locks the
line (core.database.add_or_lock); the test runs on both databases."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.accounts.models import User
from reseau.catalogue.models import TrainingSession
from reseau.core.extensions import db
from reseau.funding import operations
from reseau.funding.models import Funder, SessionFunding
from tests.concurrency import at_once
from tests.factories import make_coordinator, make_session


def test_one_funding_line_when_added_twice_at_once(app):
    session = make_session()
    funder = Funder(name="Région Centre-Val de Loire")
    db.session.add(funder)
    coordinators = [make_coordinator(), make_coordinator()]
    db.session.commit()
    session_id, funder_id = session.id, funder.id

    def add(coordinator_id: int, asked: int):
        def work():
            operations.add_funding(
                db.session.get(TrainingSession, session_id),
                db.session.get(Funder, funder_id),
                amount_asked=asked,
                amount_granted=None,
                actor=db.session.get(User, coordinator_id),
            )

        return work

    assert at_once(app, add(coordinators[0].id, 1000), add(coordinators[1].id, 2000)) == []
    asked = db.session.scalars(
        sa.select(SessionFunding.amount_asked).where(SessionFunding.session_id == session_id)
    ).all()
    assert asked in ([1000], [2000])
