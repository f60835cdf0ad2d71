"""The demo campaign: idempotent, answered by the demo people, meaningful results."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from devdata.demo import load_demo
from devdata.demo.diagnostic import add_demo_campaign
from devdata.vocabulary import TITLE_2012
from reseau.core.extensions import db
from reseau.diagnostic import results
from reseau.diagnostic.models import (
    DiagnosticCampaign,
    DiagnosticResponse,
    SkillAnswer,
)

TODAY = date(2026, 3, 18)


def _counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (DiagnosticCampaign, DiagnosticResponse, SkillAnswer)
    )


def test_demo_campaign_is_idempotent_and_meaningful(app):
    load_demo(today=TODAY)
    campaign = add_demo_campaign(TODAY)
    db.session.commit()
    first = _counts()
    add_demo_campaign(TODAY)
    db.session.commit()
    assert _counts() == first
    assert first[0] == 2  # 2012, and this year's open copy
    assert campaign.title == TITLE_2012
    assert {skill.theme.slug for skill in campaign.skills} >= {
        "fondamentaux",
        "fonction-employeur",
        "strategie-partenaires",
        "accueil",
        "participation",
        "evaluation",
        "numerique",
    }
    filters = results.Filters(campaign)
    assert results.respondent_count(filters) >= 20
    needs, columns = results.theme_needs(filters)
    assert len(columns) >= 4
    # The three themes of the seeds' 2012 cycle come out on top.
    assert {need.theme.slug for need in needs[:3]} == {
        "fondamentaux",
        "fonction-employeur",
        "strategie-partenaires",
    }
