"""Attendance per séance (émargement) and feedback after a session (évaluation à chaud)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import User
from reseau.catalogue.models import Seance, TrainingSession
from reseau.core.database import UTCDateTime, utcnow
from reseau.core.enums import LabelledEnum, enum_column
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment


class AttendanceStatus(LabelledEnum):
    __labels__ = {
        "present": "Présent·e",
        "late": "En retard",
        "excused": "Excusé·e",
        "absent": "Absent·e",
    }
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"


# What "came" means everywhere (hours attended, certificates, feedback, the bilan).
AttendanceStatus.ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class Attendance(db.Model):
    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("seance_id", "person_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("seance.id", ondelete="CASCADE"))
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    # None for a walk-in: the person came without enrolling.
    enrolment_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("enrolment.id", ondelete="SET NULL"), index=True
    )
    status: so.Mapped[AttendanceStatus] = so.mapped_column(enum_column(AttendanceStatus))
    is_walk_in: so.Mapped[bool] = so.mapped_column(default=False)
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    recorded_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )

    seance: so.Mapped[Seance] = so.relationship()
    person: so.Mapped[User] = so.relationship(foreign_keys=[person_id])
    enrolment: so.Mapped[Enrolment | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<Attendance seance={self.seance_id} person={self.person_id} {self.status}>"


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "person_id"),
        sa.CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction_range"),
        # The dashboard's count of the last 30 days' feedback.
        sa.Index("ix_feedback_created_at", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    # Kept only to allow one answer per person; results pages never show it.
    person_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    satisfaction: so.Mapped[int]
    gained: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    missing: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    would_recommend: so.Mapped[bool | None]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    session: so.Mapped[TrainingSession] = so.relationship()

    def __repr__(self) -> str:
        return f"<Feedback {self.id} session={self.session_id} {self.satisfaction}/5>"


# --- the bilan's summary rows (kept by attendance.rollups) ------------------------------------


class _SessionCounts:
    """What a session's people add up to, in a group (columns shared by the two tables)."""

    enrolments: so.Mapped[int] = so.mapped_column(default=0)  # any status
    confirmed: so.Mapped[int] = so.mapped_column(default=0)
    waitlisted: so.Mapped[int] = so.mapped_column(default=0)
    no_shows: so.Mapped[int] = so.mapped_column(default=0)  # confirmed, attended nothing
    recorded: so.Mapped[int] = so.mapped_column(default=0)  # people with any mark
    present: so.Mapped[int] = so.mapped_column(default=0)  # attended a scheduled séance
    trainee_minutes: so.Mapped[int] = so.mapped_column(default=0)
    confirmed_marks: so.Mapped[int] = so.mapped_column(default=0)  # attended, by confirmed


class BilanSessionTally(_SessionCounts, db.Model):
    """One row per session with séances, enrolments, marks or feedback: the totals of its
    people (what the network's bilan reads, one row per session), the seats held, the
    centres of the people present, its séances and feedback. The writers that recompute a
    session's rows lock it first."""

    __tablename__ = "bilan_session_tally"

    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    seats_held: so.Mapped[int] = so.mapped_column(default=0)
    centres: so.Mapped[int] = so.mapped_column(default=0)  # centres of the people present
    # The session's own figures: its scheduled séances and their minutes, and its feedback
    # by score (``feedback_5``: the answers that gave 5), so that the bilan reads no séance
    # and no feedback row.
    seances: so.Mapped[int] = so.mapped_column(default=0)
    seance_minutes: so.Mapped[int] = so.mapped_column(default=0)
    feedback_1: so.Mapped[int] = so.mapped_column(default=0)
    feedback_2: so.Mapped[int] = so.mapped_column(default=0)
    feedback_3: so.Mapped[int] = so.mapped_column(default=0)
    feedback_4: so.Mapped[int] = so.mapped_column(default=0)
    feedback_5: so.Mapped[int] = so.mapped_column(default=0)


class BilanSessionCategory(_SessionCounts, db.Model):
    """A session's people by category and sub-category (a few rows per session: the bilan
    reads them for the sessions it lists)."""

    __tablename__ = "bilan_session_category"

    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    category: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    sub_category: so.Mapped[str] = so.mapped_column(sa.String(80), primary_key=True)


class BilanSessionMonth(db.Model):
    """A session's scheduled séances' minutes by the month (UTC) they start in: the bilan's
    hours by month, from a row or two per session (none while it is a draft)."""

    __tablename__ = "bilan_session_month"

    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    month: so.Mapped[str] = so.mapped_column(sa.String(7), primary_key=True)  # "2026-03"
    minutes: so.Mapped[int] = so.mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<BilanSessionMonth {self.session_id} {self.month} {self.minutes}>"


class BilanSessionCount(_SessionCounts, db.Model):
    """A session's people by centre (0: none), category and sub-category (a centre's bilan)."""

    __tablename__ = "bilan_session_count"

    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    # A referent's bilan finds their centre's sessions here.
    centre_id: so.Mapped[int] = so.mapped_column(primary_key=True, index=True)
    category: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    sub_category: so.Mapped[str] = so.mapped_column(sa.String(80), primary_key=True)


class BilanParticipant(db.Model):
    """A person's year × kind ("" for every kind): attended, waiting listed, first year."""

    __tablename__ = "bilan_participant"

    person_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    year: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    centre_id: so.Mapped[int]
    category: so.Mapped[str] = so.mapped_column(sa.String(32))
    sub_category: so.Mapped[str] = so.mapped_column(sa.String(80))
    attended: so.Mapped[bool] = so.mapped_column(default=False)
    waitlisted: so.Mapped[bool] = so.mapped_column(default=False)
    first: so.Mapped[bool] = so.mapped_column(default=False)


class BilanYearCount(db.Model):
    """Distinct people per year × kind × centre × category × sub-category."""

    __tablename__ = "bilan_year_count"
    __table_args__ = (
        # The bilan of a year adds its rows up by category and by centre from these alone.
        sa.Index(
            "ix_bilan_year_count_categories",
            "year", "kind", "category", "sub_category", "participants", "first_timers",
            "waitlisted",
        ),
        sa.Index("ix_bilan_year_count_centres", "year", "kind", "centre_id", "participants"),
    )  # fmt: skip

    year: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(primary_key=True)
    category: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    sub_category: so.Mapped[str] = so.mapped_column(sa.String(80), primary_key=True)
    participants: so.Mapped[int] = so.mapped_column(default=0)
    first_timers: so.Mapped[int] = so.mapped_column(default=0)
    waitlisted: so.Mapped[int] = so.mapped_column(default=0)
