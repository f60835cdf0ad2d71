"""A small, hand-computed diagnostic: 3 centres in 2 départements, 2 themes, 3 skills.

Who wants what (P = oui en priorité, Y = oui, N = non):

    person  category  centre (dept)   S1 (T1)  S2 (T1)  S3 (T2)
    p1      bénévole  A (36)          P        Y        N
    p2      salarié   A (36)          Y        -        P
    p3      bénévole  B (36)          -        P        Y
    p4      bénévole  C (37)          Y        N        Y
    p5      salarié   C (37)          invited, never answered
    p6      bénévole  C (37)          N        N        N
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reseau.accounts.models import Category
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.diagnostic import rollups
from reseau.diagnostic.models import (
    DiagnosticCampaign,
    DiagnosticQuestion,
    DiagnosticResponse,
    DiagnosticSkill,
    QuestionAnswer,
    SkillAnswer,
    SkillLevel,
    TrainingWish,
)
from tests.factories import make_centre, make_department, make_theme, make_user

P, Y, N = TrainingWish.PRIORITY, TrainingWish.YES, TrainingWish.NO


@dataclass
class World:
    campaign: DiagnosticCampaign
    d36: object
    d37: object
    a: object
    b: object
    c: object
    t1: object
    t2: object
    s1: DiagnosticSkill
    s2: DiagnosticSkill
    s3: DiagnosticSkill
    question: DiagnosticQuestion
    people: dict


def make_campaign(*, opens_on=None, closes_on=None, title="Diagnostic 2026", **kw):
    today = date.today()
    campaign = DiagnosticCampaign(
        title=title,
        opens_on=opens_on or today - timedelta(days=1),
        closes_on=closes_on or today + timedelta(days=30),
        **kw,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def add_skill(campaign, theme, title, position=0):
    skill = DiagnosticSkill(
        campaign_id=campaign.id,
        theme_id=theme.id,
        title=title,
        explanation=f"Explication de {title}",
        position=position,
    )
    db.session.add(skill)
    db.session.flush()
    return skill


def answer(campaign, person, wishes: dict, *, other_needs="", submitted=True):
    now = utcnow()
    response = DiagnosticResponse(
        campaign_id=campaign.id,
        person_id=person.id,
        invited_at=now,
        started_at=now if wishes or other_needs else None,
        submitted_at=now if submitted and wishes else None,
        other_needs=other_needs,
    )
    for skill, wish in wishes.items():
        response.skill_answers.append(
            SkillAnswer(skill_id=skill.id, level=SkillLevel.KNOW, wants_training=wish)
        )
    db.session.add(response)
    db.session.flush()
    # Rows written directly, not through the operations: count them as rebuild-rollups would.
    rollups.rebuild(campaign.id)
    return response


def build_world() -> World:
    d36 = make_department(code="36", name="Indre")
    d37 = make_department(code="37", name="Indre-et-Loire")
    a = make_centre(name="Centre A", town="Le Blanc", department=d36)
    b = make_centre(name="Centre B", town="Issoudun", department=d36)
    c = make_centre(name="Centre C", town="Tours", department=d37)
    t1 = make_theme(name="Les fondamentaux du centre social", slug="fondamentaux", position=1)
    t2 = make_theme(name="La fonction employeur", slug="fonction-employeur", position=2)
    campaign = make_campaign()
    s1 = add_skill(campaign, t1, "Accueillir chacun·e", 1)
    s2 = add_skill(campaign, t1, "Connaître le projet social", 2)
    s3 = add_skill(campaign, t2, "Recruter un·e salarié·e", 3)
    question = DiagnosticQuestion(campaign_id=campaign.id, prompt="Quels freins ?", position=1)
    db.session.add(question)
    db.session.flush()
    people = {
        "p1": make_user(centre=a, category=Category.BENEVOLE, first_name="Paule"),
        "p2": make_user(centre=a, category=Category.SALARIE, first_name="Pierre"),
        "p3": make_user(centre=b, category=Category.BENEVOLE, first_name="Prosper"),
        "p4": make_user(centre=c, category=Category.BENEVOLE, first_name="Pascale"),
        "p5": make_user(centre=c, category=Category.SALARIE, first_name="Paulin"),
        "p6": make_user(centre=c, category=Category.BENEVOLE, first_name="Perrine"),
    }
    answer(campaign, people["p1"], {s1: P, s2: Y, s3: N}, other_needs="Du jargon en moins")
    r2 = answer(campaign, people["p2"], {s1: Y, s3: P})
    db.session.add(QuestionAnswer(response_id=r2.id, question_id=question.id, text="La distance"))
    answer(campaign, people["p3"], {s2: P, s3: Y}, submitted=False)
    answer(campaign, people["p4"], {s1: Y, s2: N, s3: Y})
    answer(campaign, people["p5"], {})
    answer(campaign, people["p6"], {s1: N, s2: N, s3: N})
    db.session.flush()
    return World(campaign, d36, d37, a, b, c, t1, t2, s1, s2, s3, question, people)
