"""Demo diagnostic: the 2012 regional campaign of the seeds, answered by the demo people.

``add_demo_campaign()`` is idempotent: campaigns are found by title, a person's answers are
written only when they have no response yet, and the answers come from ``random.Random(2012)``
walking the people in a stable order, so two runs give the same results.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from reseau.accounts.models import Category, User, UserStatus
from reseau.catalogue.models import Audience, Theme
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
from reseau.extensions import db

TITLE_2012 = "Diagnostic régional des besoins de formation 2012"

# Themes by slug, as the main demo names them (reseau/demo_data.py); created when missing.
THEMES = [
    ("fondamentaux", "Les fondamentaux du centre social", 1),
    ("fonction-employeur", "La fonction employeur", 2),
    ("strategie-partenaires", "Stratégie et communication en direction des partenaires", 3),
    ("accueil", "L'accueil en centre social", 4),
    ("participation", "La participation des habitants", 5),
    ("evaluation", "Veille, projet et évaluation", 6),
    ("numerique", "Faire réseau avec le numérique", 7),
]

# (theme slug, title, plain-language explanation)
SKILLS = [
    (
        "fondamentaux",
        "Expliquer ce qu'est un centre social",
        "Dire en quelques mots à un habitant ou à un élu ce que fait le centre, pour qui, et "
        "ce qui le distingue d'un service de la mairie.",
    ),
    (
        "fondamentaux",
        "Connaître le projet social et l'agrément",
        "Savoir ce que contient le projet du centre, pourquoi la CAF l'agrée pour quatre ans "
        "et comment on le renouvelle.",
    ),
    (
        "fondamentaux",
        "S'appuyer sur les valeurs du réseau",
        "Dignité humaine, solidarité, démocratie : se servir de la charte des centres sociaux "
        "pour prendre des décisions au quotidien.",
    ),
    (
        "fonction-employeur",
        "Être employeur quand on est bénévole",
        "Savoir qui décide quoi entre le conseil d'administration, le bureau et la direction.",
    ),
    (
        "fonction-employeur",
        "Recruter et accueillir un·e salarié·e",
        "Écrire une fiche de poste, mener un entretien d'embauche, accompagner les premières "
        "semaines.",
    ),
    (
        "fonction-employeur",
        "Conduire un entretien annuel",
        "Préparer et mener l'entretien annuel d'un·e salarié·e, en connaissant les grandes "
        "règles de la convention collective.",
    ),
    (
        "strategie-partenaires",
        "Connaître ses partenaires",
        "Savoir qui finance quoi (CAF, commune, Département, État) et à qui s'adresser.",
    ),
    (
        "strategie-partenaires",
        "Négocier une convention",
        "Préparer un rendez-vous avec un financeur, défendre le projet et signer une "
        "convention sur plusieurs années.",
    ),
    (
        "strategie-partenaires",
        "Faire savoir ce que fait le centre",
        "Présenter le centre et ce qu'il apporte en deux minutes, écrire un article, tenir un "
        "stand.",
    ),
    (
        "accueil",
        "Accueillir chacun·e",
        "Recevoir une personne qui pousse la porte pour la première fois, l'écouter et l'orienter.",
    ),
    (
        "accueil",
        "Aller vers les personnes isolées",
        "Rencontrer les habitant·es qui ne viennent pas au centre, là où ils et elles sont.",
    ),
    (
        "participation",
        "Faire participer les habitant·es aux décisions",
        "Donner une vraie place aux habitant·es dans les choix du centre, pas seulement dans "
        "les activités.",
    ),
    (
        "participation",
        "Animer une réunion",
        "Préparer un ordre du jour, donner la parole à chacun·e, aboutir à une décision.",
    ),
    (
        "evaluation",
        "Évaluer une action",
        "Se demander si l'action a changé quelque chose pour les habitant·es, au-delà du "
        "nombre de participants.",
    ),
    (
        "evaluation",
        "Connaître son territoire",
        "Rassembler les chiffres et les avis qui décrivent le quartier ou la commune du centre.",
    ),
    (
        "numerique",
        "Participer à une réunion en visio",
        "Se connecter, prendre la parole et partager un document dans une réunion à distance.",
    ),
    (
        "numerique",
        "Publier sur le site du réseau",
        "Écrire une brève, ajouter une photo, annoncer un événement sur le site ou le blog.",
    ),
]

QUESTIONS = [
    "Quels sujets aimeriez-vous aborder lors des journées départementales ?",
    "Qu'est-ce qui vous empêche parfois de venir en formation (horaires, distance, garde "
    "d'enfants…) ?",
]

# How much each category wants each theme (0–1): bénévoles ask for the fondamentaux and the
# employer's role, salarié·es for partners and evaluation, as in the seeds' 2012 programme.
APPETITE = {
    Category.BENEVOLE: {
        "fondamentaux": 0.7,
        "fonction-employeur": 0.55,
        "strategie-partenaires": 0.45,
        "accueil": 0.35,
        "participation": 0.3,
        "evaluation": 0.15,
        "numerique": 0.3,
    },
    Category.ELU: {
        "fondamentaux": 0.5,
        "fonction-employeur": 0.75,
        "strategie-partenaires": 0.6,
        "accueil": 0.15,
        "participation": 0.3,
        "evaluation": 0.25,
        "numerique": 0.2,
    },
    Category.SALARIE: {
        "fondamentaux": 0.25,
        "fonction-employeur": 0.3,
        "strategie-partenaires": 0.6,
        "accueil": 0.4,
        "participation": 0.5,
        "evaluation": 0.55,
        "numerique": 0.35,
    },
    Category.PARTENAIRE: {},
}

OTHER_NEEDS = [
    "Rendre plus accessible le langage technique aux bénévoles.",
    "Des temps d'échange entre centres du même département.",
    "Un accompagnement pour renouveler notre projet social.",
    "Mieux comprendre la réforme des collectivités territoriales.",
    "Des formations le samedi pour les bénévoles qui travaillent.",
    "Un outil simple pour suivre nos adhérents.",
]
ANSWERS = {
    0: [
        "La place des jeunes dans le centre.",
        "Les relations avec la commune.",
        "La mutualisation entre centres voisins.",
    ],
    1: [
        "La distance : nous sommes loin d'Orléans.",
        "Les horaires en semaine.",
        "Le coût du déplacement.",
    ],
}


def _theme(slug: str, name: str, position: int) -> Theme:
    theme = db.session.scalar(sa.select(Theme).where(Theme.slug == slug))
    if theme is None:
        theme = db.session.scalar(sa.select(Theme).where(Theme.name == name))
    if theme is None:
        theme = Theme(slug=slug, name=name, position=position)
        db.session.add(theme)
        db.session.flush()
    return theme


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
    for position, (slug, title, explanation) in enumerate(SKILLS, start=1):
        campaign.skills.append(
            DiagnosticSkill(
                theme=themes[slug], title=title, explanation=explanation, position=position
            )
        )
    for position, prompt in enumerate(QUESTIONS, start=1):
        campaign.questions.append(DiagnosticQuestion(prompt=prompt, position=position))
    db.session.flush()


def add_demo_campaign(today: date | None = None) -> DiagnosticCampaign:
    """Add the 2012 campaign with answers, and this year's open copy; return the 2012 one."""
    today = today or date.today()
    themes = {slug: _theme(slug, name, position) for slug, name, position in THEMES}
    campaign, created = _campaign(
        TITLE_2012,
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
        appetite = APPETITE.get(person.category, {})
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
            want = appetite.get(slugs[skill.id], 0.2)
            if wish_draw < want * 0.4:
                wish = TrainingWish.PRIORITY
            elif wish_draw < want:
                wish = TrainingWish.YES
            else:
                wish = TrainingWish.NO
            levels = list(SkillLevel)
            level = levels[min(3, int(level_draw * (2.2 if wish != TrainingWish.NO else 4)))]
            response.skill_answers.append(
                SkillAnswer(skill_id=skill.id, level=level, wants_training=wish, updated_at=at)
            )
        offset = 3 + 2 * len(skills)
        for index, question in enumerate(questions):
            if draws[offset + index] < 0.3:
                choices = ANSWERS.get(index, OTHER_NEEDS)
                text = choices[int(draws[offset + index] * 10) % len(choices)]
                response.question_answers.append(QuestionAnswer(question_id=question.id, text=text))
        if draws[-1] < 0.25:
            response.other_needs = OTHER_NEEDS[int(draws[-2] * len(OTHER_NEEDS))]
        db.session.add(response)
    db.session.flush()
