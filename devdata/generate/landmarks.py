"""The landmark rows of generated data: their ids, queried from the database.

Tests and benchmarks use them to reach the pages worth looking at (``bench/pages.py``,
``tests/test_query_counts.py``), whatever the scale.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from devdata.generate.build import LANDMARK_EMAILS, GenerationError
from reseau.accounts.models import Centre, User
from reseau.calendars.models import CalendarToken, FeedKind
from reseau.catalogue.models import (
    Cycle,
    Module,
    Seance,
    SessionStatus,
    TrainingSession,
    session_trainer,
)
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.diagnostic.models import DiagnosticCampaign, DiagnosticResponse
from reseau.enrolment.models import Enrolment, EnrolmentStatus


def landmarks() -> dict[str, int]:
    """Return the ids of the landmark rows of generated data, queried from the database.

    ``roster_seance`` is a séance of the trainer's session held today (Europe/Paris) on the
    day of the generation; on a later day it is the trainer's séance closest to now.
    """
    users = {
        key: db.session.scalar(sa.select(User.id).where(User.email == email))
        for key, email in LANDMARK_EMAILS.items()
    }
    if None in users.values():
        raise GenerationError("Pas de données générées / no generated data.")
    trainer, participant = users["trainer"], users["participant"]
    referent_centre = db.session.scalar(
        sa.select(User.centre_id).where(User.id == users["referent"])
    )
    now = utcnow()
    today = to_local(now).date()
    session = _public_session(trainer, participant, now)
    cycle = (
        db.session.scalar(sa.select(Module.cycle_id).where(Module.id == session.module_id))
        if session and session.module_id
        else db.session.scalar(sa.select(Cycle.id).order_by(Cycle.year.desc(), Cycle.id))
    )
    centre_feed = db.session.scalar(
        sa.select(CalendarToken.id).where(
            CalendarToken.kind == FeedKind.CENTRE,
            CalendarToken.user_id == users["referent"],
            CalendarToken.revoked_at.is_(None),
        )
    )
    return {
        **users,
        "referent_centre": referent_centre,
        "session": session.id if session else None,
        "roster_seance": _roster_seance(trainer, now),
        "campaign": _campaign(today),
        "theme": session.theme_id if session else None,
        "cycle": cycle,
        "department": db.session.scalar(
            sa.select(Centre.department_id).where(Centre.id == referent_centre)
        ),
        "centre_feed": centre_feed,
    }


def _public_session(trainer: int, participant: int, now):
    """The trainer's next published session, the participant enrolled, seats left."""
    seat = so.aliased(Enrolment)  # the outer query joins Enrolment too
    held = (
        sa.select(sa.func.count(seat.id))
        .where(
            seat.session_id == TrainingSession.id,
            seat.status.in_(
                [EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING, EnrolmentStatus.OFFERED]
            ),
        )
        .scalar_subquery()
    )
    return db.session.execute(
        sa.select(TrainingSession.id, TrainingSession.theme_id, TrainingSession.module_id)
        .join(session_trainer, session_trainer.c.session_id == TrainingSession.id)
        .join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .where(
            session_trainer.c.user_id == trainer,
            Enrolment.person_id == participant,
            TrainingSession.status == SessionStatus.PUBLISHED,
            TrainingSession.starts_at > now,
            held < TrainingSession.capacity,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(1)
    ).first()


def _roster_seance(trainer: int, now) -> int | None:
    seances = db.session.execute(
        sa.select(Seance.id, Seance.starts_at)
        .join(session_trainer, session_trainer.c.session_id == Seance.session_id)
        .where(session_trainer.c.user_id == trainer)
        .order_by(Seance.starts_at, Seance.id)
    ).all()
    today = to_local(now).date()
    roster = next((sid for sid, start in seances if to_local(start).date() == today), None)
    if roster is None and seances:
        roster = min(seances, key=lambda s: (abs((s[1] - now).total_seconds()), s[0]))[0]
    return roster


def _campaign(today) -> int | None:
    """The latest closed campaign with responses (else the open one)."""
    responses = (
        sa.select(sa.func.count(DiagnosticResponse.id))
        .where(DiagnosticResponse.campaign_id == DiagnosticCampaign.id)
        .scalar_subquery()
    )
    return db.session.scalar(
        sa.select(DiagnosticCampaign.id)
        .where(responses > 0)
        .order_by(
            (DiagnosticCampaign.closes_on < today).desc(), DiagnosticCampaign.closes_on.desc()
        )
        .limit(1)
    )
