"""The demo diagnostic: the 2012 regional campaign of the seeds, answered by the demo people.

``add_demo_campaign()`` is idempotent: campaigns are found by title, a person's answers are
written only when they have no response yet, and the answers come from ``random.Random(2012)``
walking the people in a stable order, so two runs give the same results.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from devdata import vocabulary as words
from devdata.demo.loader import demo_themes
from reseau.accounts.models import Category, User, UserStatus
from reseau.catalogue.models import Audience, Theme
from reseau.core.extensions import db
from reseau.diagnostic.models import (
    DiagnosticCampaign,
    DiagnosticQuestion,
    DiagnosticResponse,
    DiagnosticSkill,
    QuestionAnswer,
    SkillAnswer,
)


def _campaign(title: str, **values) -> tuple[DiagnosticCampaign, bool]:
    campaign = db.session.scalar(
        sa.select(DiagnosticCampaign).where(DiagnosticCampaign.title == title)
    )
    if campaign is not None:
        return campaign, False
    campaign = DiagnosticCampaign(title=title, **values)
    db.session.add(campaign)
    return campaign, True


def _fill_questionnaire(campaign: DiagnosticCampaign, themes: dict[str, Theme]) -> None:
    for position, (slug, title, explanation) in enumerate(words.SKILLS, start=1):
        campaign.skills.append(
            DiagnosticSkill(
                theme=themes[slug], title=title, explanation=explanation, position=position
            )
        )
    for position, prompt in enumerate(words.QUESTIONS, start=1):
        campaign.questions.append(DiagnosticQuestion(prompt=prompt, position=position))
    db.session.flush()


def add_demo_campaign(today: date) -> DiagnosticCampaign:
    """Add the 2012 campaign with answers, and this year's open copy; return the 2012 one."""
    themes = demo_themes()
    campaign, created = _campaign(
        words.TITLE_2012,
        audience=Audience.TOUS,
        opens_on=date(2012, 3, 1),
        closes_on=date(2012, 4, 30),
        introduction=(
            "Le réseau met en place un diagnostic régional des besoins de formation. Vos "
            "réponses deviendront les thématiques des formations de l'année."
        ),
    )
    if created:
        _fill_questionnaire(campaign, themes)
    _answer_2012(campaign)

    current, created = _campaign(
        f"Diagnostic des besoins de formation {today.year}",
        audience=Audience.TOUS,
        opens_on=today - timedelta(days=7),
        closes_on=today + timedelta(days=60),
        introduction=campaign.introduction,
        copied_from_id=campaign.id,
    )
    if created:
        _fill_questionnaire(current, themes)
    db.session.flush()
    return campaign


def _answer_2012(campaign: DiagnosticCampaign) -> None:
    rng = random.Random(2012)
    people = db.session.scalars(
        sa.select(User)
        .where(
            User.status == UserStatus.ACTIVE,
            User.centre_id.is_not(None),
            User.category.in_([Category.BENEVOLE, Category.ELU, Category.SALARIE]),
        )
        .order_by(User.email, User.id)
    ).all()
    answered = set(
        db.session.scalars(
            sa.select(DiagnosticResponse.person_id).where(
                DiagnosticResponse.campaign_id == campaign.id
            )
        )
    )
    skills = sorted(campaign.skills, key=lambda s: s.position)
    questions = sorted(campaign.questions, key=lambda q: q.position)
    slugs = {skill.id: skill.theme.slug for skill in skills}
    base = datetime(2012, 3, 5, 9, 0, tzinfo=UTC)
    for person in people:
        # Draw the same numbers for everyone, answered or not, so results never drift.
        draws = [rng.random() for _ in range(3 + 2 * len(skills) + len(questions) + 2)]
        if person.id in answered or draws[0] > 0.62:
            continue
        db.session.add(_response(campaign, person, skills, slugs, questions, draws, base))
    db.session.flush()


def _response(campaign, person, skills, slugs, questions, draws, base) -> DiagnosticResponse:
    """The answers of ``person``, read off the ``draws`` made for them."""
    appetite = words.APPETITE.get(person.category, {})
    at = base + timedelta(days=int(draws[1] * 50), minutes=int(draws[2] * 600))
    response = DiagnosticResponse(
        campaign_id=campaign.id,
        person_id=person.id,
        invited_at=base - timedelta(days=3),
        started_at=at,
        submitted_at=at + timedelta(minutes=12) if draws[0] < 0.52 else None,
        updated_at=at + timedelta(minutes=12),
    )
    for index, skill in enumerate(skills):
        level_draw, wish_draw = draws[3 + 2 * index], draws[4 + 2 * index]
        wish = words.wish_for(wish_draw, appetite.get(slugs[skill.id], 0.2))
        response.skill_answers.append(
            SkillAnswer(
                skill_id=skill.id,
                level=words.level_for(level_draw, wish),
                wants_training=wish,
                updated_at=at,
            )
        )
    offset = 3 + 2 * len(skills)
    for index, question in enumerate(questions):
        if draws[offset + index] < 0.3:
            choices = words.ANSWERS.get(index, words.OTHER_NEEDS)
            text = choices[int(draws[offset + index] * 10) % len(choices)]
            response.question_answers.append(QuestionAnswer(question_id=question.id, text=text))
    if draws[-1] < 0.25:
        response.other_needs = words.OTHER_NEEDS[int(draws[-2] * len(words.OTHER_NEEDS))]
    return response
