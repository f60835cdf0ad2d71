"""A hand-computed parcours over two years and two diagnostic campaigns.

Martine (bénévole, centre A) attended, the house's way (present or late at a scheduled séance):

    session                       year  séances (hours each)   marks                   counts
    S1 "Accueillir…" (module M)   2024  2 × 3,5 h              present, absent         3,5 h
    S2 "Excusée"                  2024  1 × 3 h                excused                 —
    S3 "Animer…" (no module)      2025  3 × 2,5 h + cancelled  present, absent, late,  5 h
                                                               present (cancelled)
    S4 "Annulée" (cancelled)      2025  1 × 3 h                present                 —

So 2 trainings, 8,5 h: 3,5 h in 2024 and 5 h in 2025. S1 is closed (certificates), S3 still
published ("en cours").

Her ratings (levels 1 to 4), the 2025 campaign copied from 2024 (its own skill rows):

    skill                              2024   2025
    Accueillir un nouveau bénévole     2      4       en progrès de 2 niveaux
    Animer une réunion                 3      2       en baisse de 1 niveau
    Utiliser les outils numériques     —      1       une seule campagne
    (a 2025 answer without a level is left out)

Another person of centre A answered too and attended S1: none of it is Martine's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.catalogue.models import Seance, SeanceStatus, SessionStatus
from reseau.core.extensions import db
from reseau.diagnostic.models import DiagnosticResponse, SkillAnswer, SkillLevel, TrainingWish
from tests.diagnostic.fixtures import add_skill
from tests.factories import (
    make_campaign,
    make_centre,
    make_coordinator,
    make_cycle,
    make_module,
    make_referent,
    make_session,
    make_theme,
    make_trainer,
    make_user,
)

PRESENT, LATE = AttendanceStatus.PRESENT, AttendanceStatus.LATE
EXCUSED, ABSENT = AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT
OBJECTIVES = "Savoir accueillir chacun·e et présenter le centre « à l’œil nu »."


@dataclass
class World:
    person: object
    other: object
    referent: object
    other_referent: object
    coordinator: object
    trainer: object
    s1: object
    s3: object


def _mark(session, person, statuses) -> None:
    for seance, status in zip(session.seances, statuses, strict=True):
        db.session.add(Attendance(seance=seance, person_id=person.id, status=status))


def _sessions(trainer):
    accueil = make_theme(name="L'accueil en centre social", slug="accueil-parcours")
    animation = make_theme(name="Animer la vie associative", slug="animation-parcours")
    cycle = make_cycle(theme=accueil, title="Cycle accueil", year=2024)
    module = make_module(cycle=cycle, title="Accueillir", objectives=OBJECTIVES)
    s1 = make_session(
        starts_at=datetime(2024, 3, 12, 8, tzinfo=UTC),
        seances=2,
        hours=3.5,
        title="Accueillir les nouveaux bénévoles",
        module_id=module.id,
        status=SessionStatus.CLOSED,
        trainers=[trainer],
    )
    s2 = make_session(starts_at=datetime(2024, 10, 1, 8, tzinfo=UTC), title="Excusée")
    s3 = make_session(
        starts_at=datetime(2025, 2, 4, 13, tzinfo=UTC),
        seances=3,
        hours=2.5,
        title="Animer une réunion d’équipe",
        theme_id=animation.id,
        objectives="Préparer, animer et conclure une réunion.",
        trainers=[trainer],
    )
    cancelled = Seance(
        starts_at=datetime(2025, 2, 20, 13, tzinfo=UTC),
        ends_at=datetime(2025, 2, 20, 16, tzinfo=UTC),
        status=SeanceStatus.CANCELLED,
    )
    s3.seances.append(cancelled)
    s4 = make_session(
        starts_at=datetime(2025, 5, 6, 8, tzinfo=UTC),
        title="Annulée",
        status=SessionStatus.CANCELLED,
    )
    db.session.flush()
    return (accueil, animation), (s1, s2, s3, s4)


def _answer(campaign, person, levels: dict) -> None:
    response = DiagnosticResponse(campaign_id=campaign.id, person_id=person.id)
    for skill, level in levels.items():
        response.skill_answers.append(
            SkillAnswer(skill_id=skill.id, level=level, wants_training=TrainingWish.YES)
        )
    db.session.add(response)


def _campaigns(themes, person, other) -> None:
    accueil, animation = themes
    first = make_campaign(
        title="Diagnostic 2024", opens_on=date(2024, 1, 10), closes_on=date(2024, 2, 28)
    )
    welcome = add_skill(first, accueil, "Accueillir un nouveau bénévole", 1)
    meeting = add_skill(first, animation, "Animer une réunion", 2)
    second = make_campaign(
        title="Diagnostic 2025",
        opens_on=date(2025, 1, 10),
        closes_on=date(2025, 2, 28),
        copied_from_id=first.id,
    )
    welcome2 = add_skill(second, accueil, "Accueillir un nouveau bénévole", 1)
    meeting2 = add_skill(second, animation, "Animer  une réunion", 2)
    digital = add_skill(second, animation, "Utiliser les outils numériques", 3)
    unrated = add_skill(second, animation, "Tenir la trésorerie", 4)
    _answer(first, person, {welcome: SkillLevel.KNOW, meeting: SkillLevel.MASTER})
    _answer(
        second,
        person,
        {
            welcome2: SkillLevel.TRANSMIT,
            meeting2: SkillLevel.KNOW,
            digital: SkillLevel.DISCOVER,
            unrated: None,
        },
    )
    _answer(first, other, {welcome: SkillLevel.TRANSMIT})


def build_world() -> World:
    centre = make_centre(name="Centre social du Blanc")
    other_centre = make_centre(name="Centre social de Vierzon")
    person = make_user(first_name="Martine", last_name="Robin", centre=centre)
    other = make_user(first_name="Paul", last_name="Autre", centre=centre)
    trainer = make_trainer(centre=other_centre)
    themes, (s1, s2, s3, s4) = _sessions(trainer)
    _mark(s1, person, (PRESENT, ABSENT))
    _mark(s1, other, (PRESENT, PRESENT))
    _mark(s2, person, (EXCUSED,))
    _mark(s3, person, (PRESENT, ABSENT, LATE, PRESENT))
    _mark(s4, person, (PRESENT,))
    _campaigns(themes, person, other)
    world = World(
        person=person,
        other=other,
        referent=make_referent(centre),
        other_referent=make_referent(other_centre),
        coordinator=make_coordinator(),
        trainer=trainer,
        s1=s1,
        s3=s3,
    )
    db.session.flush()
    return world


def add_sessions(person, count: int, year: int = 2023) -> None:
    """``count`` more closed sessions ``person`` attended (for the query count)."""
    for index in range(count):
        session = make_session(
            starts_at=datetime(year, 1 + index % 12, 1 + index, 8, tzinfo=UTC),
            status=SessionStatus.CLOSED,
            module_id=make_module().id,
        )
        _mark(session, person, (PRESENT,))
    db.session.flush()
