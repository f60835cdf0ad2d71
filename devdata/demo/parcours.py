"""The demo volunteer's parcours (issue 19): sessions over several years come from the plan;
here, a second diagnostic campaign answered (this year's, rating themselves higher on some
skills) and the parcours shared with their referent.

``add_demo_parcours()`` is idempotent: a response is written only when there is none, and the
sharing is switched on with it (a later run leaves the volunteer's own choice alone).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from devdata.demo.specs import BENEVOLE
from reseau.accounts.models import User
from reseau.core.extensions import db
from reseau.diagnostic.models import (
    DiagnosticCampaign,
    DiagnosticResponse,
    SkillAnswer,
    SkillLevel,
    TrainingWish,
)

LEVELS = list(SkillLevel)
# The volunteer's first ratings when the 2012 draw left them out, by skill position.
FIRST_LEVELS = (SkillLevel.DISCOVER, SkillLevel.KNOW, SkillLevel.KNOW, SkillLevel.DISCOVER)


def add_demo_parcours(today: date) -> None:
    volunteer = db.session.scalar(sa.select(User).where(User.email == BENEVOLE))
    campaigns = db.session.scalars(
        sa.select(DiagnosticCampaign).order_by(DiagnosticCampaign.opens_on)
    ).all()
    if volunteer is None or len(campaigns) < 2:
        return
    first, last = campaigns[0], campaigns[-1]
    before = _response(first, volunteer, {}, datetime(first.opens_on.year, 3, 6, 10, tzinfo=UTC))
    levels = {answer.skill.title: answer.level for answer in before.skill_answers}
    at = datetime.combine(min(today, last.closes_on), time(10), tzinfo=UTC)
    if _response(last, volunteer, levels, at, new=True) is not None:
        volunteer.parcours_shared = True  # once, with the second campaign's answers
    db.session.flush()


def _response(
    campaign, person, earlier: dict, at: datetime, *, new: bool = False
) -> DiagnosticResponse | None:
    """The person's response to ``campaign``, written when missing: every other skill rated
    one or two levels above ``earlier`` (the same skill's rating in the earlier campaign), the
    others as before; from ``FIRST_LEVELS`` when there is no earlier rating. With ``new``,
    None when the response was already there."""
    response = db.session.scalar(
        sa.select(DiagnosticResponse).where(
            DiagnosticResponse.campaign_id == campaign.id,
            DiagnosticResponse.person_id == person.id,
        )
    )
    if response is not None:
        return None if new else response
    response = DiagnosticResponse(
        campaign_id=campaign.id,
        person_id=person.id,
        invited_at=at,
        started_at=at,
        submitted_at=at,
        updated_at=at,
    )
    for index, skill in enumerate(sorted(campaign.skills, key=lambda s: s.position)):
        level = earlier.get(skill.title)
        if level is None:
            level = FIRST_LEVELS[index % len(FIRST_LEVELS)]
        elif index % 2 == 0:
            level = LEVELS[min(LEVELS.index(level) + (2 if index % 4 == 0 else 1), 3)]
        wish = TrainingWish.YES if LEVELS.index(level) < 2 else TrainingWish.NO
        response.skill_answers.append(
            SkillAnswer(skill=skill, level=level, wants_training=wish, updated_at=at)
        )
    db.session.add(response)
    db.session.flush()
    return response
