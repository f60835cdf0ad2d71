"""Home pages by role."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import render_template
from flask_login import current_user

from reseau.accounts.access import visible_people
from reseau.accounts.models import Centre, User, UserStatus
from reseau.attendance.views import my_attended_sessions
from reseau.catalogue.models import SessionStatus, TrainingSession, session_trainer
from reseau.core.database import counts, utcnow
from reseau.core.extensions import db
from reseau.diagnostic.models import DiagnosticResponse
from reseau.diagnostic.operations import open_campaigns_for
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.main import bp
from reseau.reports.dashboard import attention

# Certificates of sessions closed this long ago or less are shown on the home page.
RECENT_CERTIFICATES = timedelta(days=120)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    my_enrolments = _my_upcoming_enrolments(current_user)
    context = {
        "my_enrolments": my_enrolments,
        "offers": [e for e in my_enrolments if e.status == EnrolmentStatus.OFFERED],
        # Managers reach the diagnostic through its administration (as in the navigation).
        "diagnostics": []
        if current_user.is_coordinator or current_user.is_referent
        else _my_open_diagnostics(current_user),
        **_my_closed_sessions(),
    }
    if current_user.is_coordinator:
        context["coordinator"] = _coordinator_summary()
        context["attention"] = attention()
    if current_user.is_referent:
        context["referent"] = _referent_summary(current_user)
    if current_user.is_trainer:
        context["trainer_sessions"] = _trainer_upcoming_sessions(current_user)
    return render_template("main/home.html", **context)


def _my_upcoming_enrolments(person: User) -> list[Enrolment]:
    return list(
        db.session.scalars(
            sa.select(Enrolment)
            .join(Enrolment.session)
            .options(so.contains_eager(Enrolment.session).joinedload(TrainingSession.host_centre))
            .where(
                Enrolment.person_id == person.id,
                Enrolment.status != EnrolmentStatus.CANCELLED,
                TrainingSession.ends_at >= utcnow(),
            )
            .order_by(TrainingSession.starts_at)
            .limit(10)
        )
    )


def _my_closed_sessions() -> dict:
    """Feedback waiting, and the certificates of sessions closed lately (older ones are in
    "Mes formations"), from the attendance room's list."""
    attended = my_attended_sessions()
    since = utcnow() - RECENT_CERTIFICATES
    return {
        "feedback_waiting": [item for item in attended if item["feedback_waiting"]],
        "certificates": [
            item
            for item in attended
            if item["session"].closed_at is None or item["session"].closed_at >= since
        ][:3],
        "attended_count": len(attended),
    }


def _my_open_diagnostics(person: User) -> list[dict]:
    """The open questionnaires ``person`` has not sent yet, with whether they started one."""
    campaigns = open_campaigns_for(person)
    if not campaigns:
        return []
    responses = {
        response.campaign_id: response
        for response in db.session.scalars(
            sa.select(DiagnosticResponse).where(
                DiagnosticResponse.person_id == person.id,
                DiagnosticResponse.campaign_id.in_([c.id for c in campaigns]),
            )
        )
    }
    return [
        {"campaign": c, "started": c.id in responses and responses[c.id].started_at is not None}
        for c in campaigns
        if c.id not in responses or responses[c.id].submitted_at is None
    ]


def _coordinator_summary() -> dict[str, int]:
    now = utcnow()
    sessions = sa.select(sa.func.count(TrainingSession.id))
    people = sa.select(sa.func.count(User.id))
    return counts(
        db.session,
        centres=sa.select(sa.func.count(Centre.id)),
        people=people.where(User.status == UserStatus.ACTIVE),
        upcoming_sessions=sessions.where(
            TrainingSession.status == SessionStatus.PUBLISHED, TrainingSession.starts_at >= now
        ),
        draft_sessions=sessions.where(TrainingSession.status == SessionStatus.DRAFT),
        pending_people=people.where(User.status == UserStatus.PENDING),
    )


def _referent_summary(referent: User) -> dict[str, int]:
    people = visible_people(referent).with_only_columns(sa.func.count(User.id))
    # The requests "Inscriptions du centre" lists for validation: members, sessions to come.
    members = sa.select(User.id).where(User.centre_id == referent.centre_id)
    enrolment_requests = (
        sa.select(sa.func.count(Enrolment.id))
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .where(
            Enrolment.status == EnrolmentStatus.PENDING,
            Enrolment.person_id.in_(members),
            TrainingSession.ends_at >= utcnow(),
        )
    )
    return counts(
        db.session,
        people=people.where(User.status == UserStatus.ACTIVE),
        invited=people.where(User.status == UserStatus.INVITED),
        pending_people=people.where(User.status == UserStatus.PENDING),
        enrolment_requests=enrolment_requests,
    )


def _trainer_upcoming_sessions(trainer: User) -> list[TrainingSession]:
    return list(
        db.session.scalars(
            sa.select(TrainingSession)
            .options(so.joinedload(TrainingSession.host_centre))
            .join(session_trainer, session_trainer.c.session_id == TrainingSession.id)
            .where(
                session_trainer.c.user_id == trainer.id,
                TrainingSession.ends_at >= utcnow(),
                TrainingSession.status.in_([SessionStatus.PUBLISHED, SessionStatus.DRAFT]),
            )
            .order_by(TrainingSession.starts_at)
            .limit(10)
        )
    )
