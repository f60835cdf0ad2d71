"""The demo's funders (the 2012 cycles: FOSFORA and FDVA 1) and its cold answers."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from devdata.demo import load_demo
from reseau.core.extensions import db
from reseau.core.periods import Period
from reseau.evaluation.models import ColdAnswer, TrainerEvaluation
from reseau.evaluation.queries import year_results
from reseau.funding.models import Funder
from reseau.funding.queries import funder_report

TODAY = date(2026, 3, 18)


def test_the_demo_funds_the_2012_cycles_and_has_cold_answers(app):
    created = load_demo(today=TODAY)
    assert created["funders"] == 6 and created["session_fundings"] >= 16
    funders = {f.name: f for f in db.session.scalars(sa.select(Funder))}
    fosfora = funder_report(funders["FOSFORA (FCSF)"], Period.year(2012))
    fdva = funder_report(funders["FDVA 1"], Period.year(2012))
    assert fosfora.sessions == fdva.sessions == 8  # nine modules, one cancelled
    assert fosfora.cancelled == 1
    assert fdva.volunteers > 0 and fdva.people >= fdva.volunteers
    # The 2012 groups are smaller than the FDVA's 12 volunteers: each is flagged.
    small = [text for _, text in fdva.warnings if "minimum" in text]
    assert len(small) == fdva.sessions
    answered = db.session.scalar(
        sa.select(sa.func.count(ColdAnswer.id)).where(ColdAnswer.started_at.is_not(None))
    )
    assert created["cold_answers"] > answered > 0
    total, cycles, _ = year_results(2012)
    assert total.cold_sent > total.cold_answered > 0 and len(cycles) == 3
    assert db.session.scalar(sa.select(sa.func.count(TrainerEvaluation.id))) > 0
    again = load_demo(today=TODAY)
    assert (again["funders"], again["session_fundings"], again["cold_answers"]) == (0, 0, 0)
