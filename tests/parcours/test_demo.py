"""The demo volunteer's parcours: trainings over several years, two diagnostic campaigns with
ratings that move, shared with the referent of Le Blanc; loading twice changes nothing."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from devdata.demo import load_demo
from devdata.demo.specs import BENEVOLE, DEMO_PASSWORD, REFERENT
from reseau.accounts.models import User
from reseau.core.extensions import db
from reseau.diagnostic.models import DiagnosticResponse
from reseau.parcours import queries

TODAY = date(2026, 3, 18)


def test_the_demo_volunteer_has_a_parcours_over_years_and_two_campaigns(app, client, auth):
    load_demo(today=TODAY)
    volunteer = db.session.scalar(sa.select(User).where(User.email == BENEVOLE))
    parcours = queries.parcours_of(volunteer)
    assert len(parcours.years) >= 2
    assert parcours.hours > 0 and parcours.sessions >= 2
    assert parcours.campaigns == ["2012", "2026"]
    assert any(skill.change > 0 for skill in parcours.skills)
    assert all(len(skill.ratings) == 2 for skill in parcours.skills)
    assert volunteer.parcours_shared is True
    responses = db.session.scalar(
        sa.select(sa.func.count()).where(DiagnosticResponse.person_id == volunteer.id)
    )
    load_demo(today=TODAY)
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(DiagnosticResponse.person_id == volunteer.id)
        )
        == responses
        == 2
    )
    volunteer_id = volunteer.id
    auth.login(REFERENT, DEMO_PASSWORD)
    html = client.get("/parcours").get_data(as_text=True)
    assert f'href="/parcours/{volunteer_id}"' in html
    page = client.get(f"/parcours/{volunteer_id}").get_data(as_text=True)
    assert "2012 : " in page and " → 2026 : " in page
