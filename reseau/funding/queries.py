"""The funder report: what one funder's sessions of a period gave, from aggregate queries.

Definitions (the bilan's, shown on the page too): a session belongs to the period when its
first séance starts in it, drafts never count; a session is *held* when closed, or published
and started; only the scheduled séances of held sessions count. A *person trained* attended
(present or late, walk-ins too) at least one séance of a held session the funder pays for,
and counts once. *Trainee-hours*: the hours of the séances each person attended, added up.
*Training days*: the distinct days (Europe/Paris) with a séance. *Attendance rate*: séances
attended by the people with a confirmed enrolment over the séances they were expected at,
closed sessions only. *Outside the network*: people attached to no centre social.
A session is *under the minimum* when fewer people than the funder's minimum group size came
(volunteers only, for a funder of volunteers).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import Category, Centre, User
from reseau.attendance.models import Attendance, AttendanceStatus, Feedback
from reseau.attendance.queries import attended_marks
from reseau.catalogue.models import Seance, SeanceStatus, SessionStatus, TrainingSession
from reseau.core.database import hours_between, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import ngettext, to_local
from reseau.core.periods import Period
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.funding.models import Funder, SessionFunding
from reseau.membership import queries as membership
from reseau.proof.models import SealedSheet
from reseau.valuation.queries import SessionsValuation, sessions_valuation

# A funder's year at national scale: the page lists this many sessions at most.
SESSION_LIMIT = 2000


class _People:
    """People counted by category (``by_category``): in all, and the volunteers."""

    by_category: dict

    @property
    def people(self) -> int:
        return sum(self.by_category.values())

    @property
    def volunteers(self) -> int:
        return self.by_category.get(Category.BENEVOLE, 0)


@dataclass
class SessionLine(_People):
    session: TrainingSession
    held: bool
    seances: int = 0
    days: int = 0
    hours: float = 0.0
    trainee_hours: float = 0.0
    by_category: dict = field(default_factory=dict)
    amount_asked: int | None = None
    amount_granted: int | None = None
    expected: int = 0
    attended: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class FunderReport(_People):
    funder: Funder
    period: Period
    lines: list[SessionLine]
    by_category: dict
    volunteer_trainee_hours: float
    member_centres: int
    other_centres: int
    outside_network: int
    satisfaction_count: int
    satisfaction_average: float | None
    valuation: SessionsValuation | None = None  # volunteer time of the held sessions

    @property
    def held(self) -> list[SessionLine]:
        return [line for line in self.lines if line.held]

    @property
    def cancelled(self) -> int:
        return sum(1 for line in self.lines if line.session.status == SessionStatus.CANCELLED)

    @property
    def sessions(self) -> int:
        return len(self.held)

    @property
    def days(self) -> int:
        return sum(line.days for line in self.held)

    @property
    def hours(self) -> float:
        return round(sum(line.hours for line in self.held), 1)

    @property
    def trainee_hours(self) -> float:
        return round(sum(line.trainee_hours for line in self.held), 1)

    @property
    def centres(self) -> int:
        return self.member_centres + self.other_centres

    @property
    def expected(self) -> int:
        return sum(line.expected for line in self.lines)

    @property
    def attended(self) -> int:
        return sum(line.attended for line in self.lines)

    @property
    def attendance_percent(self) -> int | None:
        return round(100 * self.attended / self.expected) if self.expected else None

    @property
    def amount_asked(self) -> int:
        return sum(line.amount_asked or 0 for line in self.lines)

    @property
    def amount_granted(self) -> int:
        return sum(line.amount_granted or 0 for line in self.lines)

    @property
    def warnings(self) -> list[tuple[SessionLine, str]]:
        return [(line, text) for line in self.lines for text in line.warnings]


def _held(period: Period):
    return sa.or_(
        TrainingSession.status == SessionStatus.CLOSED,
        sa.and_(
            TrainingSession.status == SessionStatus.PUBLISHED,
            TrainingSession.starts_at < period.instant,
        ),
    )


def _funded(funder_id: int, period: Period) -> list:
    """Conditions: the sessions ``funder_id`` pays for, of the period, drafts left out."""
    return [
        TrainingSession.id.in_(
            sa.select(SessionFunding.session_id).where(SessionFunding.funder_id == funder_id)
        ),
        TrainingSession.starts_at >= period.lower,
        TrainingSession.starts_at < period.upper,
        TrainingSession.status != SessionStatus.DRAFT,
    ]


def _attended(funder_id: int, period: Period) -> sa.Select:
    """FROM attended scheduled séances of held funded sessions, joined to the person."""
    return attended_marks().where(_held(period), *_funded(funder_id, period))


def _lines(funder: Funder, period: Period) -> dict[int, SessionLine]:
    rows = db.session.execute(
        sa.select(TrainingSession, SessionFunding.amount_asked, SessionFunding.amount_granted,
                  _held(period).label("held"))
        .join(SessionFunding, sa.and_(SessionFunding.session_id == TrainingSession.id,
                                      SessionFunding.funder_id == funder.id))
        .where(*_funded(funder.id, period))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(SESSION_LIMIT)
    ).all()  # fmt: skip
    return {
        row[0].id: SessionLine(
            row[0], bool(row.held), amount_asked=row.amount_asked, amount_granted=row.amount_granted
        )
        for row in rows
    }


def _add_seances(lines: dict[int, SessionLine]) -> None:
    """Séances, days and hours of the held sessions (a few rows per session)."""
    held = [sid for sid, line in lines.items() if line.held]
    rows = db.session.execute(
        sa.select(Seance.session_id, Seance.starts_at, Seance.ends_at).where(
            Seance.session_id.in_(held), Seance.status == SeanceStatus.SCHEDULED
        )
    ).all()
    days: dict[int, set] = defaultdict(set)
    for row in rows:
        line = lines[row.session_id]
        line.seances += 1
        line.hours += (row.ends_at - row.starts_at).total_seconds() / 3600
        days[row.session_id].add(to_local(row.starts_at).date())
    for session_id, found in days.items():
        lines[session_id].days = len(found)
        lines[session_id].hours = round(lines[session_id].hours, 1)


def _add_people(funder: Funder, period: Period, lines: dict[int, SessionLine]) -> float:
    """People by category and trainee-hours per session; return the volunteers' hours."""
    pairs = (
        _attended(funder.id, period)
        .add_columns(
            Seance.session_id,
            User.category,
            sa.func.count(sa.distinct(Attendance.person_id)).label("people"),
            sa.func.sum(hours_between(Seance.starts_at, Seance.ends_at)).label("hours"),
        )
        .group_by(Seance.session_id, User.category)
    )
    volunteer_hours = 0.0
    for row in db.session.execute(pairs):
        line = lines.get(row.session_id)
        if line is None:
            continue
        category = Category(row.category)
        line.by_category[category] = row.people
        line.trainee_hours = round(line.trainee_hours + float(row.hours or 0), 1)
        if category == Category.BENEVOLE:
            volunteer_hours += float(row.hours or 0)
    return round(volunteer_hours, 1)


def _people(funder: Funder, period: Period):
    """Distinct people by category, centres reached (members or not), people outside."""
    people = _attended(funder.id, period).add_columns(Attendance.person_id).distinct().subquery()
    member = membership.is_member_in(period.end.year)
    rows = db.session.execute(
        sa.select(User.category, User.centre_id, member.label("member"), sa.func.count())
        .select_from(people)
        .join(User, User.id == people.c.person_id)
        .outerjoin(Centre, Centre.id == User.centre_id)
        .group_by(User.category, User.centre_id, member)
    ).all()
    by_category = dict.fromkeys(Category, 0)
    members, others, outside = set(), set(), 0
    for category, centre_id, is_member, count in rows:
        by_category[Category(category)] += count
        if centre_id is None:
            outside += count
        else:
            (members if is_member else others).add(centre_id)
    return by_category, len(members), len(others), outside


def _add_rates(funder: Funder, period: Period, lines: dict[int, SessionLine]) -> None:
    closed = [TrainingSession.status == SessionStatus.CLOSED, *_funded(funder.id, period)]
    base = (
        sa.select(Seance.session_id, sa.func.count())
        .join(TrainingSession, TrainingSession.id == Seance.session_id)
        .where(Seance.status == SeanceStatus.SCHEDULED, *closed)
        .group_by(Seance.session_id)
    )
    expected = base.join(Enrolment, Enrolment.session_id == TrainingSession.id).where(
        Enrolment.status == EnrolmentStatus.CONFIRMED
    )
    attended = (
        base.join(Attendance, Attendance.seance_id == Seance.id)
        .join(Enrolment, Enrolment.id == Attendance.enrolment_id)
        .where(
            Enrolment.status == EnrolmentStatus.CONFIRMED,
            Attendance.status.in_(AttendanceStatus.ATTENDED),
        )
    )
    for what, query in (("expected", expected), ("attended", attended)):
        for session_id, count in db.session.execute(query):
            if session_id in lines:
                setattr(lines[session_id], what, count)


def _satisfaction(funder: Funder, period: Period) -> tuple[int, float | None]:
    count, average = db.session.execute(
        sa.select(sa.func.count(Feedback.id), sa.func.avg(Feedback.satisfaction))
        .join(TrainingSession, TrainingSession.id == Feedback.session_id)
        .where(*_funded(funder.id, period))
    ).one()
    return count, (round(float(average), 1) if average is not None else None)


def unsealed_sessions(session_ids: list[int]) -> set[int]:
    """The sessions among ``session_ids`` with a séance held and not sealed (no sealed sign-in
    sheet, in any version): the funder's proof of attendance is missing for them. One query."""
    if not session_ids:
        return set()
    sealed = sa.select(SealedSheet.id).where(SealedSheet.seance_id == Seance.id).exists()
    return set(
        db.session.scalars(
            sa.select(Seance.session_id)
            .where(
                Seance.session_id.in_(session_ids),
                Seance.status == SeanceStatus.SCHEDULED,
                Seance.ends_at <= utcnow(),
                ~sealed,
            )
            .distinct()
        )
    )


def _warn(funder: Funder, lines: dict[int, SessionLine]) -> None:
    unsealed = unsealed_sessions([sid for sid, line in lines.items() if line.held])
    for session_id, line in lines.items():
        if not line.held:
            continue
        counted = line.volunteers if funder.volunteers_only else line.people
        if funder.min_group_size and counted < funder.min_group_size:
            if funder.volunteers_only:
                who = ngettext("%(num)s bénévole", "%(num)s bénévoles", counted)
            else:
                who = ngettext("%(num)s participant·e", "%(num)s participant·es", counted)
            line.warnings.append(f"{who} pour un minimum de {funder.min_group_size} par groupe")
        if session_id in unsealed:
            line.warnings.append("Feuilles d'émargement non scellées")


def funder_report(funder: Funder, period: Period) -> FunderReport:
    """Every figure of ``funder``'s report for ``period`` (a fixed number of queries)."""
    lines = _lines(funder, period)
    _add_seances(lines)
    volunteer_hours = _add_people(funder, period, lines)
    by_category, members, others, outside = _people(funder, period)
    _add_rates(funder, period, lines)
    count, average = _satisfaction(funder, period)
    _warn(funder, lines)
    held = [sid for sid, line in lines.items() if line.held]
    return FunderReport(
        funder=funder,
        period=period,
        lines=list(lines.values()),
        by_category=by_category,
        volunteer_trainee_hours=volunteer_hours,
        member_centres=members,
        other_centres=others,
        outside_network=outside,
        satisfaction_count=count,
        satisfaction_average=average,
        valuation=sessions_valuation(held, period.start, period.end),
    )


# --- for the bilan's "par financeur" section and the session's admin page ------------------


@dataclass
class FunderSummary:
    funder: Funder
    sessions: int
    hours: float
    people: int
    volunteers: int
    amount_granted: int


def _summary_sessions(period: Period) -> sa.Select:
    """Per funder: held sessions and the amount granted, over the period's funded sessions."""
    held = _held(period)
    return (
        sa.select(
            Funder,
            sa.func.count(sa.case((held, TrainingSession.id))).label("held"),
            sa.func.coalesce(sa.func.sum(SessionFunding.amount_granted), 0).label("granted"),
        )
        .join(SessionFunding, SessionFunding.funder_id == Funder.id)
        .join(TrainingSession, TrainingSession.id == SessionFunding.session_id)
        .where(
            TrainingSession.starts_at >= period.lower,
            TrainingSession.starts_at < period.upper,
            TrainingSession.status != SessionStatus.DRAFT,
        )
        .group_by(Funder.id)
        .order_by(Funder.name, Funder.id)
    )


def _summary_hours(period: Period) -> dict[int, float]:
    """Per funder: the hours of its held sessions, each session's rounded as its report does."""
    rows = db.session.execute(
        sa.select(
            SessionFunding.funder_id,
            sa.func.sum(hours_between(Seance.starts_at, Seance.ends_at)).label("hours"),
        )
        .join(TrainingSession, TrainingSession.id == SessionFunding.session_id)
        .join(Seance, Seance.session_id == TrainingSession.id)
        .where(
            Seance.status == SeanceStatus.SCHEDULED,
            _held(period),
            TrainingSession.starts_at >= period.lower,
            TrainingSession.starts_at < period.upper,
        )
        .group_by(SessionFunding.funder_id, TrainingSession.id)
    )
    hours: dict[int, float] = defaultdict(float)
    for funder_id, session_hours in rows:
        hours[funder_id] += round(float(session_hours or 0), 1)
    return hours


def _summary_people(period: Period) -> dict[int, dict]:
    """Per funder: the distinct people trained, by category (each once per funder)."""
    pairs = (
        sa.select(SessionFunding.funder_id, Attendance.person_id)
        .join(Seance, Seance.session_id == SessionFunding.session_id)
        .join(Attendance, Attendance.seance_id == Seance.id)
        .join(TrainingSession, TrainingSession.id == Seance.session_id)
        .where(
            Attendance.status.in_(AttendanceStatus.ATTENDED),
            Seance.status == SeanceStatus.SCHEDULED,
            _held(period),
            TrainingSession.starts_at >= period.lower,
            TrainingSession.starts_at < period.upper,
        )
        .distinct()
        .subquery()
    )
    rows = db.session.execute(
        sa.select(pairs.c.funder_id, User.category, sa.func.count())
        .join(User, User.id == pairs.c.person_id)
        .group_by(pairs.c.funder_id, User.category)
    )
    people: dict[int, dict] = defaultdict(dict)
    for funder_id, category, count in rows:
        people[funder_id][Category(category)] = count
    return people


def funders_summary(start: date, end: date) -> list[FunderSummary]:
    """One line per funder with sessions in the period (the bilan's "par financeur"): three
    GROUP BY queries whatever the number of funders, with the funder report's definitions."""
    period = Period(start, end)
    hours = _summary_hours(period)
    people = _summary_people(period)
    summaries = []
    for funder, held, granted in db.session.execute(_summary_sessions(period)):
        by_category = people.get(funder.id, {})
        summaries.append(
            FunderSummary(
                funder, held, round(hours.get(funder.id, 0.0), 1), sum(by_category.values()),
                by_category.get(Category.BENEVOLE, 0), int(granted),
            )
        )  # fmt: skip
    return summaries


def session_fundings(session_id: int) -> list[SessionFunding]:
    return db.session.scalars(
        sa.select(SessionFunding)
        .options(so.joinedload(SessionFunding.funder))
        .where(SessionFunding.session_id == session_id)
        .order_by(SessionFunding.id)
    ).all()


def funder_choices(*, active_only: bool = True) -> list[tuple[int, str]]:
    query = sa.select(Funder.id, Funder.name).order_by(Funder.name)
    if active_only:
        query = query.where(Funder.active.is_(True))
    return [(row.id, row.name) for row in db.session.execute(query)]


def funders_with_counts() -> list[tuple[Funder, int]]:
    counts = (
        sa.select(SessionFunding.funder_id, sa.func.count().label("n"))
        .group_by(SessionFunding.funder_id)
        .subquery()
    )
    return db.session.execute(
        sa.select(Funder, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.funder_id == Funder.id)
        .order_by(Funder.active.desc(), Funder.name)
    ).all()
