"""Stage 4: sessions planned over the past year and the next six months, then written with
their séances and trainers (after stage 5 has decided how many people each one has).

A few "special" sessions of the landmark trainer anchor the landmark pages: one today with a
full roster, three past ones and two to come, all in the landmark centre's département.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from devdata import days
from devdata import vocabulary as words
from devdata.generate.build import (
    DOMAIN,
    FUTURE_DAYS,
    PAST_DAYS,
    TRAINER_ID,
    Build,
    GenerationError,
)
from devdata.generate.places import postcode
from reseau.catalogue.models import (
    Audience,
    PlaceKind,
    PromotionMode,
    Seance,
    SeanceStatus,
    SessionKind,
    SessionStatus,
    TrainingSession,
    session_trainer,
)
from reseau.core.i18n import to_local
from reseau.enrolment.models import EnrolmentStatus

# (label, days from today, séances)
SPECIALS = [
    ("today", 0, 2),
    ("past1", -120, 2),
    ("past2", -75, 2),
    ("past3", -40, 1),
    ("landmark", 15, 3),
    ("upcoming", 30, 2),
]


@dataclass
class PlannedSession:
    """A session being planned, before it becomes a row."""

    id: int
    day: date
    count: int  # number of séances
    kind: SessionKind
    department: int  # index in Build.departments
    special: str = ""
    status: SessionStatus = SessionStatus.PUBLISHED
    capacity: int = 12
    enrolled: int = 0
    seances: list[tuple[int, datetime, datetime]] | None = None
    trainers: list[int] | None = None
    people: list[int] | None = None  # in queue order
    statuses: list[EnrolmentStatus] | None = None
    enrolment_ids: list[int] | None = None
    past: bool = False
    requires_validation: bool = False
    centre_cap: int | None = None
    created: datetime | None = None

    @property
    def starts_at(self) -> datetime:
        return self.seances[0][1]

    @property
    def ends_at(self) -> datetime:
        return self.seances[-1][2]


def plan_sessions(build: Build) -> None:
    rng, scale, today = build.rng, build.scale, build.today
    if scale.seances < scale.sessions:
        raise GenerationError("Il faut au moins une séance par session / one séance each.")
    plans: list[PlannedSession] = []
    home = build.centre_dept[0]
    for label, offset, count in SPECIALS[: scale.sessions]:
        day = today if label == "today" else days.working_day(today + timedelta(days=offset))
        plans.append(PlannedSession(0, day, count, SessionKind.FORMATION, home, special=label))
    for _ in range(scale.sessions - len(plans)):
        day = days.working_day(today + timedelta(days=rng.randint(-PAST_DAYS, FUTURE_DAYS)))
        kind = rng.choices(list(SessionKind), [80, 8, 12])[0]
        count = rng.choices([1, 2, 3, 4, 5], [20, 30, 20, 15, 15])[0]
        department = rng.randrange(len(build.departments))
        plans.append(PlannedSession(0, day, count, kind, department))
    _spread_seances(build, plans)
    # Ids follow the calendar, as they would in real life.
    plans.sort(key=lambda p: (p.day, p.special))
    seance_id = 0
    for number, plan in enumerate(plans, 1):
        plan.id = number
        plan.seances = []
        day = plan.day
        for k in range(plan.count):
            if k and k % 2 == 0:
                day = days.working_day(day + timedelta(days=1))
            seance_id += 1
            plan.seances.append((seance_id, *days.half_day(day, k % 2 == 1)))
        _shape(build, plan)
    build.plans = plans


def _spread_seances(build: Build, plans: list[PlannedSession]) -> None:
    """Exactly scale.seances séances: adjust the ordinary sessions one séance at a time."""
    rng, wanted = build.rng, build.scale.seances
    ordinary = [p for p in plans if not p.special] or plans
    total = sum(p.count for p in plans)
    cap = max(6, math.ceil((wanted - total) / len(ordinary)) + 6)
    while total != wanted:
        plan = rng.choice(ordinary)
        if total < wanted and plan.count < cap:
            plan.count += 1
            total += 1
        elif total > wanted and plan.count > 1:
            plan.count -= 1
            total -= 1


def _shape(build: Build, plan: PlannedSession) -> None:
    """Choose status, capacity and trainers of a planned session."""
    rng = build.rng
    first_day = to_local(plan.starts_at).date()
    last_day = to_local(plan.ends_at).date()
    plan.past = last_day < build.today
    if plan.kind == SessionKind.FORMATION:
        plan.capacity = rng.choice([10, 12, 12, 14, 15, 16, 18, 20])
    elif plan.kind == SessionKind.JOURNEE_DEPARTEMENTALE:
        plan.capacity = rng.choice([30, 40, 50, 60])
    else:
        plan.capacity = rng.choice([60, 80, 100, 120])
    if plan.special:
        plan.capacity = 16 if plan.special == "today" else 14
        plan.trainers = [TRAINER_ID]
    else:
        extra = 1 if rng.random() < 0.2 else 0
        plan.trainers = sorted(set(rng.sample(build.trainers, 1 + extra)))
        if rng.random() < 0.04:
            plan.status = SessionStatus.CANCELLED
        elif first_day > build.today and rng.random() < 0.04:
            plan.status = SessionStatus.DRAFT
    plan.capacity = min(plan.capacity, max(4, len(build.everyone) // 2))


def write_sessions(build: Build) -> None:
    rows, seances, trainers = [], [], []
    for plan in build.plans:
        row = _session_row(build, plan)
        rows.append(row)
        gone = plan.status == SessionStatus.CANCELLED
        for seance_id, start, end in plan.seances:
            seances.append(
                {
                    "id": seance_id,
                    "session_id": plan.id,
                    "starts_at": start,
                    "ends_at": end,
                    "status": SeanceStatus.CANCELLED if gone else SeanceStatus.SCHEDULED,
                    "sequence": 1 if gone else 0,
                    "updated_at": row["updated_at"],
                }
            )
        trainers += [{"session_id": plan.id, "user_id": uid} for uid in plan.trainers]
    build.insert("sessions", TrainingSession, rows, len(rows))
    build.insert("séances", Seance, seances, len(seances))
    build.insert("formateur·rices", session_trainer, trainers, len(trainers))


def _title(build: Build, plan: PlannedSession, town: str) -> tuple:
    """(module id, theme slug, title, objectives, audience) of a planned session."""
    rng = build.rng
    if plan.kind == SessionKind.FORMATION and (plan.special or rng.random() < 0.85):
        module_id, slug, title, objectives, audience = rng.choice(build.modules[plan_year(plan)])
        return module_id, slug, f"{title} – {town}", objectives, audience
    slug = rng.choice(list(build.theme_id))
    base = words.EVENT_TITLES[slug]
    if plan.kind == SessionKind.FORMATION:
        return None, slug, f"{base} – {town}", "", Audience.TOUS
    if plan.kind == SessionKind.JOURNEE_DEPARTEMENTALE:
        dept_name = build.departments[plan.department][1]
        return None, slug, f"{base} – journée départementale ({dept_name})", "", Audience.TOUS
    return None, slug, f"Rencontre régionale : {base}", "", Audience.TOUS


def plan_year(plan: PlannedSession) -> int:
    return to_local(plan.starts_at).year


def _place(build: Build, plan: PlannedSession) -> tuple[int, PlaceKind]:
    """The host centre's id and the kind of place (the landmark centre for special ones)."""
    rng = build.rng
    centres = list(range(plan.department, build.scale.centres, len(build.departments)))
    centres = centres or list(range(build.scale.centres))
    host = (0 if plan.special else rng.choice(centres)) + 1
    place = rng.choices(list(PlaceKind), [75, 10, 15])[0]
    if plan.special:
        place = PlaceKind.CENTRE
    if plan.kind != SessionKind.FORMATION and place == PlaceKind.VISIO:
        place = PlaceKind.CENTRE
    return host, place


def _session_row(build: Build, plan: PlannedSession) -> dict:
    rng, today = build.rng, build.today
    dept_code, _, capital = build.departments[plan.department]
    host, place = _place(build, plan)
    town = build.centre_town[host - 1] if place != PlaceKind.VISIO else "en visio"
    module_id, slug, title, objectives, audience = _title(build, plan, town)
    first = plan.starts_at
    created = min(first - timedelta(days=rng.randint(30, 90)), days.at(today, 8))
    published = None if plan.status == SessionStatus.DRAFT else created + timedelta(days=2)
    cancelled = None
    if plan.status == SessionStatus.CANCELLED:
        cancelled = min(first - timedelta(days=rng.randint(3, 15)), days.at(today, 8))
        cancelled = max(cancelled, created + timedelta(days=3))
    # A per-centre cap only where the centres can fill the session under it.
    if (
        plan.kind == SessionKind.RENCONTRE_REGIONALE
        and rng.random() < 0.3
        and plan.enrolled * 3 <= 4 * build.scale.centres
    ):
        plan.centre_cap = 4
    validation = plan.kind == SessionKind.FORMATION and not plan.special
    plan.requires_validation = validation and rng.random() < 0.1
    plan.created = created
    at_address = place == PlaceKind.ADDRESS
    return {
        "id": plan.id,
        "kind": plan.kind,
        "title": title[:200],
        "theme_id": build.theme_id[slug],
        "module_id": module_id,
        "description": build.theme_description[slug],
        "objectives": objectives,
        "audience": audience,
        "status": plan.status,  # closed ones are updated after the attendance
        "capacity": plan.capacity,
        "centre_cap": plan.centre_cap,
        "enrolment_deadline": days.at(to_local(first).date() - timedelta(days=3), 23, 59),
        "place_kind": place,
        "host_centre_id": host if place == PlaceKind.CENTRE else None,
        "place_name": "Salle des fêtes" if at_address else "",
        "address": f"{rng.randint(1, 60)}, {rng.choice(words.STREETS)}" if at_address else "",
        "postcode": postcode(dept_code) if at_address else "",
        "town": capital if at_address else "",
        "department_id": plan.department + 1,
        "visio_url": f"https://visio.{DOMAIN}/session-{plan.id}"
        if place == PlaceKind.VISIO
        else "",
        "what_to_bring": words.WHAT_TO_BRING if plan.kind == SessionKind.FORMATION else "",
        "requires_validation": plan.requires_validation,
        "promotion_mode": PromotionMode.OFFER if rng.random() < 0.15 else PromotionMode.AUTOMATIC,
        "starts_at": plan.starts_at,
        "ends_at": plan.ends_at,
        "created_at": created,
        "updated_at": cancelled or published or created,
        "published_at": published,
        "cancelled_at": cancelled,
    }
