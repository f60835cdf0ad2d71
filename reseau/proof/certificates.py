"""Certificates of completion: who gets one, for which session, with how many hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from reseau.accounts.models import Centre, User
from reseau.attendance import operations as attendance
from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import from_local
from reseau.proof.operations import get_settings

MAX_SESSIONS = 500


def _sessions(query) -> list[TrainingSession]:
    return list(
        db.session.scalars(
            query.options(
                so.selectinload(TrainingSession.seances), so.selectinload(TrainingSession.trainers)
            )
            .order_by(TrainingSession.starts_at)
            .limit(MAX_SESSIONS)
        )
    )


def of_session(session: TrainingSession) -> list[tuple[TrainingSession, User, float]]:
    """Everyone who attended the closed ``session``, with their hours."""
    if session.status != SessionStatus.CLOSED:
        return []
    return [(session, person, hours) for person, hours in attendance.attendees(session)]


def of_centre(centre: Centre, start: date, end: date) -> list[tuple[TrainingSession, User, float]]:
    """The centre's people who attended closed sessions ending between ``start`` and ``end``."""
    begin = from_local(datetime.combine(start, time.min))
    finish = from_local(datetime.combine(end + timedelta(days=1), time.min))
    sessions = _sessions(
        sa.select(TrainingSession).where(
            TrainingSession.status == SessionStatus.CLOSED,
            TrainingSession.ends_at >= begin,
            TrainingSession.ends_at < finish,
        )
    )
    items = []
    for session in sessions:
        items.extend(item for item in of_session(session) if item[1].centre_id == centre.id)
    return items


def render(items, *, issued: datetime | None = None) -> bytes:
    from reseau.proof import documents  # fpdf only when a PDF is produced

    return documents.certificates_of_completion(
        items,
        get_settings(),
        network_name=current_app.config["NETWORK_NAME"],
        issued=issued or utcnow(),
    )
