"""Reads of the complaints register: the list and its filters, one complaint, the known
incidents not yet taken in, the export's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import Role, User
from reseau.accounts.queries import active_holders, mailable_holders
from reseau.catalogue.choices import session_choices
from reseau.catalogue.models import Seance, SessionStatus, TrainingSession
from reseau.complaints.models import Complaint
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import from_local

# The catalogue's audit actions that are incidents a participant may have suffered.
INCIDENT_ACTIONS = {
    "seance.cancel": "Séance annulée",
    "session.cancel": "Session annulée",
    "session.trainers": "Intervenant·e remplacé·e",
}
INCIDENT_MONTHS = 12
INCIDENT_LIMIT = 50


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 January of ``year`` and of the next one, at midnight in Paris, as UTC."""
    return from_local(datetime(year, 1, 1)), from_local(datetime(year + 1, 1, 1))


def register_query(filters: dict) -> sa.Select:
    """The register's complaints under ``filters`` (statut, categorie, annee, session), most
    recent first, with their session and handler."""
    query = sa.select(Complaint).options(
        so.joinedload(Complaint.session), so.joinedload(Complaint.handler)
    )
    if filters.get("statut"):
        query = query.where(Complaint.status == filters["statut"])
    if filters.get("categorie"):
        query = query.where(Complaint.category == filters["categorie"])
    if filters.get("annee"):
        query = query.where(Complaint.year == filters["annee"])
    if filters.get("session"):
        query = query.where(Complaint.session_id == filters["session"])
    return query.order_by(Complaint.received_at.desc(), Complaint.id.desc())


def register_years() -> list[int]:
    return list(
        db.session.scalars(sa.select(Complaint.year).distinct().order_by(Complaint.year.desc()))
    )


def register_sessions() -> list[tuple[int | str, str]]:
    """The sessions some complaint is about, for the register's filter ("all" first)."""
    return session_choices(among=sa.select(Complaint.session_id), blank="Toutes les sessions")


def complaint_sessions(now: datetime | None = None) -> list[tuple[int | str, str]]:
    """The sessions a complaint may be about: not drafts, from 18 months ago on ("none" first)."""
    now = now or utcnow()
    return session_choices(
        TrainingSession.status != SessionStatus.DRAFT,
        TrainingSession.starts_at >= now - timedelta(days=548),
        blank="— Aucune en particulier —",
    )


def get_complaint_or_404(complaint_id: int) -> Complaint:
    """The complaint with its session and handler; 404 if there is none."""
    return db.first_or_404(
        sa.select(Complaint)
        .options(so.joinedload(Complaint.session), so.joinedload(Complaint.handler))
        .where(Complaint.id == complaint_id)
    )


def handlers() -> list[tuple[int, str]]:
    """Who may handle a complaint: the active coordinators."""
    rows = db.session.scalars(
        active_holders(Role.COORDINATOR).order_by(User.last_name, User.first_name, User.id)
    ).all()
    return [(user.id, user.full_name) for user in rows]


def coordinator_emails() -> list[str]:
    return [person.email for person in mailable_holders(Role.COORDINATOR)]


@dataclass(frozen=True)
class Incident:
    """A known incident (an audit entry of the catalogue) not yet in the register."""

    audit_id: int
    at: datetime
    action: str
    summary: str
    session_id: int | None
    details: str

    @property
    def label(self) -> str:
        return INCIDENT_ACTIONS[self.action]


def _session_of_entry():
    """The session an audit entry is about: its own id, or the séance's session."""
    return sa.case(
        (AuditLog.object_type == "seance", Seance.session_id),
        else_=AuditLog.object_id,
    )


def known_incidents(now: datetime | None = None, *, audit_id: int | None = None) -> list[Incident]:
    """The catalogue's incidents of the last 12 months not yet in the register, most recent
    first (or only the one of ``audit_id``). One query."""
    now = now or utcnow()
    taken = sa.select(Complaint.incident_audit_id).where(Complaint.incident_audit_id.is_not(None))
    query = (
        sa.select(AuditLog, _session_of_entry().label("session_id"))
        .outerjoin(
            Seance, sa.and_(AuditLog.object_type == "seance", Seance.id == AuditLog.object_id)
        )
        .where(
            AuditLog.action.in_(INCIDENT_ACTIONS),
            AuditLog.at >= now - timedelta(days=30 * INCIDENT_MONTHS),
            AuditLog.id.not_in(taken),
        )
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(INCIDENT_LIMIT)
    )
    if audit_id is not None:
        query = query.where(AuditLog.id == audit_id)
    return [_incident(entry, session_id) for entry, session_id in db.session.execute(query)]


def _incident(entry: AuditLog, session_id: int | None) -> Incident:
    details = ""
    if entry.action == "session.trainers":
        before = ", ".join((entry.before or {}).get("trainers", [])) or "personne"
        after = ", ".join((entry.after or {}).get("trainers", [])) or "personne"
        details = f"Avant : {before}. Maintenant : {after}."
    return Incident(entry.id, entry.at, entry.action, entry.summary, session_id, details)


def person_complaints(person: User) -> list[Complaint]:
    """The complaints ``person`` sent: logged in, or from their address."""
    conditions = [Complaint.person_id == person.id]
    if person.email:
        conditions.append(sa.func.lower(Complaint.email) == person.email.lower())
    return list(
        db.session.scalars(
            sa.select(Complaint)
            .options(so.joinedload(Complaint.session))
            .where(sa.or_(*conditions))
            .order_by(Complaint.received_at)
        )
    )
