"""The 2012 cycles of the three main themes (past, closed) and the general assembly of 2012."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from devdata import vocabulary as words
from devdata.days import full_day, morning
from devdata.demo.specs import FORMATRICE, CycleSpec, SessionSpec, module_fields
from reseau.catalogue.models import Audience, SessionKind, SessionStatus

if TYPE_CHECKING:
    from devdata.demo.planner import Planner

CYCLE_TITLE = "Cycle de formation 2012"
# Where and when each module of each cycle was held.
PLACES = {
    "fondamentaux": [
        (words.VIERZON, date(2012, 1, 28)),
        (words.SAINT_JEAN_DE_BRAYE, date(2012, 3, 10)),
        (("Centre social du Sanitas", "Tours"), date(2012, 4, 14)),
    ],
    "fonction-employeur": [
        (("Centre social de Châteauroux", "Châteauroux"), date(2012, 2, 18)),
        (("Centre social Quinière", "Blois"), date(2012, 3, 24)),
        (("Centre social de La Source", "Orléans"), date(2012, 5, 12)),
    ],
    "strategie-partenaires": [
        (("Centre social La Chancellerie", "Bourges"), date(2012, 9, 22)),
        (words.BLANC, date(2012, 10, 13)),
        (("Centre social de Saint-Georges-sur-Eure", "Saint-Georges-sur-Eure"),
         date(2012, 11, 17)),
    ],
}  # fmt: skip


def plan(planner: Planner) -> list[CycleSpec]:
    """Plan the 2012 cycles, one session per module, and the AG of 14 June 2012."""
    cycles = []
    members_2012 = [
        c for c in planner.centres if (s := planner.member_since[c]) and s <= date(2012, 12, 31)
    ]
    for slug, audience, description, objectives, modules in words.CYCLES:
        cycles.append(
            (slug, CYCLE_TITLE, 2012, Audience(audience), description, objectives, modules)
        )
        for module, host_day in zip(modules, PLACES[slug], strict=True):
            _module_session(planner, slug, Audience(audience), module, host_day, members_2012)
    _general_assembly_14_june(planner)
    return cycles


def _module_session(planner: Planner, slug, audience, module, host_day, members) -> None:
    rng = planner.rng
    (title, _, hours), (host, day) = module, host_day
    spec = SessionSpec(
        title=f"{title} – {host[1]}, 2012",
        **module_fields(slug, CYCLE_TITLE, module),
        audience=audience,
        seances=full_day(day) if hours > 3 else morning(day),
        host=host,
        department=planner.dept_of[host],
        capacity=14,
        trainers=[FORMATRICE] if slug == "fondamentaux" else [rng.choice(planner.trainers)],
    )
    if host[0].endswith("La Source"):  # not enough people: the session was cancelled
        spec.status = SessionStatus.CANCELLED
    else:
        counts = {
            "benevoles": rng.randint(6, 9),
            "elus": rng.randint(1, 2),
            "salaries": rng.randint(0, 2),
        }
        centres = rng.sample(members, rng.randint(4, 7))
        planner.close(spec, planner.draw(centres, **counts), feedback=0.6)
    planner.add(spec)


def _general_assembly_14_june(planner: Planner) -> None:
    spec = SessionSpec(
        title="Assemblée générale du Réseau des centres sociaux de la Région Centre 2012",
        kind=SessionKind.RENCONTRE_REGIONALE,
        status=SessionStatus.CLOSED,
        seances=full_day(date(2012, 6, 14)),
        description=(
            "Bilan en groupes : en quoi le Réseau a été un appui, une ressource pour votre "
            "centre social ? Perspectives pour le projet."
        ),
        host=words.BLANC,
        department="36",
        capacity=60,
    )
    # Groups A, B and C: 15 bénévoles and 22 salariés from the 45, 37, 36 and 18.
    centres = planner.rng.sample(planner.in_departments("45", "37", "36", "18"), 16)
    planner.close(spec, planner.draw(centres, salaries=22, benevoles=15, partners=2))
    planner.add(spec)
