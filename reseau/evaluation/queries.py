"""Evaluation results: hot feedback beside the cold questionnaire and the trainers' word,
with response rates per session, cycle and year (aggregate queries, grouped by session)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.attendance.models import Attendance, AttendanceStatus, Feedback
from reseau.catalogue.models import (
    Cycle,
    Module,
    Seance,
    SeanceStatus,
    SessionStatus,
    TrainingSession,
)
from reseau.core.extensions import db
from reseau.core.i18n import from_local
from reseau.diagnostic.models import DiagnosticCampaign
from reseau.evaluation.models import CentreReview, ColdAnswer, TrainerEvaluation, UseLevel

SESSION_LIMIT = 500
COMMENT_LIMIT = 30


def rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class Line:
    """Hot and cold figures of one session, or of a cycle, or of the year."""

    label: str
    session: TrainingSession | None = None
    attendees: int = 0
    hot: int = 0
    hot_total: int = 0
    cold_sent: int = 0
    cold_answered: int = 0
    trainer: int = 0
    used: dict = field(default_factory=dict)

    @property
    def hot_rate(self) -> int | None:
        return rate(self.hot, self.attendees)

    @property
    def hot_average(self) -> float | None:
        return round(self.hot_total / self.hot, 1) if self.hot else None

    @property
    def cold_rate(self) -> int | None:
        return rate(self.cold_answered, self.cold_sent)

    def add(self, other: Line) -> None:
        self.attendees += other.attendees
        self.hot += other.hot
        self.hot_total += other.hot_total
        self.cold_sent += other.cold_sent
        self.cold_answered += other.cold_answered
        self.trainer += other.trainer
        for key, count in other.used.items():
            self.used[key] = self.used.get(key, 0) + count


def _grouped(query) -> dict:
    return {row[0]: row[1:] for row in db.session.execute(query)}


def year_results(year: int) -> tuple[Line, list[Line], list[Line]]:
    """(the year, its cycles, its sessions): closed sessions whose first séance is in ``year``."""
    lower, upper = from_local(datetime(year, 1, 1)), from_local(datetime(year + 1, 1, 1))
    sessions = db.session.scalars(
        sa.select(TrainingSession)
        .options(so.joinedload(TrainingSession.module).joinedload(Module.cycle))
        .where(
            TrainingSession.status == SessionStatus.CLOSED,
            TrainingSession.starts_at >= lower,
            TrainingSession.starts_at < upper,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(SESSION_LIMIT)
    ).all()
    ids = [s.id for s in sessions]
    attendees = _grouped(
        sa.select(Seance.session_id, sa.func.count(sa.distinct(Attendance.person_id)))
        .join(Attendance, Attendance.seance_id == Seance.id)
        .where(
            Seance.session_id.in_(ids),
            Seance.status == SeanceStatus.SCHEDULED,
            Attendance.status.in_((AttendanceStatus.PRESENT, AttendanceStatus.LATE)),
        )
        .group_by(Seance.session_id)
    )
    hot = _grouped(
        sa.select(Feedback.session_id, sa.func.count(), sa.func.sum(Feedback.satisfaction))
        .where(Feedback.session_id.in_(ids))
        .group_by(Feedback.session_id)
    )
    cold = _grouped(
        sa.select(
            ColdAnswer.session_id,
            sa.func.count(),
            sa.func.count(ColdAnswer.started_at),
        )
        .where(ColdAnswer.session_id.in_(ids))
        .group_by(ColdAnswer.session_id)
    )
    used_rows = db.session.execute(
        sa.select(ColdAnswer.session_id, ColdAnswer.used, sa.func.count())
        .where(ColdAnswer.session_id.in_(ids), ColdAnswer.used.is_not(None))
        .group_by(ColdAnswer.session_id, ColdAnswer.used)
    ).all()
    trainer = _grouped(
        sa.select(TrainerEvaluation.session_id, sa.func.count())
        .where(TrainerEvaluation.session_id.in_(ids))
        .group_by(TrainerEvaluation.session_id)
    )
    lines = {}
    for session in sessions:
        line = Line(session.title, session)
        line.attendees = attendees.get(session.id, (0,))[0]
        line.hot, line.hot_total = hot.get(session.id, (0, 0))
        line.hot_total = int(line.hot_total or 0)
        line.cold_sent, line.cold_answered = cold.get(session.id, (0, 0))
        line.trainer = trainer.get(session.id, (0,))[0]
        lines[session.id] = line
    for session_id, used, count in used_rows:
        lines[session_id].used[UseLevel(used)] = count
    total = Line(f"Année {year}")
    cycles: dict[int, Line] = {}
    for line in lines.values():
        total.add(line)
        module = line.session.module
        if module is not None:
            cycle = module.cycle
            cycles.setdefault(cycle.id, Line(f"{cycle.title} ({cycle.year})")).add(line)
    return total, sorted(cycles.values(), key=lambda c: c.label), list(lines.values())


def cold_comments(year: int) -> list[ColdAnswer]:
    """The latest cold answers with a comment or a need (never the person's name)."""
    lower, upper = from_local(datetime(year, 1, 1)), from_local(datetime(year + 1, 1, 1))
    return db.session.scalars(
        sa.select(ColdAnswer)
        .join(TrainingSession, TrainingSession.id == ColdAnswer.session_id)
        .options(so.contains_eager(ColdAnswer.session))
        .where(
            TrainingSession.starts_at >= lower,
            TrainingSession.starts_at < upper,
            sa.or_(
                ColdAnswer.changes != "",
                ColdAnswer.gained != "",
                ColdAnswer.missing != "",
                ColdAnswer.needs != "",
            ),
        )
        .order_by(ColdAnswer.updated_at.desc(), ColdAnswer.id.desc())
        .limit(COMMENT_LIMIT)
    ).all()


def centre_reviews(year: int) -> list[CentreReview]:
    return db.session.scalars(
        sa.select(CentreReview)
        .options(so.joinedload(CentreReview.centre))
        .where(CentreReview.year == year, CentreReview.answered_at.is_not(None))
        .order_by(CentreReview.answered_at.desc())
        .limit(COMMENT_LIMIT)
    ).all()


def latest_centre_review(centre_id: int) -> CentreReview | None:
    """The centre's most recent yearly review that was asked for (answered or not)."""
    return db.session.scalar(
        sa.select(CentreReview)
        .where(CentreReview.centre_id == centre_id, CentreReview.asked_at.is_not(None))
        .order_by(CentreReview.year.desc())
        .limit(1)
    )


def open_campaigns(today) -> list[DiagnosticCampaign]:
    """Campaigns a need can still go into: not closed yet (the next one first)."""
    return db.session.scalars(
        sa.select(DiagnosticCampaign)
        .where(DiagnosticCampaign.closes_on >= today)
        .order_by(DiagnosticCampaign.opens_on.desc())
    ).all()


def trainer_evaluations(session_id: int) -> list[TrainerEvaluation]:
    return db.session.scalars(
        sa.select(TrainerEvaluation)
        .options(so.joinedload(TrainerEvaluation.trainer))
        .where(TrainerEvaluation.session_id == session_id)
        .order_by(TrainerEvaluation.id)
    ).all()


def cycles_of_year(year: int) -> list[Cycle]:
    return db.session.scalars(
        sa.select(Cycle).where(Cycle.year == year).order_by(Cycle.title)
    ).all()
