"""Evaluation after the training: the cold questionnaire (à froid), the trainer's own
evaluation of a session, and the referents' yearly word on what the trainings brought."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import Centre, User
from reseau.catalogue.models import Cycle, TrainingSession
from reseau.core.database import UTCDateTime, utcnow
from reseau.core.enums import LabelledEnum, enum_column
from reseau.core.extensions import db

DEFAULT_DELAY_DAYS = 90
DEFAULT_REMINDER_DAYS = 14


class UseLevel(LabelledEnum):
    __labels__ = {
        "often": "Oui, souvent",
        "sometimes": "Oui, de temps en temps",
        "not_yet": "Pas encore",
        "no": "Non",
    }
    OFTEN = "often"
    SOMETIMES = "sometimes"
    NOT_YET = "not_yet"
    NO = "no"


class ObjectivesReached(LabelledEnum):
    __labels__ = {"yes": "Oui", "partly": "En partie", "no": "Non"}
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class ColdSchedule(db.Model):
    """When a cycle's sessions get the cold questionnaire, and its reminder (in days)."""

    __tablename__ = "cold_schedule"
    __table_args__ = (
        sa.CheckConstraint("delay_days BETWEEN 1 AND 365", name="delay_range"),
        sa.CheckConstraint("reminder_days BETWEEN 1 AND 90", name="reminder_range"),
    )

    cycle_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cycle.id", ondelete="CASCADE"), primary_key=True
    )
    delay_days: so.Mapped[int] = so.mapped_column(default=DEFAULT_DELAY_DAYS)
    reminder_days: so.Mapped[int] = so.mapped_column(default=DEFAULT_REMINDER_DAYS)

    cycle: so.Mapped[Cycle] = so.relationship()

    def __repr__(self) -> str:
        return f"<ColdSchedule cycle={self.cycle_id} {self.delay_days}+{self.reminder_days}>"


class ColdSurvey(db.Model):
    """A session whose cold questionnaire went out: the tick's marker, one row per session."""

    __tablename__ = "cold_survey"

    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    invited: so.Mapped[int] = so.mapped_column(default=0)

    session: so.Mapped[TrainingSession] = so.relationship()

    def __repr__(self) -> str:
        return f"<ColdSurvey session={self.session_id} {self.invited}>"


class ColdAnswer(db.Model):
    """One person's cold questionnaire on one session, filled in little by little."""

    __tablename__ = "cold_answer"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "person_id"),
        sa.Index("ix_cold_answer_reminder", "remind_at", "reminded_at"),
        # The public cycle page's ETag reads the latest change (evaluation.results).
        sa.Index("ix_cold_answer_updated_at", "updated_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    # Kept to let the person answer and be reminded; results pages never show it.
    person_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    remind_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    reminded_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    used: so.Mapped[UseLevel | None] = so.mapped_column(enum_column(UseLevel))
    changes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    gained: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    missing: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    needs: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # When the coordinator took the need into a diagnostic campaign.
    need_forwarded_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: so.Mapped[TrainingSession] = so.relationship()
    person: so.Mapped[User | None] = so.relationship()

    @property
    def answered(self) -> bool:
        return self.started_at is not None

    def __repr__(self) -> str:
        return f"<ColdAnswer {self.id} session={self.session_id}>"


class TrainerEvaluation(db.Model):
    """A trainer's own evaluation of a session: the group, the objectives, what to change."""

    __tablename__ = "trainer_evaluation"
    __table_args__ = (sa.UniqueConstraint("session_id", "trainer_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    trainer_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    group_notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    objectives: so.Mapped[ObjectivesReached] = so.mapped_column(enum_column(ObjectivesReached))
    objectives_notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    to_change: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: so.Mapped[TrainingSession] = so.relationship()
    trainer: so.Mapped[User | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<TrainerEvaluation session={self.session_id} trainer={self.trainer_id}>"


class CentreReview(db.Model):
    """A centre's yearly word, by its referent, on what the trainings brought it."""

    __tablename__ = "centre_review"
    __table_args__ = (sa.UniqueConstraint("centre_id", "year"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("centre.id", ondelete="CASCADE"), index=True
    )
    year: so.Mapped[int]
    asked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    answered_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    brought: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    missing: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    needs: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    centre: so.Mapped[Centre] = so.relationship()

    def __repr__(self) -> str:
        return f"<CentreReview centre={self.centre_id} {self.year}>"
