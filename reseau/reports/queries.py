"""The bilan's figures: every one is an aggregate SQL query (GROUP BY in the database).

Python only adds up the grouped rows (a few per theme, category or centre), never the
attendance or enrolment rows themselves, and the page makes the same number of queries
whatever the size of the database.

Definitions (shown on the page too):

- a session belongs to the period when its first séance starts in it; drafts never count;
- a session is *held* when it is closed, or published and already started; *cancelled* when
  its status says so. Only the scheduled séances of held sessions count (a cancelled séance
  gives no hours);
- *hours delivered*: the sum of the durations of those séances; *trainee-hours*: the sum, over
  every person, of the hours of the séances they attended (present or late, walk-ins too);
- a *participant* attended at least one séance of a held session of the period, and counts
  once whatever the number of sessions; a *first-time* participant attended nothing before;
- *attendance rate*: séances attended by the people with a confirmed enrolment, over the
  séances they were expected at, in closed sessions (attendance is final once closed);
  a *no-show* is a confirmed enrolment in a closed session without any séance attended.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from operator import attrgetter

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import Category, Centre, Department, User
from reseau.attendance.models import (
    Attendance,
    AttendanceStatus,
    BilanSessionCategory,
    BilanSessionCount,
    BilanSessionMonth,
    BilanSessionTally,
    BilanYearCount,
    Feedback,
)
from reseau.attendance.rollups import ALL_KINDS
from reseau.catalogue.models import (
    Cycle,
    Module,
    Seance,
    SeanceStatus,
    SessionKind,
    SessionStatus,
    Theme,
    TrainingSession,
)
from reseau.core.database import counts, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.core.periods import Period
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.membership import queries as membership

ATTENDED = AttendanceStatus.ATTENDED
COMMENT_LIMIT = 8
CENTRE_LIMIT = 500
TOP_NEEDS = 5
# One line per session suits a regional report; a national year lists the first ones.
EVENT_LIMIT = 300


# --- portable SQL functions ---------------------------------------------------------------


# --- the period and what it selects -----------------------------------------------------------


THEME_ID = sa.func.coalesce(TrainingSession.theme_id, Cycle.theme_id)


def _with_cycle(query: sa.Select) -> sa.Select:
    """Join the session's module and cycle (both optional) to ``query``."""
    return query.outerjoin(Module, Module.id == TrainingSession.module_id).outerjoin(
        Cycle, Cycle.id == Module.cycle_id
    )


def _held(scope: Period):
    return sa.or_(
        TrainingSession.status == SessionStatus.CLOSED,
        sa.and_(
            TrainingSession.status == SessionStatus.PUBLISHED,
            TrainingSession.starts_at < scope.instant,
        ),
    )


def _centre_sessions(centre_id: int) -> sa.Select:
    """Sessions where someone of the centre enrolled or was recorded (walk-ins too)."""
    return sa.select(BilanSessionCount.session_id).where(
        BilanSessionCount.centre_id == centre_id,
        sa.or_(BilanSessionCount.enrolments > 0, BilanSessionCount.recorded > 0),
    )


def _counted(scope: Period) -> list:
    """Conditions on the sessions' summary rows: the scope's centre, if any."""
    if scope.centre_id is None:
        return []
    return [BilanSessionCount.centre_id == scope.centre_id]


def _year_counts(scope: Period) -> sa.Select | None:
    """FROM the year's distinct people (None: the period is not a calendar year)."""
    if not scope.is_year:
        return None
    kind = scope.kind.value if scope.kind is not None else ALL_KINDS
    conditions = [BilanYearCount.year == scope.start.year, BilanYearCount.kind == kind]
    if scope.centre_id is not None:
        conditions.append(BilanYearCount.centre_id == scope.centre_id)
    return sa.select().select_from(BilanYearCount).where(*conditions)


@dataclass
class YearFigures:
    """A calendar year's distinct people, read from its rows: ``groups`` per (category,
    sub-category): participants, first-timers, people waiting; ``centres`` per centre (with
    its département and membership): participants."""

    groups: list
    centres: list
    # With a limit on the centres (the page): those with the most participants only (ties
    # kept), and what the others add to: [(code, département, people)], centres, members.
    departments: list | None = None
    centre_count: int | None = None
    member_count: int | None = None

    @property
    def first_timers(self) -> int:
        return sum(row.first_timers for row in self.groups)

    @property
    def waitlisted(self) -> int:
        return sum(row.waitlisted for row in self.groups)

    @property
    def sub_categories(self) -> dict[tuple[Category, str], int]:
        return {
            (Category(row.category), row.sub_category): row.participants
            for row in self.groups
            if row.participants
        }


def _year_figures(scope: Period, centre_limit: int | None = None) -> YearFigures | None:
    """The year's rows, grouped in two queries (None: the period is not a calendar year);
    with ``centre_limit``, three: the centres with the most participants only (those tied
    with the last one too), and the départements and counts of all of them."""
    year = _year_counts(scope)
    if year is None:
        return None
    count = BilanYearCount
    groups = year.add_columns(
        count.category,
        count.sub_category,
        sa.func.sum(count.participants).label("participants"),
        sa.func.sum(count.first_timers).label("first_timers"),
        sa.func.sum(count.waitlisted).label("waitlisted"),
    ).group_by(count.category, count.sub_category)
    people = sa.func.sum(count.participants)
    # Added up per centre first, then the few thousand centres named (membership once each).
    per_centre = (
        year.add_columns(count.centre_id, people.label("people"))
        .group_by(count.centre_id)
        .having(people > 0)
        .subquery()
    )
    member = _member(scope)
    centres = (
        sa.select(
            per_centre.c.people, Centre.id.label("centre_id"), Centre.name.label("centre"),
            Centre.town, member.label("member"), Department.code,
            Department.name.label("department"),
        )
        .select_from(per_centre)
        .outerjoin(Centre, Centre.id == per_centre.c.centre_id)
        .outerjoin(Department, Department.id == Centre.department_id)
    )  # fmt: skip
    if centre_limit is None:
        return YearFigures(db.session.execute(groups).all(), db.session.execute(centres).all())
    # The people of the ``centre_limit``-th centre: every centre with as many is listed.
    threshold = (
        sa.select(per_centre.c.people)
        .join(Centre, Centre.id == per_centre.c.centre_id)
        .order_by(per_centre.c.people.desc())
        .offset(centre_limit - 1)
        .limit(1)
        .scalar_subquery()
    )
    top = centres.where(
        Centre.id.is_not(None), per_centre.c.people >= sa.func.coalesce(threshold, 0)
    )
    departments = (
        sa.select(
            Department.code,
            Department.name,
            sa.func.sum(per_centre.c.people),
            sa.func.count(Centre.id),
            sa.func.count(sa.case((member, 1))),
        )
        .select_from(per_centre)
        .outerjoin(Centre, Centre.id == per_centre.c.centre_id)
        .outerjoin(Department, Department.id == Centre.department_id)
        .group_by(Department.code, Department.name)
    )
    rows = db.session.execute(departments).all()
    return YearFigures(
        db.session.execute(groups).all(),
        db.session.execute(top).all(),
        departments=[(code, name, int(people)) for code, name, people, _, _ in rows],
        centre_count=sum(int(n) for *_, n, _ in rows),
        member_count=sum(int(n) for *_, n in rows),
    )


def _member(scope: Period):
    return membership.is_member_in(scope.end.year)  # the adhésions of the period's last year


def _in_period(scope: Period) -> list:
    conditions = [
        TrainingSession.starts_at >= scope.lower,
        TrainingSession.starts_at < scope.upper,
        TrainingSession.status != SessionStatus.DRAFT,
    ]
    if scope.centre_id is not None:
        conditions.append(TrainingSession.id.in_(_centre_sessions(scope.centre_id)))
    if scope.kind is not None:
        conditions.append(TrainingSession.kind == scope.kind)
    return conditions


def _person_conditions(scope: Period) -> list:
    return [] if scope.centre_id is None else [User.centre_id == scope.centre_id]


def _attended(scope: Period) -> sa.Select:
    """FROM attended séances of held sessions of the period, joined to the person."""
    return (
        sa.select()
        .select_from(Attendance)
        .join(Seance, Seance.id == Attendance.seance_id)
        .join(TrainingSession, TrainingSession.id == Seance.session_id)
        .join(User, User.id == Attendance.person_id)
        .where(
            Attendance.status.in_(ATTENDED),
            Seance.status == SeanceStatus.SCHEDULED,
            _held(scope),
            *_in_period(scope),
            *_person_conditions(scope),
        )
    )


def _participants(scope: Period):
    """Subquery: the distinct people who attended (each once)."""
    return _attended(scope).add_columns(Attendance.person_id).distinct().subquery()


# --- the figures ------------------------------------------------------------------------------


@dataclass
class Offer:
    """Sessions, séances and hours for one group (a kind, a theme, a cycle or everything)."""

    label: str
    held: int = 0
    cancelled: int = 0
    seances: int = 0
    hours: float = 0.0
    trainee_hours: float = 0.0

    def add(self, other: Offer) -> None:
        self.held += other.held
        self.cancelled += other.cancelled
        self.seances += other.seances
        self.hours += other.hours
        self.trainee_hours += other.trainee_hours


@dataclass
class CentreCount:
    id: int
    name: str
    town: str
    department: str
    member: bool
    people: int = 0


@dataclass
class Event:
    session: TrainingSession
    centres: int = 0
    by_category: dict = field(default_factory=dict)
    # {(category, sub-category): people}, from the same rows as ``by_category``.
    by_sub_category: dict = field(default_factory=dict)

    @property
    def participants(self) -> int:
        return sum(self.by_category.values())


@dataclass
class ThemeRate:
    label: str
    expected: int = 0
    attended: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.attended / self.expected) if self.expected else None


@dataclass
class Need:
    label: str
    people: int
    score: int
    sessions: int

    @property
    def covered(self) -> bool:
        return self.sessions > 0


@dataclass
class Bilan:
    scope: Period
    total: Offer
    by_kind: list[Offer]
    by_theme: list[Offer]
    by_cycle: list[Offer]
    participants: int
    by_category: dict
    by_department: list[tuple[str, int]]
    centres: list[CentreCount]
    first_timers: int
    expected: int
    attended: int
    no_shows: int
    rates: list[ThemeRate]
    waitlisted: int
    waitlisted_people: int
    satisfaction: dict
    comments: list
    hours_by_month: list[tuple[str, float]]
    events: list[Event]
    campaigns: list = field(default_factory=list)  # the period's diagnostic campaigns
    needs: list[Need] = field(default_factory=list)
    years: list[int] = field(default_factory=list)  # what the year switch offers
    network_members: int | None = None  # member centres of the network (adhésions), whole bilan
    # A calendar year's people by (category, sub-category), from its rows (None: count them).
    sub_category_counts: dict | None = None
    # When ``centres`` holds only those with the most participants (the page): how many
    # centres were reached, and how many of them are members (else counted from ``centres``).
    centre_count: int | None = None
    member_count: int | None = None

    @property
    def campaign(self):
        """The period's latest campaign (None: the period had none)."""
        return self.campaigns[-1] if self.campaigns else None

    @property
    def campaign_titles(self) -> str:
        """« A » or « A » et « B »: the campaigns the needs come from."""
        titles = [f"« {campaign.title} »" for campaign in self.campaigns]
        return " et ".join([", ".join(titles[:-1]), titles[-1]] if len(titles) > 1 else titles)

    @property
    def reached(self) -> int:
        """The centres reached (``centres`` may list only the first of them)."""
        return len(self.centres) if self.centre_count is None else self.centre_count

    @cached_property
    def member_centres(self) -> int:
        if self.member_count is not None:
            return self.member_count
        return sum(1 for centre in self.centres if centre.member)

    @property
    def other_centres(self) -> int:
        return self.reached - self.member_centres

    @property
    def attendance_percent(self) -> int | None:
        return round(100 * self.attended / self.expected) if self.expected else None

    @property
    def feedback_count(self) -> int:
        return sum(self.satisfaction.values())

    @property
    def satisfaction_average(self) -> float | None:
        count = self.feedback_count
        if not count:
            return None
        return round(sum(score * n for score, n in self.satisfaction.items()) / count, 1)

    @property
    def top_needs(self) -> list[Need]:
        return [need for need in self.needs if need.people][:TOP_NEEDS]

    @property
    def needs_covered(self) -> int:
        return sum(1 for need in self.top_needs if need.covered)

    @property
    def needs_percent(self) -> int | None:
        top = self.top_needs
        return round(100 * self.needs_covered / len(top)) if top else None


def _per_session(scope: Period):
    """Per session of the period: its tally (its own séances, minutes and feedback by score,
    and its people's columns for the network), and for one centre's bilan a subquery of the
    centre's people's columns (its summary rows by centre)."""
    tally = BilanSessionTally.__table__
    if scope.centre_id is None:
        return tally, tally
    counts = BilanSessionCount
    people = (
        sa.select(
            counts.session_id,
            *(sa.func.sum(getattr(counts, name)).label(name) for name in PER_SESSION),
        )
        .join(TrainingSession, TrainingSession.id == counts.session_id)
        .where(*_counted(scope), *_in_period(scope))
        .group_by(counts.session_id)
        .subquery()
    )
    return tally, people


# What the offer's rows add up from the sessions' summary rows, per session.
PER_SESSION = ("trainee_minutes", "confirmed", "confirmed_marks", "no_shows", "waitlisted")
SCORES = range(5, 0, -1)


def _offer_rows(scope: Period) -> list[sa.Row]:
    """Rows (kind, theme_id, theme, cycle_id, cycle, year, held, cancelled, seances, hours,
    trainee_hours, and in closed sessions the séances expected and attended and the no-shows,
    the waiting list of sessions not cancelled, the feedback by score): one row per session
    and its tally (no séance, mark or feedback read), grouped; a single pass over the
    period's sessions."""
    held = _held(scope)
    closed = TrainingSession.status == SessionStatus.CLOSED
    own, people = _per_session(scope)

    def if_held(value, condition=held):
        return sa.func.sum(sa.case((condition, sa.func.coalesce(value, 0)), else_=0))

    query = (
        sa.select(
            TrainingSession.kind,
            THEME_ID.label("theme_id"),
            Theme.name.label("theme"),
            Cycle.id.label("cycle_id"),
            Cycle.title.label("cycle"),
            Cycle.year.label("year"),
            if_held(1).label("held"),
            sa.func.sum(
                sa.case((TrainingSession.status == SessionStatus.CANCELLED, 1), else_=0)
            ).label("cancelled"),
            if_held(own.c.seances).label("seances"),
            (if_held(own.c.seance_minutes) / 60.0).label("hours"),
            (if_held(people.c.trainee_minutes) / 60.0).label("trainee_hours"),
            if_held(people.c.confirmed * own.c.seances, closed).label("expected"),
            if_held(people.c.confirmed_marks, closed).label("attended"),
            if_held(people.c.no_shows, closed).label("no_shows"),
            if_held(people.c.waitlisted, TrainingSession.status != SessionStatus.CANCELLED).label(
                "waitlisted"
            ),
            *(
                sa.func.sum(sa.func.coalesce(own.c[f"feedback_{score}"], 0)).label(
                    f"feedback_{score}"
                )
                for score in SCORES
            ),
        )
        .select_from(TrainingSession)
        .outerjoin(own, own.c.session_id == TrainingSession.id)
    )
    if people is not own:
        query = query.outerjoin(people, people.c.session_id == TrainingSession.id)
    query = _with_cycle(query).outerjoin(Theme, Theme.id == THEME_ID)
    return db.session.execute(
        query.where(*_in_period(scope)).group_by(
            TrainingSession.kind, THEME_ID, Theme.name, Cycle.id, Cycle.title, Cycle.year
        )
    ).all()


def _offers(scope: Period, rows: list[sa.Row]):
    total = Offer("Total")
    kinds = {kind: Offer(kind.label) for kind in SessionKind}
    themes: dict = {}
    cycles: dict = {}
    for row in rows:
        offer = Offer(
            "",
            held=row.held,
            cancelled=row.cancelled,
            seances=row.seances,
            hours=float(row.hours or 0),
            trainee_hours=float(row.trainee_hours or 0),
        )
        total.add(offer)
        kinds[SessionKind(row.kind)].add(offer)
        theme_key = row.theme_id
        themes.setdefault(theme_key, Offer(row.theme or "Sans thématique")).add(offer)
        if row.cycle_id is not None:
            title = row.cycle if str(row.year) in row.cycle else f"{row.cycle} {row.year}"
            cycles.setdefault(row.cycle_id, Offer(f"{title} – {row.theme}")).add(offer)
    for offer in [total, *kinds.values(), *themes.values(), *cycles.values()]:
        offer.hours = round(offer.hours, 1)
        offer.trainee_hours = round(offer.trainee_hours, 1)
    by_theme = sorted(themes.items(), key=lambda item: (item[0] is None, item[1].label))
    return (
        total,
        list(kinds.values()),
        [offer for _, offer in by_theme],
        sorted(cycles.values(), key=lambda offer: offer.label),
        {theme_id: offer.held for theme_id, offer in themes.items()},
    )


def _people_rows(scope: Period) -> list[sa.Row]:
    """Rows per (category, centre): people; with the centre's département and membership,
    counted from the attendance rows (any period)."""
    member = _member(scope)
    people = _participants(scope)
    return db.session.execute(
        sa.select(
            sa.func.count().label("people"),
            Centre.id.label("centre_id"),
            Centre.name.label("centre"),
            Centre.town,
            member.label("member"),
            Department.code,
            Department.name.label("department"),
            User.category,
        )
        .select_from(people)
        .join(User, User.id == people.c.person_id)
        .outerjoin(Centre, Centre.id == User.centre_id)
        .outerjoin(Department, Department.id == Centre.department_id)
        .group_by(
            User.category, Centre.id, Centre.name, Centre.town, member, Department.code,
            Department.name,
        )
    ).all()  # fmt: skip


def _people(scope: Period, year: YearFigures | None):
    by_category = dict.fromkeys(Category, 0)
    departments: dict = defaultdict(int)
    centres: dict[int, CentreCount] = {}
    if year is None:
        rows = _people_rows(scope)
        for row in rows:
            by_category[Category(row.category)] += row.people
    else:
        rows = year.centres
        for (category, _), people in year.sub_categories.items():
            by_category[category] += people
    if year is not None and year.departments is not None:
        for code, department, people in year.departments:
            departments[_department_label(code, department)] += people
    # Both kinds of rows begin with the same columns (thousands of centres: unpacked, not
    # read by name).
    for people, centre_id, name, town, member, code, department, *_ in rows:
        if year is None or year.departments is None:
            departments[_department_label(code, department)] += people
        if centre_id is not None:
            centre = centres.get(centre_id)
            if centre is None:
                centre = centres[centre_id] = CentreCount(
                    centre_id, name, town, code or "", bool(member)
                )
            centre.people += people
    by_department = sorted(departments.items(), key=lambda item: (item[0][0] == "S", item[0]))
    ranked = sorted(centres.values(), key=attrgetter("department", "name"))
    return by_category, by_department, ranked


def _department_label(code, department) -> str:
    return f"{code} – {department}" if code else "Sans centre social"


def _first_timers(scope: Period) -> sa.Select:
    """People who attended in the period and never before it (a calendar year reads the
    year's rows instead: those whose first year it is). "Before" goes by the session's start,
    as the period does: a séance in January of a session begun in December is last year's."""
    people = _participants(scope)
    earlier = so.aliased(Seance)
    session = so.aliased(TrainingSession)
    before = (
        sa.select(Attendance.id)
        .join(earlier, earlier.id == Attendance.seance_id)
        .join(session, session.id == earlier.session_id)
        .where(
            Attendance.person_id == people.c.person_id,
            Attendance.status.in_(ATTENDED),
            earlier.status == SeanceStatus.SCHEDULED,
            session.starts_at < scope.lower,
            session.status.in_([SessionStatus.PUBLISHED, SessionStatus.CLOSED]),
        )
    )
    return sa.select(sa.func.count()).select_from(people).where(~sa.exists(before))


def _rates(rows: list[sa.Row]) -> list[ThemeRate]:
    """Expected and attended séances of confirmed people in closed sessions, per theme: the
    confirmed people times the scheduled séances, and their marks (the offer's rows)."""
    rates: dict = {}
    for row in rows:
        if not (row.expected or row.attended):
            continue
        rate = rates.setdefault(row.theme_id, ThemeRate(row.theme or "Sans thématique"))
        rate.expected += int(row.expected or 0)
        rate.attended += int(row.attended or 0)
    return sorted(rates.values(), key=lambda r: (r.label == "Sans thématique", r.label))


def _waitlisted_people(scope: Period) -> sa.Select:
    """The distinct people waiting (a calendar year reads the year's rows instead)."""
    return (
        sa.select(sa.func.count(sa.distinct(Enrolment.person_id)))
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .join(User, User.id == Enrolment.person_id)
        .where(
            Enrolment.status == EnrolmentStatus.WAITLISTED,
            TrainingSession.status != SessionStatus.CANCELLED,
            *_in_period(scope),
            *_person_conditions(scope),
        )
    )


def _feedback_query(scope: Period) -> sa.Select:
    query = (
        sa.select()
        .select_from(Feedback)
        .join(TrainingSession, TrainingSession.id == Feedback.session_id)
        .where(*_in_period(scope))
    )
    if scope.centre_id is not None:
        query = query.join(User, User.id == Feedback.person_id).where(
            User.centre_id == scope.centre_id
        )
    return query


def _satisfaction(scope: Period, offer_rows: list[sa.Row]) -> dict[int, int]:
    """How many answers gave each score, 5 to 1: the network's from the sessions' tallies
    (the offer's rows), a centre's people's from one GROUP BY over the period's feedback."""
    if scope.centre_id is None:
        return {
            score: sum(int(getattr(row, f"feedback_{score}") or 0) for row in offer_rows)
            for score in SCORES
        }
    rows = db.session.execute(
        _feedback_query(scope)
        .add_columns(Feedback.satisfaction, sa.func.count(Feedback.id))
        .group_by(Feedback.satisfaction)
    ).all()
    found = dict(rows)
    return {score: found.get(score, 0) for score in SCORES}


def _figures(scope: Period, year: YearFigures | None, rows: list[sa.Row]) -> dict[str, int]:
    """The bilan's single totals, all in one statement (a year's distinct people come from
    its rows)."""
    distinct = {}
    if year is None:
        distinct = {
            "first_timers": _first_timers(scope),
            "waitlisted_people": _waitlisted_people(scope),
        }
    figures = counts(
        db.session,
        **distinct,
        first_year=sa.select(sa.extract("year", sa.func.min(TrainingSession.starts_at))),
        last_year=sa.select(sa.extract("year", sa.func.max(TrainingSession.starts_at))),
        network_members=membership.member_count_query(scope.end.year),
    )
    if year is not None:
        figures.update(first_timers=year.first_timers, waitlisted_people=year.waitlisted)
    figures["no_shows"] = sum(int(row.no_shows or 0) for row in rows)
    figures["waitlisted"] = sum(int(row.waitlisted or 0) for row in rows)
    return figures


def _comments(scope: Period) -> list[sa.Row]:
    """The latest feedback with a comment (never the person): title, score, gained, missing."""
    return db.session.execute(
        _feedback_query(scope)
        .add_columns(
            TrainingSession.title,
            Feedback.satisfaction,
            Feedback.gained,
            Feedback.missing,
        )
        .where(sa.or_(Feedback.gained != "", Feedback.missing != ""))
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(COMMENT_LIMIT)
    ).all()


def _hours_by_month(scope: Period) -> list[tuple[str, float]]:
    """Hours delivered per month of the period (every month listed, 0 when nothing happened).

    The month is taken from the séance's start in UTC, which is the Paris month for any séance
    starting after 2 a.m. on the first of a month, that is for every real séance.
    """
    month = BilanSessionMonth.month
    rows = db.session.execute(
        sa.select(month, sa.func.sum(BilanSessionMonth.minutes))
        .join(TrainingSession, TrainingSession.id == BilanSessionMonth.session_id)
        .where(_held(scope), *_in_period(scope))
        .group_by(month)
    ).all()
    found = {row[0]: round(int(row[1] or 0) / 60, 1) for row in rows}
    months = []
    current = scope.start.replace(day=1)
    while current <= scope.end and len(months) < 36:
        key = f"{current:%Y-%m}"
        months.append((key, found.get(key, 0.0)))
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def next_held(scope: Period):
    """When the next published session of the period starts (it counts as held from then):
    the bilan computed now holds until that moment, or until a write. None: no such session."""
    return db.session.scalar(
        sa.select(sa.func.min(TrainingSession.starts_at)).where(
            TrainingSession.status == SessionStatus.PUBLISHED,
            TrainingSession.starts_at >= scope.instant,
            *_in_period(scope),
        )
    )


def held_count(scope: Period) -> int:
    """How many sessions of the period were held (one indexed count)."""
    return db.session.scalar(
        sa.select(sa.func.count(TrainingSession.id)).where(_held(scope), *_in_period(scope))
    )


def session_events(scope: Period) -> list[Event]:
    """The period's held sessions one by one (the first ``EVENT_LIMIT``), with their centres
    and participants by category and sub-category (two queries)."""
    sessions = db.session.scalars(
        sa.select(TrainingSession)
        .options(so.joinedload(TrainingSession.host_centre))
        .where(_held(scope), *_in_period(scope))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(EVENT_LIMIT)
    ).all()
    events = {session.id: Event(session) for session in sessions}
    # Per session, category and sub-category (the sessions' summary rows): the category and
    # sub-category totals; the centres reached come with the session's tally (by centre rows
    # for one centre's bilan).
    ids = list(events)
    if scope.centre_id is None:
        # The network's: the centres reached come with each row, from the session's tally.
        counts, centres_of = BilanSessionCategory, BilanSessionTally.centres
        query = sa.select(counts).join(
            BilanSessionTally, BilanSessionTally.session_id == counts.session_id
        )
    else:
        counts, centres_of = BilanSessionCount, sa.literal(1)
        query = sa.select(counts).where(*_counted(scope))
    rows = db.session.execute(
        query.with_only_columns(
            counts.session_id,
            counts.category,
            counts.sub_category,
            counts.present.label("people"),
            centres_of.label("centres"),
        ).where(counts.session_id.in_(ids), counts.present > 0)
    ).all()
    for row in rows:
        event = events[row.session_id]
        category = Category(row.category)
        event.by_category[category] = event.by_category.get(category, 0) + row.people
        key = (category, row.sub_category or "")
        event.by_sub_category[key] = event.by_sub_category.get(key, 0) + row.people
        event.centres = row.centres  # one centre's bilan: that centre
    return list(events.values())


# A diagnostic prepares the next year's offer: the campaigns of a period are those open
# during it or in the year before it starts.
CAMPAIGN_LOOKBACK = timedelta(days=366)


def period_campaigns(scope: Period) -> list:
    """The diagnostic campaigns whose answers the period's offer is measured against."""
    from reseau.diagnostic.models import DiagnosticCampaign

    return list(
        db.session.scalars(
            sa.select(DiagnosticCampaign)
            .where(
                DiagnosticCampaign.opens_on <= scope.end,
                DiagnosticCampaign.closes_on >= scope.start - CAMPAIGN_LOOKBACK,
            )
            .order_by(DiagnosticCampaign.opens_on, DiagnosticCampaign.id)
        )
    )


def _needs(scope: Period, sessions_by_theme: dict) -> tuple[list, list[Need]]:
    """The needs by theme of the period's campaigns (added up), with the sessions held on each.

    No campaign in the period: no needs (the page says so), never another period's.
    """
    from reseau.diagnostic import results

    campaigns = period_campaigns(scope)
    if not campaigns:
        return [], []
    totals = results.theme_totals([c.id for c in campaigns], centre_id=scope.centre_id)
    needs = [
        Need(theme.name, people, score, sessions_by_theme.get(theme.id, 0))
        for theme, people, score in totals
    ]
    needs.sort(key=lambda n: (-n.score, -n.people, n.label))
    return campaigns, needs


def build_bilan(scope: Period, *, events: bool = True, centre_limit: int | None = None) -> Bilan:
    """Compute every figure of the bilan of ``scope`` (a fixed number of queries); without
    ``events`` the sessions one by one are left out (the page shows them on their own page,
    ``session_events``; the downloads hold them). ``centre_limit``: a calendar year lists
    only the centres with the most participants (the page shows that many; its counts are
    of all of them)."""
    offer_rows = _offer_rows(scope)
    total, by_kind, by_theme, by_cycle, sessions_by_theme = _offers(scope, offer_rows)
    year = _year_figures(scope, centre_limit)
    by_category, by_department, centres = _people(scope, year)
    rates = _rates(offer_rows)
    figures = _figures(scope, year, offer_rows)
    campaigns, needs = _needs(scope, sessions_by_theme)
    return Bilan(
        scope=scope,
        total=total,
        by_kind=by_kind,
        by_theme=by_theme,
        by_cycle=by_cycle,
        participants=sum(by_category.values()),
        by_category=by_category,
        by_department=by_department,
        centres=centres,
        first_timers=figures["first_timers"],
        expected=sum(rate.expected for rate in rates),
        attended=sum(rate.attended for rate in rates),
        no_shows=figures["no_shows"],
        rates=rates,
        waitlisted=figures["waitlisted"],
        waitlisted_people=figures["waitlisted_people"],
        satisfaction=_satisfaction(scope, offer_rows),
        comments=_comments(scope),
        hours_by_month=_hours_by_month(scope),
        events=session_events(scope) if events else [],
        campaigns=campaigns,
        needs=needs,
        years=_years(figures["first_year"], figures["last_year"]),
        sub_category_counts=year.sub_categories if year is not None else None,
        network_members=None if scope.centre_id else figures["network_members"],
        centre_count=year.centre_count if year is not None else None,
        member_count=year.member_count if year is not None else None,
    )


def _years(first: int, last: int) -> list[int]:
    """Every year from the first session's to the last one's, and this year, latest first."""
    years = set(range(first, last + 1)) if first else set()
    years.add(to_local(utcnow()).year)
    return sorted(years, reverse=True)


# --- sub-categories ("1 élu municipal et 7 agents CAF") ---------------------------------------


@dataclass
class SubCategories:
    """Participants by category and sub-category: for the period, and per event listed.

    ``period`` maps (category, sub-category) to people (each once, "" when none is given);
    ``by_event`` maps a session's id to the same for its participants.
    """

    period: dict[tuple[Category, str], int] = field(default_factory=dict)
    by_event: dict[int, dict[tuple[Category, str], int]] = field(default_factory=dict)

    def of(self, category: Category, counts: dict | None = None) -> dict[str, int]:
        """The sub-categories of ``category`` (none when nobody of it gave one)."""
        counts = self.period if counts is None else counts
        found = {sub: n for (cat, sub), n in counts.items() if cat == category}
        return found if any(found.keys()) else {}

    def named(self) -> dict[str, int]:
        """The period's people by sub-category given (whatever their category)."""
        totals: dict[str, int] = defaultdict(int)
        for (_, sub), n in self.period.items():
            if sub:
                totals[sub] += n
        return dict(totals)

    def event(self, session_id: int) -> dict[Category, dict[str, int]]:
        counts = self.by_event.get(session_id, {})
        return {category: self.of(category, counts) for category in Category}


def sub_categories(
    scope: Period,
    session_ids: list[int],
    events: list[Event] | None = None,
    period: dict | None = None,
) -> SubCategories:
    """Count the period's participants by (category, sub-category), once each, and the
    participants of ``session_ids`` per session (two GROUP BY queries; none when the bilan
    already counted them: its ``events`` and its year's ``period`` counts)."""
    if period is None:
        people = _participants(scope)
        rows = db.session.execute(
            sa.select(User.category, User.sub_category, sa.func.count().label("people"))
            .select_from(people)
            .join(User, User.id == people.c.person_id)
            .group_by(User.category, User.sub_category)
        ).all()
        period = {(Category(row.category), row.sub_category or ""): row.people for row in rows}
    result = SubCategories(period=dict(period))
    if events is not None:
        wanted = set(session_ids)
        result.by_event = {
            e.session.id: dict(e.by_sub_category) for e in events if e.session.id in wanted
        }
        return result
    pairs = (
        _attended(scope)
        .add_columns(Seance.session_id, Attendance.person_id)
        .where(Seance.session_id.in_(session_ids))
        .distinct()
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            pairs.c.session_id, User.category, User.sub_category, sa.func.count().label("people")
        )
        .join(User, User.id == pairs.c.person_id)
        .group_by(pairs.c.session_id, User.category, User.sub_category)
    ).all()
    for row in rows:
        counts = result.by_event.setdefault(row.session_id, {})
        counts[(Category(row.category), row.sub_category or "")] = row.people
    return result
