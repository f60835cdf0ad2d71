"""Stage 5: how many people each session has (the scale's total exactly), then who and how.

Past sessions get enough confirmed people for the scale's attendance marks; upcoming ones fill
up as they come closer; cancelled ones had a few people. The landmark participant is first
in the queue of the special sessions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from devdata import days
from devdata.generate.build import PARTICIPANT_ID, Build, GenerationError
from devdata.generate.sessions import PlannedSession
from reseau.catalogue.models import SessionKind, SessionStatus
from reseau.core.i18n import to_local
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.enrolment.operations import FULL_REASON

# How many people the special sessions to come have, from their capacity.
FIXED = {
    "today": lambda p: p.capacity + 2,
    "landmark": lambda p: p.capacity // 2,
    "upcoming": lambda p: p.capacity // 3,
}
# The special sessions whose queue the landmark participant heads.
WITH_PARTICIPANT = {"past1", "past2", "past3", "landmark", "upcoming"}


def plan_enrolments(build: Build) -> None:
    """Decide how many people each session has, hitting the enrolment total exactly."""
    rng, scale, plans = build.rng, build.scale, build.plans
    limit = max(4, len(build.everyone) - 2)  # distinct people available to one session
    past = [p for p in plans if p.past and p.status == SessionStatus.PUBLISHED]
    future = [p for p in plans if not p.past and p.status == SessionStatus.PUBLISHED]
    cancelled = [p for p in plans if p.status == SessionStatus.CANCELLED]
    # Past sessions: enough confirmed people for the attendance marks (+3 %: the most
    # recent sessions are still waiting for their trainer to close them).
    pairs = scale.attendance_marks * 1.03 + 3
    weight = sum(p.capacity * p.count for p in past) or 1
    budget = scale.enrolments * 0.85
    lam = min(pairs / weight, budget / (sum(p.capacity for p in past) * 1.05 or 1))
    for plan in past:
        confirmed = min(limit, max(3, round(lam * plan.capacity * rng.uniform(0.85, 1.15))))
        build.confirmed_past[plan.id] = confirmed
        plan.capacity = max(plan.capacity, confirmed)
        plan.enrolled = confirmed + round(confirmed * rng.uniform(0.0, 0.1))
    # Upcoming sessions fill up as they come closer; cancelled ones had a few people.
    desire: dict[int, float] = {}
    for plan in future:
        ahead = (to_local(plan.starts_at).date() - build.today).days
        low, high = (0.7, 1.15) if ahead <= 14 else (0.4, 0.9) if ahead <= 45 else (0.1, 0.5)
        desire[plan.id] = plan.capacity * rng.uniform(low, high)
    for plan in cancelled:
        desire[plan.id] = plan.capacity * rng.uniform(0.1, 0.4)
    for plan in future:
        if plan.special in FIXED:
            plan.enrolled = min(limit, FIXED[plan.special](plan))
            desire.pop(plan.id)
    rest = scale.enrolments - sum(p.enrolled for p in plans)
    mu = rest / (sum(desire.values()) or 1)
    by_id = {p.id: p for p in plans}
    for sid, wanted in desire.items():
        by_id[sid].enrolled = min(limit, max(0, round(wanted * mu)))
    _exact_total(build, limit)
    for plan in future + cancelled:
        if plan.kind == SessionKind.RENCONTRE_REGIONALE and plan.enrolled > plan.capacity:
            plan.capacity = plan.enrolled  # regional days take everybody who comes


def _floor(plan: PlannedSession) -> int:
    """The fewest people a session may keep."""
    if plan.past:
        return 3
    if plan.special == "today":
        return plan.capacity
    return 1 if plan.special else 0


def _exact_total(build: Build, limit: int) -> None:
    """Exact total: one enrolment more or less at a time; more on ordinary sessions only."""
    rng, wanted, plans = build.rng, build.scale.enrolments, build.plans
    movable = [p for p in plans if p.status != SessionStatus.DRAFT]
    growing = [p for p in movable if not p.special] or movable
    total = sum(p.enrolled for p in plans)
    tries = 0
    while total != wanted:
        tries += 1
        if tries > 50 * wanted + 1000:
            raise GenerationError("Répartition des inscriptions impossible / cannot spread.")
        if total < wanted:
            plan = rng.choice(growing)
            if plan.enrolled < limit:
                plan.enrolled += 1
                total += 1
            continue
        plan = rng.choice(movable)
        if plan.enrolled > _floor(plan):
            plan.enrolled -= 1
            total -= 1
            if plan.past:  # fewer confirmed people: walk-ins make up the marks
                confirmed = build.confirmed_past[plan.id]
                build.confirmed_past[plan.id] = min(confirmed, plan.enrolled)


def _pick(build: Build, plan: PlannedSession, count: int, forced: list[int]) -> list[int]:
    """Pick ``count`` distinct people, mostly from the session's département."""
    rng = build.rng
    chosen = list(forced)[:count]
    seen = set(chosen)
    per_centre: dict[int | None, int] = {}

    def take(uid: int, capped: bool) -> None:
        centre = build.person_centre[uid]
        if uid in seen or (capped and per_centre.get(centre, 0) >= plan.centre_cap):
            return
        seen.add(uid)
        chosen.append(uid)
        per_centre[centre] = per_centre.get(centre, 0) + 1

    local = build.pools[plan.department]
    want_local = min(len(local), round((count - len(chosen)) * 0.85))
    capped = plan.centre_cap is not None
    for uid in rng.sample(local, want_local):
        if len(chosen) < count:
            take(uid, capped)
    attempts = 0
    everyone = build.everyone
    while len(chosen) < count:
        attempts += 1
        # Past many refusals the cap is given up rather than looping forever.
        take(everyone[rng.randrange(len(everyone))], capped and attempts < 50 * count)
    # Arrival order: shuffled, but the forced people keep their place in the queue.
    tail = chosen[len(forced) :]
    rng.shuffle(tail)
    return chosen[: len(forced)] + tail


def _statuses(build: Build, plan: PlannedSession, forced: int) -> list[EnrolmentStatus]:
    """The status of each person in the queue of ``plan``."""
    rng, n = build.rng, len(plan.people)
    if plan.status == SessionStatus.CANCELLED:
        return [EnrolmentStatus.CANCELLED] * n
    if plan.past:
        confirmed = build.confirmed_past[plan.id]
        statuses = [EnrolmentStatus.CONFIRMED] * confirmed
        statuses += [EnrolmentStatus.CANCELLED] * (n - confirmed)
        tail = statuses[forced:]
        rng.shuffle(tail)
        return statuses[:forced] + tail
    statuses: list[EnrolmentStatus] = []
    for k in range(n):
        if k >= forced and rng.random() < 0.04:
            statuses.append(EnrolmentStatus.CANCELLED)
            continue
        held = sum(s != EnrolmentStatus.CANCELLED for s in statuses)
        if held >= plan.capacity:
            statuses.append(EnrolmentStatus.WAITLISTED)
        elif plan.requires_validation and rng.random() < 0.3:
            statuses.append(EnrolmentStatus.PENDING)
        else:
            statuses.append(EnrolmentStatus.CONFIRMED)
    return statuses


def write_enrolments(build: Build) -> None:
    enrolment_id = 0
    for plan in build.plans:
        forced = [PARTICIPANT_ID] if plan.special in WITH_PARTICIPANT else []
        plan.people = _pick(build, plan, plan.enrolled, forced) if plan.enrolled else []
        plan.statuses = _statuses(build, plan, len(forced))
        n = len(plan.people)
        plan.enrolment_ids = list(range(enrolment_id + 1, enrolment_id + n + 1))
        enrolment_id += n
    build.insert("inscriptions", Enrolment, _enrolment_rows(build), enrolment_id)


def _cancelled_at(build: Build, plan: PlannedSession) -> datetime:
    return min(plan.starts_at - timedelta(days=3), days.at(build.today, 8))


def _enrolment_rows(build: Build) -> Iterator[dict]:
    for plan in build.plans:
        opened = plan.created + timedelta(days=2)
        closing = min(plan.starts_at - timedelta(days=4), days.at(build.today, 8))
        step = max(closing - opened, timedelta(hours=1)) / (len(plan.people) + 1)
        queue = zip(plan.enrolment_ids, plan.people, plan.statuses, strict=True)
        for k, (eid, uid, status) in enumerate(queue, 1):
            queued = (opened + step * k).replace(microsecond=0)
            cancelled = status == EnrolmentStatus.CANCELLED
            when = queued + timedelta(days=1) if cancelled else None
            if cancelled and plan.status == SessionStatus.CANCELLED:
                when = max(queued, _cancelled_at(build, plan))
            yield {
                "id": eid,
                "session_id": plan.id,
                "person_id": uid,
                "status": status,
                "queued_at": queued,
                "waitlist_reason": FULL_REASON if status == EnrolmentStatus.WAITLISTED else "",
                "enrolled_by_id": uid,
                "cancelled_at": when,
                "cancelled_by_id": uid if cancelled else None,
                "created_at": queued,
                "updated_at": when or queued,
            }
