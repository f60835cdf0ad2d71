"""Demo data built from the seeds: ``flask --app reseau demo`` or ``load_demo()``.

The data is planned in memory first (``planner``: a pure function of a fixed random seed and
of today's date, one module per period), then written (``loader``: only what is missing, so
running it twice changes nothing), then the enrolments of the weeks to come (``enrolments``)
and the diagnostic campaigns (``diagnostic``) are added, and the demo volunteer's second
campaign for their parcours (``parcours``).

The 2011 events reproduce the figures of the network's 2011 report exactly (participants by
category, centres), so the bilan of 2011 can be checked against the seeds.
"""

from __future__ import annotations

from datetime import date

from devdata.demo.accessibility import add_demo_accessibility
from devdata.demo.complaints import add_demo_complaints
from devdata.demo.diagnostic import add_demo_campaign
from devdata.demo.enrolments import add_demo_enrolments
from devdata.demo.evaluation import add_demo_evaluation
from devdata.demo.loader import LABELS, Loader
from devdata.demo.membership import add_demo_membership
from devdata.demo.parcours import add_demo_parcours
from devdata.demo.planner import Planner
from devdata.demo.proof import add_demo_proof
from devdata.demo.specs import DEMO_ACCOUNTS, DEMO_PASSWORD, Plan
from reseau.accounts import counts as people_counts
from reseau.attendance import rollups as bilan_rollups
from reseau.core.extensions import db
from reseau.core.i18n import today_paris
from reseau.diagnostic import rollups

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "LABELS", "build_plan", "load_demo"]


def build_plan(today: date) -> Plan:
    """Return the demo data as specs (no database access); same seed, same plan."""
    return Planner(today).build()


def load_demo(*, today: date | None = None, commit: bool = True) -> dict[str, int]:
    """Load the demo data (idempotent) and return how many rows of each kind were created.

    ``today`` (Europe/Paris) anchors the sessions around "now"; it defaults to the current
    date. Only rows missing from the database are written, so a second run creates nothing.
    """
    today = today or today_paris()
    created = Loader(build_plan(today)).run()
    db.session.flush()
    created["upcoming_enrolments"] = add_demo_enrolments()
    add_demo_campaign(today)
    created["sealed_sheets"] = add_demo_proof()
    add_demo_evaluation(today, created)
    add_demo_membership(today, created)
    add_demo_complaints(today, created)
    add_demo_parcours(today)
    add_demo_accessibility(created)
    # The demo writes answers as rows, not through the operations: count them afresh.
    people_counts.rebuild()
    rollups.rebuild()
    bilan_rollups.rebuild()
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return created
