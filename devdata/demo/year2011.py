"""The 2011 days of the seeds, with the exact figures of the network's 2011 report.

Participants by category and centres reached are the report's own, so the bilan of 2011 can be
checked against the seeds (``tests/reports/test_demo.py``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from devdata.days import full_day, morning
from devdata.demo.specs import CentreKey, SessionSpec
from devdata.vocabulary import SAINT_JEAN_DE_BRAYE as SJB
from reseau.catalogue.models import PlaceKind, SessionKind, SessionStatus

if TYPE_CHECKING:
    from devdata.demo.planner import Planner

QUINIERE = ("Centre social Quinière", "Blois")


def plan(planner: Planner) -> None:
    """Plan the six 2011 days, closed, everyone counted present."""
    march, november, june = _centres_reached(planner)
    _bourges_24_march(planner, march)
    _loiret_14_april(planner)
    _general_assembly_9_june(planner, june)
    _indre_and_cher_20_june(planner)
    _loir_et_cher_13_october(planner)
    _orleans_22_november(planner, november)


def _centres_reached(planner: Planner) -> tuple[list[CentreKey], ...]:
    """The centres of the three regional days: 27, 21 and 19 centres, 30 in all."""
    rng = planner.rng
    members = [
        c for c in planner.centres if (s := planner.member_since[c]) and s <= date(2011, 10, 1)
    ]
    assert len(members) == 27  # "27 adhérents fin 2011"
    cher = planner.in_departments("18")
    # 24 March, Bourges: 27 centres (all of the Cher's), 3 members stay away, 3 non-members come.
    absent = rng.sample([c for c in members if c not in cher and c != SJB], 3)
    non_members_2011 = [c for c in planner.centres if c not in members]
    march = [c for c in members if c not in absent] + rng.sample(
        [c for c in non_members_2011 if planner.dept_of[c] in ("36", "45", "37")], 3
    )
    assert len(set(march)) == 27
    # 22 November, Orléans, open to members only: 21 centres, the 3 absent in March included.
    november = absent + rng.sample([c for c in members if c not in absent], 18)
    # 9 June, Saint-Jean-de-Braye: 19 centres among those → 30 centres over the three days.
    came = set(march) | set(november)
    june = [SJB] + rng.sample([c for c in planner.centres if c in came and c != SJB], 18)
    assert len(set(march) | set(november) | set(june)) == 30
    return march, november, june


def _closed_day(**kw) -> SessionSpec:
    return SessionSpec(status=SessionStatus.CLOSED, **kw)


def _bourges_24_march(planner: Planner, centres: list[CentreKey]) -> None:
    spec = _closed_day(
        title="Réforme territoriale et centres sociaux : conférence-débat régionale",
        kind=SessionKind.RENCONTRE_REGIONALE,
        seances=full_day(date(2011, 3, 24)),
        description=(
            "Conférence-débat sur la réforme des collectivités territoriales et son impact "
            "sur l'action des centres sociaux. Journée co-construite avec la FCSF et "
            "l'Adels, avec la participation de quatre territoires (Nièvre, Allier, "
            "Côte-d'Or et Centre)."
        ),
        place_kind=PlaceKind.ADDRESS,
        town="Bourges",
        postcode="18000",
        department="18",
        capacity=60,
    )
    # 48 participants: 28 salariés, 12 bénévoles, 1 élu municipal, 7 agents CAF.
    people = planner.draw(centres, salaries=28, benevoles=12, caf_agents=7, elus_municipaux=1)
    planner.close(spec, people)
    planner.add(spec)


def _loiret_14_april(planner: Planner) -> None:
    spec = _closed_day(
        title="2e journée du Bien vivre ensemble dans le Loiret",
        kind=SessionKind.JOURNEE_DEPARTEMENTALE,
        theme="participation",
        seances=full_day(date(2011, 4, 14)),
        description=(
            "« La participation des habitants, des principes communs et des cultures "
            "multiples » : échanges de pratiques et apports de la SCOP « L'engrenage, le "
            "Pavé » sur l'histoire de la participation, ses méthodes et ses postures. "
            "Avec le soutien de la municipalité de Châteauneuf-sur-Loire."
        ),
        host=("Centre social de Châteauneuf-sur-Loire", "Châteauneuf-sur-Loire"),
        department="45",
        capacity=80,
    )
    # Every centre of the Loiret took part: 25 structures.
    loiret = planner.in_departments("45")
    planner.close(spec, planner.draw(loiret, salaries=36, benevoles=24, elus=3))
    planner.add(spec)


def _general_assembly_9_june(planner: Planner, centres: list[CentreKey]) -> None:
    spec = _closed_day(
        title="Assemblée générale 2011 et valorisation des dynamiques départementales",
        kind=SessionKind.RENCONTRE_REGIONALE,
        seances=full_day(date(2011, 6, 9)),
        description=(
            "Journée régionale incluant l'assemblée générale du Réseau : élection de deux "
            "nouveaux administrateurs bénévoles de centres sociaux d'Indre-et-Loire et du "
            "Loiret."
        ),
        host=SJB,
        department="45",
        capacity=60,
    )
    # 19 centres were present.
    planner.close(spec, planner.draw(centres, salaries=17, benevoles=13, elus=6))
    planner.add(spec)


def _indre_and_cher_20_june(planner: Planner) -> None:
    spec = _closed_day(
        title="Comment accueillir et faire vivre la différence dans les centres sociaux ?",
        kind=SessionKind.JOURNEE_DEPARTEMENTALE,
        theme="accueil",
        seances=full_day(date(2011, 6, 20)),
        description=(
            "Journée des centres sociaux de l'Indre et du Cher : échanges de pratiques "
            "autour des actions de lutte contre les discriminations, intervention de "
            "l'association « Toit du monde », création d'un outil d'animation."
        ),
        host=("Centre social de Châteauroux", "Châteauroux"),
        department="36",
        capacity=60,
    )
    # All the centres of the Cher and the Indre: 51 participants, 29 habitants and
    # bénévoles, 22 salariés.
    centres = planner.in_departments("18", "36")
    planner.close(spec, planner.draw(centres, salaries=22, benevoles=29))
    planner.add(spec)


def _loir_et_cher_13_october(planner: Planner) -> None:
    spec = _closed_day(
        title="Animation globale : une culture commune des centres sociaux du Loir-et-Cher",
        kind=SessionKind.JOURNEE_DEPARTEMENTALE,
        seances=morning(date(2011, 10, 13)),
        description=(
            "Une des rencontres des centres sociaux du Loir-et-Cher : définition commune de "
            "l'animation globale, document collectif, préparation du film « Les centres "
            "sociaux du Loir-et-Cher »."
        ),
        host=QUINIERE,
        department="41",
        capacity=30,
    )
    # 8 of the 9 centres of the Loir-et-Cher.
    loir = planner.in_departments("41")
    loir.remove(planner.rng.choice([c for c in loir if c != QUINIERE]))
    planner.close(spec, planner.draw(loir, salaries=11, benevoles=7))
    planner.add(spec)


def _orleans_22_november(planner: Planner, centres: list[CentreKey]) -> None:
    spec = _closed_day(
        title="Le fédéralisme en question",
        kind=SessionKind.RENCONTRE_REGIONALE,
        seances=full_day(date(2011, 11, 22)),
        description=(
            "Rencontre ouverte aux adhérents du Réseau, avec la fédération des centres "
            "sociaux de Bretagne et la Carsat du Centre : le contexte et les perspectives "
            "de l'association, les craintes, les atouts et la plus-value du passage en "
            "fédération."
        ),
        place_kind=PlaceKind.ADDRESS,
        town="Orléans",
        postcode="45000",
        department="45",
        capacity=60,
    )
    # 21 centres.
    people = planner.draw(centres, salaries=19, benevoles=12, elus=5, partners=2)
    planner.close(spec, people)
    planner.add(spec)
