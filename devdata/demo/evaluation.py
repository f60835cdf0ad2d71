"""The demo's funders and evaluations after the training (issue 17).

The 2012 cycles for volunteers were built with the FCSF's FOSFORA fund (seed 000) and, being
volunteer training, asked the FDVA 1: each of their sessions gets both lines. Every past
training session more than three months old gets its cold questionnaire (as the tick would
have sent it) with about two answers in three, in the seeds' words, and its trainer's own
evaluation. Only what is missing is written: a second run adds nothing.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from devdata import vocabulary as words
from devdata.demo.year2012 import CYCLE_TITLE
from reseau.attendance.operations import attendees
from reseau.catalogue.models import Cycle, Module, SessionKind, SessionStatus, TrainingSession
from reseau.core.extensions import db
from reseau.core.i18n import from_local
from reseau.evaluation.models import (
    DEFAULT_DELAY_DAYS,
    DEFAULT_REMINDER_DAYS,
    ColdAnswer,
    ColdSurvey,
    ObjectivesReached,
    TrainerEvaluation,
    UseLevel,
)
from reseau.funding.models import Funder, SessionFunding
from reseau.funding.operations import ensure_default_funders

# Per session of the 2012 cycles: (funder, asked, granted) in euros.
LINES_2012 = (("FOSFORA (FCSF)", 1200, 1000), ("FDVA 1", 900, 700))
CHANGES = [
    "J'ai présenté le projet social à notre conseil d'administration.",
    "Nous avons revu l'accueil des nouveaux bénévoles.",
    "Je prépare maintenant les rencontres avec la CAF avec la directrice.",
    "",
]
NEXT_NEEDS = [*words.OTHER_NEEDS, "", ""]
TO_CHANGE = [
    "Prévoir plus de temps d'échange entre centres.",
    "Envoyer les documents avant la journée.",
    "Alléger le vocabulaire technique pour les bénévoles.",
]


def add_demo_evaluation(today: date, created: Counter) -> None:
    created["funders"] += ensure_default_funders()
    _fund_2012(created)
    _cold_answers(today, created)
    db.session.flush()


def _fund_2012(created: Counter) -> None:
    funders = {f.name: f for f in db.session.scalars(sa.select(Funder))}
    sessions = db.session.scalars(
        sa.select(TrainingSession)
        .join(Module, Module.id == TrainingSession.module_id)
        .join(Cycle, Cycle.id == Module.cycle_id)
        .where(Cycle.year == 2012, Cycle.title == CYCLE_TITLE)
        .order_by(TrainingSession.title)
    ).all()
    known = set(
        db.session.execute(
            sa.select(SessionFunding.session_id, SessionFunding.funder_id).where(
                SessionFunding.session_id.in_([s.id for s in sessions])
            )
        ).all()
    )
    for session in sessions:
        for name, asked, granted in LINES_2012:
            funder = funders[name]
            if (session.id, funder.id) in known:
                continue
            cancelled = session.status == SessionStatus.CANCELLED
            db.session.add(
                SessionFunding(
                    session_id=session.id,
                    funder_id=funder.id,
                    amount_asked=asked,
                    amount_granted=None if cancelled else granted,
                )
            )
            created["session_fundings"] += 1


def _cold_answers(today: date, created: Counter) -> None:
    due = from_local(datetime.combine(today - timedelta(days=DEFAULT_DELAY_DAYS), time()))
    sessions = db.session.scalars(
        sa.select(TrainingSession)
        .where(
            TrainingSession.status == SessionStatus.CLOSED,
            TrainingSession.kind == SessionKind.FORMATION,
            TrainingSession.ends_at < due,
            ~sa.exists().where(ColdSurvey.session_id == TrainingSession.id),
        )
        .order_by(TrainingSession.title)
    ).all()
    for session in sessions:
        rng = random.Random(zlib.crc32(session.title.encode()))
        sent = session.ends_at + timedelta(days=DEFAULT_DELAY_DAYS)
        people = attendees(session)
        db.session.add(ColdSurvey(session_id=session.id, sent_at=sent, invited=len(people)))
        for person, _ in people:
            answer = ColdAnswer(
                session_id=session.id,
                person_id=person.id,
                sent_at=sent,
                remind_at=sent + timedelta(days=DEFAULT_REMINDER_DAYS),
            )
            if rng.random() < 0.4:
                answer.reminded_at = answer.remind_at
            if rng.random() < 0.65:
                answer.started_at = answer.submitted_at = sent + timedelta(days=rng.randint(1, 20))
                answer.used = rng.choice([UseLevel.OFTEN, UseLevel.SOMETIMES, UseLevel.NOT_YET])
                answer.changes = rng.choice(CHANGES)
                answer.gained = rng.choice(words.GAINED)
                answer.missing = rng.choice(words.MISSING)
                answer.needs = rng.choice(NEXT_NEEDS)
            db.session.add(answer)
            created["cold_answers"] += 1
        for trainer in session.trainers[:1]:
            db.session.add(
                TrainerEvaluation(
                    session_id=session.id,
                    trainer_id=trainer.id,
                    group_notes="Groupe de bénévoles et d'élu·es motivé·es, niveaux variés.",
                    objectives=rng.choice([ObjectivesReached.YES, ObjectivesReached.PARTLY]),
                    to_change=rng.choice(TO_CHANGE),
                )
            )
