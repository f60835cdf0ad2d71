"""What a training achieved, published on its cycle's public page (Qualiopi indicator 2):
from Réseau's own records of the last complete year, the people trained, the attendance rate,
the satisfaction of the hot feedback and the share of cold answers saying it was useful.

"The training" is the cycle's theme: each year's cycle of a theme is a new row, and last
year's results are those of last year's cycle. When last year held no closed session of the
theme, the latest year that did is shown, with its year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from reseau.attendance.models import Attendance, AttendanceStatus, Feedback
from reseau.catalogue.models import (
    Cycle,
    Module,
    Seance,
    SeanceStatus,
    SessionKind,
    SessionStatus,
    TrainingSession,
)
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import from_local, to_local
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.enrolment.signals import public_cycle_versions
from reseau.evaluation import bp
from reseau.evaluation.models import ColdAnswer, UseLevel
from reseau.evaluation.queries import rate

USEFUL = (UseLevel.OFTEN, UseLevel.SOMETIMES)


@dataclass(frozen=True)
class PublishedResults:
    year: int
    sessions: int
    people: int
    attendance_percent: int | None
    feedback_count: int
    satisfaction: float | None  # out of 5
    cold_answers: int
    useful_percent: int | None


def _sessions(theme_id: int, lower: datetime, upper: datetime) -> sa.Select:
    """The ids of the theme's closed trainings that started in [lower, upper)."""
    return (
        sa.select(TrainingSession.id)
        .join(Module, Module.id == TrainingSession.module_id)
        .join(Cycle, Cycle.id == Module.cycle_id)
        .where(
            Cycle.theme_id == theme_id,
            TrainingSession.kind == SessionKind.FORMATION,
            TrainingSession.status == SessionStatus.CLOSED,
            TrainingSession.starts_at >= lower,
            TrainingSession.starts_at < upper,
        )
    )


def _latest_start(theme_id: int, before: datetime) -> sa.ScalarSelect:
    """When the theme's latest closed training before ``before`` started."""
    return (
        sa.select(sa.func.max(TrainingSession.starts_at))
        .where(
            TrainingSession.id.in_(_sessions(theme_id, from_local(datetime(1900, 1, 1)), before))
        )
        .scalar_subquery()
    )


def _figures(sessions: sa.Select, **more: sa.ScalarSelect) -> sa.Row:
    """Every figure in one statement, as scalar subqueries over the sessions (and ``more``)."""
    attended = Attendance.status.in_(AttendanceStatus.ATTENDED)
    scheduled = sa.and_(Seance.status == SeanceStatus.SCHEDULED, Seance.session_id.in_(sessions))
    confirmed = sa.and_(
        Enrolment.status == EnrolmentStatus.CONFIRMED, Enrolment.session_id.in_(sessions)
    )
    answered = sa.and_(
        ColdAnswer.session_id.in_(sessions),
        ColdAnswer.started_at.is_not(None),
        ColdAnswer.used.is_not(None),
    )
    parts = {
        "sessions": sa.select(sa.func.count()).where(TrainingSession.id.in_(sessions)),
        "people": sa.select(sa.func.count(sa.distinct(Attendance.person_id)))
        .join(Seance, Seance.id == Attendance.seance_id)
        .where(attended, scheduled),
        "expected": sa.select(sa.func.count())
        .select_from(Enrolment)
        .join(Seance, Seance.session_id == Enrolment.session_id)
        .where(confirmed, scheduled),
        "came": sa.select(sa.func.count())
        .select_from(Attendance)
        .join(Enrolment, Enrolment.id == Attendance.enrolment_id)
        .join(Seance, Seance.id == Attendance.seance_id)
        .where(confirmed, scheduled, attended),
        "feedback": sa.select(sa.func.count()).where(Feedback.session_id.in_(sessions)),
        "satisfaction": sa.select(sa.func.avg(Feedback.satisfaction)).where(
            Feedback.session_id.in_(sessions)
        ),
        "cold": sa.select(sa.func.count()).where(answered),
        "useful": sa.select(sa.func.count()).where(answered, ColdAnswer.used.in_(USEFUL)),
    }
    return db.session.execute(
        sa.select(
            *(query.scalar_subquery().label(name) for name, query in parts.items()),
            *(query.label(name) for name, query in more.items()),
        )
    ).one()


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return from_local(datetime(year, 1, 1)), from_local(datetime(year + 1, 1, 1))


@bp.app_template_global()
def cycle_results(cycle: Cycle, now: datetime | None = None) -> PublishedResults | None:
    """The published results of ``cycle``'s training (see the module's docstring); None when
    no year before this one holds a closed session of it.

    One statement when last year holds one (or no year does): last year's figures are read
    with the latest start; a second only when the theme skipped last year."""
    this_year = to_local(now or utcnow()).year
    row = _figures(
        _sessions(cycle.theme_id, *_year_bounds(this_year - 1)),
        latest=_latest_start(cycle.theme_id, _year_bounds(this_year)[0]),
    )
    if row.latest is None:
        return None
    year = to_local(row.latest).year
    if year != this_year - 1:
        row = _figures(_sessions(cycle.theme_id, *_year_bounds(year)))
    return PublishedResults(
        year=year,
        sessions=row.sessions or 0,
        people=row.people or 0,
        attendance_percent=rate(row.came or 0, row.expected or 0),
        feedback_count=row.feedback or 0,
        satisfaction=round(float(row.satisfaction), 1) if row.satisfaction is not None else None,
        cold_answers=row.cold or 0,
        useful_percent=rate(row.useful or 0, row.cold or 0),
    )


@public_cycle_versions.connect
def _results_versions(_sender, **_) -> list[sa.Select]:
    """What moves the published results besides their sessions (a session closing, reopening
    or moving changes its own row, which the page's ETag reads already): feedback arriving
    late (never edited), cold answers (months after), attendance corrected after closing (always audited).
    Each read from one index."""
    return [
        sa.select(sa.func.max(Feedback.created_at)),
        sa.select(sa.func.max(ColdAnswer.updated_at)),
        sa.select(sa.func.max(AuditLog.id)).where(AuditLog.action == "attendance.correct"),
    ]
