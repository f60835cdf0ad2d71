"""The demo's adhésions: « 27 adhérents fin 2011 » (seed 000), from the year's records, in the
bilan too; the 2012 volunteer cycle has its preparation hours and a volunteer co-trainer."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from devdata.demo import load_demo
from reseau.core.extensions import db
from reseau.membership import queries
from reseau.membership.models import Membership
from reseau.reports.queries import Scope, build_bilan
from reseau.valuation.queries import year_valuation

TODAY = date(2026, 3, 18)


def test_the_demo_has_27_members_at_the_end_of_2011(app):
    created = load_demo(today=TODAY)
    assert created["memberships"] > 0
    records = db.session.scalars(sa.select(Membership).where(Membership.year == 2011)).all()
    assert sum(1 for r in records if r.is_member) == 27
    assert queries.member_count(2011) == 27
    assert build_bilan(Scope.year(2011)).network_members == 27
    assert queries.member_count(2012) > 27  # a few more join in 2012
    members = queries.year_list(2011).members
    assert all(line.fee is not None and line.paid_on for line in members)
    valuation = year_valuation(2012)
    assert valuation.total.training > 0 and valuation.total.preparation > 0
    assert valuation.total.delivery > 0  # the volunteer co-trainer of two sessions
    again = load_demo(today=TODAY)
    assert (again["memberships"], again["preparations"]) == (0, 0)
