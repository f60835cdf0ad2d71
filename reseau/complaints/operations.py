"""Writes of the complaints register: receive, take in an incident, handle, answer, close.

Plain functions with an explicit ``actor`` (None: someone without an account); they flush,
the view commits. Every change is audited; every e-mail goes through the outbox.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from reseau.accounts.models import User
from reseau.catalogue.models import TrainingSession
from reseau.complaints.models import (
    Complaint,
    ComplaintCategory,
    ComplaintKind,
    ComplaintSource,
    ComplaintStatus,
)
from reseau.complaints.queries import Incident, coordinator_emails
from reseau.core.audit import record_audit
from reseau.core.database import lock_row, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.outbox import external_url, queue_mail

ATTEMPTS = 5
# What an incident is filed under.
INCIDENT_CATEGORIES = {
    "seance.cancel": ComplaintCategory.ORGANISATION,
    "session.cancel": ComplaintCategory.ORGANISATION,
    "session.trainers": ComplaintCategory.TRAINER,
}


class ComplaintError(Exception):
    """A change the register refuses; the message is French, for the page."""


def format_reference(year: int, number: int) -> str:
    """« R-2026-0007 »."""
    return f"R-{year}-{number:04d}"


def last_number(year: int) -> int:
    """The highest number given in ``year`` so far (0 for none)."""
    last = db.session.scalar(sa.select(sa.func.max(Complaint.number)).where(Complaint.year == year))
    return last or 0


def insert_numbered(complaint: Complaint) -> Complaint:
    """Give ``complaint`` the next number of its year and insert it.

    Two complaints received at once may read the same last number: the unique (year, number)
    refuses the second insert, which is tried again, inside a savepoint, with the next one.
    """
    complaint.year = to_local(complaint.received_at).year
    for _ in range(ATTEMPTS):
        complaint.number = last_number(complaint.year) + 1
        complaint.reference = format_reference(complaint.year, complaint.number)
        try:
            with db.session.begin_nested():
                db.session.add(complaint)
                db.session.flush()
        except IntegrityError:  # the savepoint's rollback took the row out: try again
            continue
        return complaint
    raise ComplaintError("Le registre est très sollicité : réessayez dans un instant.")


def submit_complaint(data: dict[str, Any], *, actor: User | None) -> Complaint:
    """Receive a complaint from the public form: a reference, an acknowledgement to the
    person, a message to the coordination."""
    complaint = insert_numbered(
        Complaint(
            received_at=utcnow(),
            source=ComplaintSource.FORM,
            kind=ComplaintKind(data["kind"]),
            category=ComplaintCategory(data["category"]),
            session_id=_existing_session(data.get("session_id")),
            person_id=getattr(actor, "id", None),
            name=data["name"],
            email=data["email"],
            text=data["text"],
        )
    )
    record_audit(actor, "complaint.create", complaint, summary=complaint.reference)
    queue_mail(
        complaint.email,
        f"Nous avons bien reçu votre message ({complaint.reference})",
        "complaint_received",
        complaint=complaint,
    )
    link = external_url("complaints.complaint_detail", complaint_id=complaint.id)
    for email in coordinator_emails():
        queue_mail(
            email,
            f"Nouvelle {complaint.kind.label.lower()} : {complaint.reference}",
            "complaint_to_coordinator",
            complaint=complaint,
            link=link,
        )
    return complaint


def _existing_session(session_id: int | None) -> int | None:
    if session_id is None:
        return None
    return session_id if db.session.get(TrainingSession, session_id) is not None else None


def add_incident(incident: Incident, *, actor: User) -> Complaint:
    """Take a known incident into the register, once (the audit entry's id is unique)."""
    text = f"{incident.label} : {incident.summary}."
    if incident.details:
        text += f" {incident.details}"
    complaint = Complaint(
        received_at=incident.at,
        source=ComplaintSource.INCIDENT,
        incident_audit_id=incident.audit_id,
        kind=ComplaintKind.DIFFICULTY,
        category=INCIDENT_CATEGORIES[incident.action],
        session_id=_existing_session(incident.session_id),
        name="(incident connu)",
        text=text,
        status=ComplaintStatus.IN_PROGRESS,
        handler_id=actor.id,
    )
    if db.session.scalar(
        sa.select(Complaint.id).where(Complaint.incident_audit_id == incident.audit_id)
    ):
        raise ComplaintError("Cet incident est déjà au registre.")
    insert_numbered(complaint)
    record_audit(actor, "complaint.incident", complaint, summary=complaint.reference)
    return complaint


def update_handling(complaint: Complaint, data: dict[str, Any], *, actor: User) -> None:
    """Change who handles it, its status (not closed: ``close_complaint``) and improvement."""
    lock_row(complaint)
    if complaint.status == ComplaintStatus.CLOSED:
        raise ComplaintError("La réclamation est clôturée.")
    before = _snapshot(complaint)
    complaint.handler_id = data.get("handler_id")
    complaint.status = ComplaintStatus(data["status"])
    complaint.improvement = data.get("improvement") or ""
    db.session.flush()
    record_audit(
        actor,
        "complaint.update",
        complaint,
        summary=complaint.reference,
        before=before,
        after=_snapshot(complaint),
    )


def _snapshot(complaint: Complaint) -> dict:
    return {
        "handler_id": complaint.handler_id,
        "status": complaint.status.value,
        "improvement": complaint.improvement,
    }


def answer_complaint(complaint: Complaint, answer: str, *, actor: User) -> None:
    """Send ``answer`` to the person by e-mail and record it (the delay runs until now)."""
    lock_row(complaint)
    if complaint.status == ComplaintStatus.CLOSED:
        raise ComplaintError("La réclamation est clôturée.")
    if complaint.answered_at is not None:
        raise ComplaintError("Une réponse a déjà été envoyée.")
    if not complaint.email:
        raise ComplaintError("Personne à qui répondre : c'est un incident connu.")
    complaint.answer = answer
    complaint.answered_at = utcnow()
    complaint.status = ComplaintStatus.ANSWERED
    complaint.handler_id = complaint.handler_id or actor.id
    db.session.flush()
    queue_mail(
        complaint.email,
        f"Réponse à votre message {complaint.reference}",
        "complaint_answer",
        complaint=complaint,
    )
    record_audit(actor, "complaint.answer", complaint, summary=complaint.reference)


def close_complaint(complaint: Complaint, *, actor: User, improvement: str = "") -> None:
    """Close it, with the improvement decided if any."""
    lock_row(complaint)
    if complaint.status == ComplaintStatus.CLOSED:
        return
    complaint.closed_at = utcnow()
    complaint.status = ComplaintStatus.CLOSED
    if improvement:
        complaint.improvement = improvement
    complaint.handler_id = complaint.handler_id or actor.id
    db.session.flush()
    record_audit(actor, "complaint.close", complaint, summary=complaint.reference)


# What replaces a complaint's words in the stored copies of e-mails about it.
ERASED_WORDS = "(message effacé : la personne a été anonymisée)"


def erase_person(person: User) -> tuple[dict[str, str], list[str]]:
    """Anonymising ``person``: their complaints keep the facts (category, session, dates,
    delay, improvement), not their name, address, words or the answer written to them.

    Return what the copies of e-mails must lose too (the coordinator's notification quotes
    the message, the answer mail the answer): ``{words: replacement}``, and the complaints'
    references, which find those e-mails whoever they went to (outbox.scrub)."""
    conditions = [Complaint.person_id == person.id]
    if person.email:
        conditions.append(sa.func.lower(Complaint.email) == person.email.lower())
    condition = sa.or_(*conditions)
    found = db.session.execute(
        sa.select(Complaint.reference, Complaint.text, Complaint.answer).where(condition)
    ).all()
    words = {}
    for row in found:
        for text in (row.text, row.answer):
            # As typed (a form's line ends are CR LF) and as a written .eml file reads it.
            for variant in (text or "", (text or "").replace("\r\n", "\n")):
                if len(variant.strip()) >= 2:
                    words[variant] = ERASED_WORDS
    db.session.execute(
        sa.update(Complaint)
        .where(condition)
        .values(name=f"(personne n°{person.id}, anonymisée)", email="", text="", answer="")
        .execution_options(synchronize_session="fetch")
    )
    return words, [row.reference for row in found]
