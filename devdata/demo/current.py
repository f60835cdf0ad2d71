"""This year's cycles and the sessions around today, so that the demo looks alive.

The demo trainer has a session today, a closed one with attendance, one waiting to be closed
and upcoming ones; the other trainers have upcoming sessions; a few regional and thematic days
come later. Dates are working days counted from ``today`` (``devdata.days``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from devdata import vocabulary as words
from devdata.days import at, full_day, morning, working_day
from devdata.demo.specs import (
    BENEVOLE,
    DOMAIN,
    FORMATRICE,
    CentreKey,
    CycleSpec,
    SessionSpec,
    module_fields,
)
from reseau.attendance.models import AttendanceStatus
from reseau.catalogue.models import Audience, PlaceKind, SessionKind, SessionStatus
from reseau.enrolment.models import EnrolmentStatus

if TYPE_CHECKING:
    from devdata.demo.planner import Planner

CYCLE_TITLE = "Cycle de formation"
MODULES = {slug: modules for slug, _, _, _, modules in words.CYCLES}
SJB = words.SAINT_JEAN_DE_BRAYE


def plan(planner: Planner) -> list[CycleSpec]:
    year = planner.today.year
    cycles = [
        (slug, CYCLE_TITLE, year, Audience(audience), description, objectives, modules)
        for slug, audience, description, objectives, modules in words.CYCLES
    ]
    _demo_trainer(planner)
    _other_trainers(planner)
    _days_and_meetings(planner)
    return cycles


def _ahead(planner: Planner, days: int) -> date:
    return working_day(planner.today + timedelta(days=days))


def _past(planner: Planner, days: int) -> date:
    return working_day(planner.today - timedelta(days=days), step=-1)


def _session(planner: Planner, host: CentreKey | None, visio: str, **kw) -> SessionSpec:
    """A session held at ``host``, or in visio (``visio`` names its address) when None."""
    spec = SessionSpec(host=host, department=planner.dept_of[host] if host else None, **kw)
    if host is None:
        spec.place_kind = PlaceKind.VISIO
        spec.visio_url = f"https://visio.{DOMAIN}/reseau-{visio}"
    return planner.add(spec)


def _formation(planner: Planner, slug, index, host, seances, trainers, **kw) -> SessionSpec:
    """A session of module ``index`` of this year's cycle of theme ``slug``."""
    module = MODULES[slug][index]
    town = "en visio" if host is None else host[1]
    return _session(
        planner,
        host,
        words.ascii_slug(module[0])[:40],
        title=f"{module[0]} – {town}",
        **module_fields(slug, CYCLE_TITLE, module),
        audience=Audience.BENEVOLES if slug != "strategie-partenaires" else Audience.TOUS,
        seances=seances,
        trainers=trainers,
        what_to_bring=words.WHAT_TO_BRING,
        **kw,
    )


def _demo_trainer(planner: Planner) -> None:
    """A session today, a closed one with attendance, one to close, and upcoming ones."""
    rng = planner.rng
    ext1, _, sjb_trainer = planner.trainers
    _formation(planner, "fondamentaux", 0, words.BLANC, full_day(planner.today), [FORMATRICE])
    spec = _formation(
        planner, "fondamentaux", 2, words.VIERZON, full_day(_past(planner, 21)), [FORMATRICE]
    )
    people = [BENEVOLE] + planner.draw(
        rng.sample(planner.in_departments("18", "36"), 5), benevoles=7, elus=1, salaries=1
    )
    planner.close(spec, list(dict.fromkeys(people)), feedback=0.7)
    spec.attendance[BENEVOLE] = [AttendanceStatus.PRESENT] * 2
    spec = _formation(
        planner,
        "fonction-employeur",
        0,
        ("Centre social d'Issoudun", "Issoudun"),
        morning(_past(planner, 5)),
        [FORMATRICE, ext1],
    )
    spec.enrolments = [
        (email, EnrolmentStatus.CONFIRMED)
        for email in planner.draw(
            rng.sample(planner.in_departments("36", "18"), 4), benevoles=5, elus=3
        )
    ]
    _formation(
        planner,
        "fondamentaux",
        1,
        ("Centre social du Val d'Auron", "Bourges"),
        morning(_ahead(planner, 12)),
        [FORMATRICE],
        capacity=10,
    )
    _formation(
        planner,
        "strategie-partenaires",
        0,
        SJB,
        full_day(_ahead(planner, 26)),
        [FORMATRICE, sjb_trainer],
    )


# The other trainers' upcoming sessions, a morning each: (theme, module index, host or None
# for visio, working days ahead, trainers as indices in Planner.trainers, options)
OTHER_TRAINERS = [
    ("fonction-employeur", 1, ("Centre social du Sanitas", "Tours"), 9, (0,), {"centre_cap": 2}),
    ("fonction-employeur", 2, ("Centre social Quinière", "Blois"), 33, (0,),
     {"requires_validation": True}),
    ("strategie-partenaires", 1, SJB, 16, (2,), {}),
    ("strategie-partenaires", 2, None, 20, (2,), {"capacity": 20}),
    ("fondamentaux", 1, ("Centre social de Beaulieu", "Chartres"), 61, (1,), {}),
]  # fmt: skip


def _other_trainers(planner: Planner) -> None:
    for slug, index, host, ahead, trainers, options in OTHER_TRAINERS:
        seances = morning(_ahead(planner, ahead))
        people = [planner.trainers[k] for k in trainers]
        _formation(planner, slug, index, host, seances, people, **options)


# Thematic days, a visio evening, a draft and a regional day, all upcoming:
# (title, theme, host or None for visio, working days ahead, evening?, trainers, options)
# with trainers as indices in Planner.trainers.
DAYS_AND_MEETINGS = [
    (
        "Accueillir et faire vivre la différence",
        "accueil",
        ("Centre social de Châteauroux", "Châteauroux"),
        40,
        False,
        (1,),
        {
            "description": "Identifier et faire évoluer les compétences, individuelles et "
            "collectives, nécessaires pour un accueil de qualité ; aller vers les publics "
            "isolés.",
            "capacity": 16,
        },
    ),
    (
        "La participation des habitants : principes communs et cultures multiples",
        "participation",
        ("Centre social de Montargis", "Montargis"),
        47,
        False,
        (1, 2),
        {
            "description": "Histoire et évolution de la participation, nouvelles méthodes "
            "et postures ; échanges de pratiques entre centres.",
            "capacity": 20,
        },
    ),
    (
        "Faire vivre le blog départemental",
        "numerique",
        None,
        6,
        True,
        (2,),
        {
            "description": "Publier les initiatives de votre centre sur le blog de votre "
            "département, en visio, en fin de journée.",
            "capacity": 4,
            "audience": Audience.BENEVOLES,
        },
    ),
    (
        "Veille, projet, évaluation : prendre en main le classeur V.P.E.",
        "evaluation",
        ("Centre social de Joué-lès-Tours", "Joué-lès-Tours"),
        54,
        False,
        (),
        {
            "description": "Faire des évaluations plutôt que des bilans, pour le contrat "
            "de projet.",
            "status": SessionStatus.DRAFT,
        },
    ),
    (
        "Rencontre régionale : le Réseau, appui et ressource des centres sociaux",
        None,
        words.VIERZON,
        68,
        False,
        (),
        {
            "kind": SessionKind.RENCONTRE_REGIONALE,
            "description": "Une journée pour tous les centres sociaux de la région, "
            "adhérents ou non : échanges de pratiques et perspectives du projet régional.",
            "capacity": 80,
            "centre_cap": 4,
        },
    ),
]


def _days_and_meetings(planner: Planner) -> None:
    for title, slug, host, ahead, evening, trainers, options in DAYS_AND_MEETINGS:
        day = _ahead(planner, ahead)
        _session(
            planner,
            host,
            slug,
            title=title,
            theme=slug,
            seances=[(at(day, 18), at(day, 20))] if evening else full_day(day),
            trainers=[planner.trainers[k] for k in trainers],
            **{"kind": SessionKind.FORMATION, "status": SessionStatus.PUBLISHED, **options},
        )
