"""Reads of the diagnostic room: campaigns, who they are for, responses.

Each ``get_x_or_404`` raises ``NotFound`` (404) when there is no such object, or when the
viewer may not see it.
"""

from __future__ import annotations

import functools
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from reseau.accounts.models import User, UserStatus
from reseau.catalogue.models import Theme
from reseau.core.extensions import db
from reseau.core.i18n import today_paris
from reseau.diagnostic.models import (
    AUDIENCE_CATEGORIES,
    DiagnosticCampaign,
    DiagnosticQuestion,
    DiagnosticResponse,
    DiagnosticSkill,
    SkillAnswer,
    TrainingWish,
)


def latest_campaign() -> DiagnosticCampaign | None:
    """Return the campaign that opened last (the "previous" one when copying), or None."""
    return db.session.scalar(
        sa.select(DiagnosticCampaign)
        .order_by(DiagnosticCampaign.opens_on.desc(), DiagnosticCampaign.id.desc())
        .limit(1)
    )


def is_open(campaign: DiagnosticCampaign, today: date | None = None) -> bool:
    today = today or today_paris()
    return campaign.opens_on <= today <= campaign.closes_on


def is_eligible(campaign: DiagnosticCampaign, person: User) -> bool:
    """Return whether ``person`` belongs to the campaign's audience."""
    return person.category in AUDIENCE_CATEGORIES[campaign.audience]


def eligible_people(campaign: DiagnosticCampaign) -> sa.Select:
    """A SELECT of the active people with an e-mail the campaign is meant for."""
    return sa.select(User).where(
        User.status == UserStatus.ACTIVE,
        User.email.is_not(None),
        User.category.in_(AUDIENCE_CATEGORIES[campaign.audience]),
    )


def open_campaigns_for(person: User) -> list[DiagnosticCampaign]:
    """Return the open campaigns ``person`` may answer, newest first."""
    today = today_paris()
    campaigns = db.session.scalars(
        sa.select(DiagnosticCampaign)
        .where(DiagnosticCampaign.opens_on <= today, DiagnosticCampaign.closes_on >= today)
        .order_by(DiagnosticCampaign.opens_on.desc(), DiagnosticCampaign.id.desc())
    )
    return [campaign for campaign in campaigns if is_eligible(campaign, person)]


def has_open_campaign_for(person: User) -> bool:
    """Whether an open campaign is meant for ``person`` (the navigation's link, on every
    page): one statement built once, plain columns, no campaign loaded."""
    audiences = db.session.scalars(_open_audiences(), {"today": today_paris()})
    return any(person.category in AUDIENCE_CATEGORIES[audience] for audience in audiences)


def open_campaign_for_person() -> sa.ColumnElement[bool]:
    """``has_open_campaign_for`` as a column correlated with ``User`` (the person's
    category), bound with ``open_campaign_values()``: the user loader reads it in its own
    statement, so the navigation's link costs no statement of its own."""
    today = sa.bindparam("diagnostic_today", type_=sa.Date)
    meant_for = [
        sa.and_(DiagnosticCampaign.audience == audience, User.category.in_(categories))
        for audience, categories in AUDIENCE_CATEGORIES.items()
    ]
    return (
        sa.exists()
        .where(
            DiagnosticCampaign.opens_on <= today,
            DiagnosticCampaign.closes_on >= today,
            sa.or_(*meant_for),
        )
        .correlate(User)
    )


def open_campaign_values() -> dict:
    return {"diagnostic_today": today_paris()}


@functools.cache
def _open_audiences() -> sa.Select:
    today = sa.bindparam("today", type_=sa.Date)
    return sa.select(DiagnosticCampaign.audience).where(
        DiagnosticCampaign.opens_on <= today, DiagnosticCampaign.closes_on >= today
    )


def has_answers():
    return sa.exists().where(
        DiagnosticResponse.campaign_id == DiagnosticCampaign.id,
        DiagnosticResponse.started_at.is_not(None),
    )


def results_default_order() -> tuple:
    """The order that puts first the results' default campaign: the latest campaign someone
    answered, else the latest one."""
    return (
        sa.case((has_answers(), 0), else_=1),
        DiagnosticCampaign.opens_on.desc(),
        DiagnosticCampaign.id.desc(),
    )


def latest_campaign_with_theme(theme_id: int) -> DiagnosticCampaign | None:
    """Return the latest answered campaign whose questionnaire covers ``theme_id``.

    A campaign that has just opened and has no answer yet does not hide last year's needs.
    """
    return db.session.scalar(
        sa.select(DiagnosticCampaign)
        .where(
            has_answers(),
            sa.exists().where(
                DiagnosticSkill.campaign_id == DiagnosticCampaign.id,
                DiagnosticSkill.theme_id == theme_id,
            ),
        )
        .order_by(DiagnosticCampaign.opens_on.desc(), DiagnosticCampaign.id.desc())
        .limit(1)
    )


def people_wanting_theme(campaign: DiagnosticCampaign, theme_id: int) -> sa.Select:
    """A SELECT of the active people who asked for training on ``theme_id`` in ``campaign``."""
    wanting = (
        sa.select(DiagnosticResponse.person_id)
        .join(SkillAnswer, SkillAnswer.response_id == DiagnosticResponse.id)
        .join(DiagnosticSkill, DiagnosticSkill.id == SkillAnswer.skill_id)
        .where(
            DiagnosticResponse.campaign_id == campaign.id,
            DiagnosticSkill.theme_id == theme_id,
            SkillAnswer.wants_training.in_([TrainingWish.YES, TrainingWish.PRIORITY]),
        )
    )
    return sa.select(User).where(
        User.id.in_(wanting), User.status == UserStatus.ACTIVE, User.email.is_not(None)
    )


def campaigns_newest_first() -> sa.Select:
    """A SELECT of every campaign, the one that opened last first."""
    return sa.select(DiagnosticCampaign).order_by(
        DiagnosticCampaign.opens_on.desc(), DiagnosticCampaign.id.desc()
    )


def answered_counts(campaign_ids: list[int]) -> dict[int, int]:
    """Return {campaign id: people who started answering} for ``campaign_ids``."""
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        sa.select(DiagnosticResponse.campaign_id, sa.func.count(DiagnosticResponse.id))
        .where(
            DiagnosticResponse.campaign_id.in_(campaign_ids),
            DiagnosticResponse.started_at.is_not(None),
        )
        .group_by(DiagnosticResponse.campaign_id)
    ).all()
    return dict(rows)


def get_campaign_or_404(campaign_id: int) -> DiagnosticCampaign:
    """Return the campaign with its questionnaire loaded, or abort with 404."""
    return db.first_or_404(
        sa.select(DiagnosticCampaign)
        .options(
            so.selectinload(DiagnosticCampaign.skills).joinedload(DiagnosticSkill.theme),
            so.selectinload(DiagnosticCampaign.questions),
        )
        .where(DiagnosticCampaign.id == campaign_id)
    )


def get_answerable_campaign_or_404(campaign_id: int, viewer: User, *, preview: bool = False):
    """Return a campaign ``viewer`` may answer (in its audience), else abort with 404.

    With ``preview``, the coordinator may also look at a questionnaire meant for others.
    """
    campaign = get_campaign_or_404(campaign_id)
    if not is_eligible(campaign, viewer) and not (preview and viewer.is_coordinator):
        abort(404)
    return campaign


def get_answerable_skill_or_404(
    campaign_id: int, skill_id: int, viewer: User
) -> tuple[DiagnosticCampaign, DiagnosticSkill]:
    """Return a campaign ``viewer`` may answer and one of its skills, in one query (an
    autosave needs nothing else of the questionnaire), else abort with 404."""
    row = db.session.execute(
        sa.select(DiagnosticCampaign, DiagnosticSkill)
        .join(DiagnosticSkill, DiagnosticSkill.campaign_id == DiagnosticCampaign.id)
        .where(DiagnosticCampaign.id == campaign_id, DiagnosticSkill.id == skill_id)
    ).first()
    if row is None or not is_eligible(row[0], viewer):
        abort(404)
    return row[0], row[1]


def get_skill_or_404(campaign: DiagnosticCampaign, skill_id: int) -> DiagnosticSkill:
    for skill in campaign.skills:
        if skill.id == skill_id:
            return skill
    abort(404)


def get_question_or_404(campaign: DiagnosticCampaign, question_id: int) -> DiagnosticQuestion:
    for question in campaign.questions:
        if question.id == question_id:
            return question
    abort(404)


def grouped_skills(campaign: DiagnosticCampaign) -> list[tuple[Theme, list[DiagnosticSkill]]]:
    """The campaign's skills grouped by theme, themes in the catalogue's order."""
    groups: dict[int, tuple[Theme, list[DiagnosticSkill]]] = {}
    for skill in campaign.skills:
        groups.setdefault(skill.theme_id, (skill.theme, []))[1].append(skill)
    return sorted(groups.values(), key=lambda group: (group[0].position, group[0].name))


def response_of(campaign: DiagnosticCampaign, person: User) -> DiagnosticResponse | None:
    """Return ``person``'s response to ``campaign`` with its answers, or None."""
    return db.session.scalar(
        sa.select(DiagnosticResponse)
        .options(
            so.selectinload(DiagnosticResponse.skill_answers),
            so.selectinload(DiagnosticResponse.question_answers),
        )
        .where(
            DiagnosticResponse.campaign_id == campaign.id,
            DiagnosticResponse.person_id == person.id,
        )
    )


def responses_of(person: User, campaigns: list[DiagnosticCampaign]) -> dict:
    """``person``'s responses to ``campaigns``, by campaign id (one query, none without
    campaigns)."""
    if not campaigns:
        return {}
    return {
        response.campaign_id: response
        for response in db.session.scalars(
            sa.select(DiagnosticResponse).where(
                DiagnosticResponse.person_id == person.id,
                DiagnosticResponse.campaign_id.in_([c.id for c in campaigns]),
            )
        )
    }
