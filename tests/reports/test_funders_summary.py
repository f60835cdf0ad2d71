"""The bilan's "par financeur" table: the funder report's figures for every funder, in a number
of queries that does not grow with the number of funders."""

from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa

from reseau.core.extensions import db
from reseau.funding.models import Funder, SessionFunding
from reseau.funding.queries import Period, funder_report, funders_summary
from tests.reports.fixtures import at, build_year


def _fund(world, rng, funders: int, prefix: str = "Financeur") -> list[Funder]:
    made = [Funder(name=f"{prefix} {n}", min_group_size=2) for n in range(funders)]
    db.session.add_all(made)
    db.session.flush()
    for session in world.sessions.values():
        for funder in rng.sample(made, rng.randint(0, len(made))):
            granted = rng.choice([None, 500, 1200])
            db.session.add(
                SessionFunding(session_id=session.id, funder_id=funder.id, amount_granted=granted)
            )
    db.session.flush()
    return made


def _statements(call):
    seen = []

    def count(*args):
        seen.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return result, len(seen)


def test_summary_lines_are_the_funder_reports_in_fixed_queries(app):
    world = build_year()
    funders = _fund(world, random.Random(4), 5)
    db.session.commit()
    lines, queries = _statements(lambda: funders_summary(date(2011, 1, 1), date(2011, 12, 31)))
    assert queries <= 3
    assert lines  # the random funding reached 2011's sessions
    period = Period.year(2011, now=at(2026, 1, 1))
    for line in lines:
        report = funder_report(line.funder, period)
        assert (line.sessions, line.hours, line.people, line.volunteers, line.amount_granted) == (
            report.sessions,
            report.hours,
            report.people,
            report.volunteers,
            report.amount_granted,
        ), line.funder.name
    assert {line.funder.id for line in lines} <= {funder.id for funder in funders}


def test_more_funders_make_no_more_queries(app):
    world = build_year()
    _fund(world, random.Random(5), 1)
    db.session.commit()
    _, few = _statements(lambda: funders_summary(date(2011, 1, 1), date(2011, 12, 31)))
    _fund(world, random.Random(6), 6, prefix="Autre financeur")
    db.session.commit()
    lines, many = _statements(lambda: funders_summary(date(2011, 1, 1), date(2011, 12, 31)))
    assert len(lines) > 1
    assert many == few
