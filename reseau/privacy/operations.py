"""Privacy operations: export, deletion requests, anonymisation and retention.

Functions take models and an explicit actor, add to the session and flush; views commit.
Anonymising keeps every figure (enrolments, attendance, answers, feedback): the rows stay
attached to a person who no longer has a name, an address or a way to log in, so the reports
count the same people, hours and answers before and after. What the person wrote in their own
words (comments, open answers) is erased: it may name them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from reseau.accounts.models import AccountToken, Role, User, UserRole, UserStatus
from reseau.accounts.queries import mailable_holders
from reseau.accounts.subcategories import anonymous_sub_category
from reseau.adjustments.operations import erase_requests
from reseau.adjustments.queries import requests_of
from reseau.attendance import rollups
from reseau.attendance.models import Attendance, Feedback
from reseau.calendars.models import CalendarToken
from reseau.catalogue.models import Seance, TrainingSession, session_trainer
from reseau.complaints.operations import erase_person as erase_complaints
from reseau.complaints.queries import person_complaints
from reseau.core.audit import AuditLog, record_audit
from reseau.core.database import lock_row, utcnow
from reseau.core.extensions import db
from reseau.diagnostic.models import DiagnosticResponse, QuestionAnswer, SkillAnswer
from reseau.enrolment.models import Enrolment
from reseau.evaluation.models import ColdAnswer, TrainerEvaluation
from reseau.imports.operations import forget_imports_naming
from reseau.outbox import external_url, queue_mail
from reseau.outbox.models import UNSENT, OutboxMail
from reseau.outbox.scrub import Scrubber, scrub_mail_files, scrub_outbox
from reseau.proof.retention import kept_documents, release_personal_data

DELETION_REQUEST = "privacy.deletion_request"
ANONYMISE = "person.anonymise"
EXPORT = "privacy.export"
ANONYMOUS_FIRST_NAME = "Personne"
ANONYMOUS_EMAIL = "anonymise@reseau.invalid"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_person(person: User) -> dict[str, Any]:
    """Return everything Réseau keeps about ``person``, as JSON-ready data."""
    return export_and_request(person)[0]


def export_and_request(person: User) -> tuple[dict[str, Any], AuditLog | None]:
    """``export_person``, and the person's deletion request from the same rows (the page
    "Mes données" shows both; see ``pending_deletion_request``)."""
    rows = _rows_of(person)
    requests = [
        row
        for row in rows["history"]
        if row.action == DELETION_REQUEST
        and (row.object_type, row.object_id) == ("user", person.id)
    ]
    data = {
        "personne": _person_part(person),
        **_history_parts(rows),
        "reclamations": _complaints_part(person),
        "amenagements": _adjustments_part(person),
        "preuves_conservees": kept_documents(person),
    }
    return data, (requests[-1] if requests else None)


def _complaints_part(person: User) -> list[dict[str, Any]]:
    return [
        {
            "reference": row.reference,
            "nature": row.kind.label,
            "categorie": row.category.label,
            "session": row.session.title if row.session else None,
            "nom": row.name,
            "email": row.email,
            "message": row.text,
            "statut": row.status.label,
            "recue_le": _iso(row.received_at),
            "reponse": row.answer,
            "repondue_le": _iso(row.answered_at),
            "cloturee_le": _iso(row.closed_at),
        }
        for row in person_complaints(person)
    ]


def _adjustments_part(person: User) -> list[dict[str, Any]]:
    """The person's adjustment requests and what was arranged (confidential, theirs)."""
    return [
        {
            "session": row.session.title,
            "demande": row.text,
            "demandee_le": _iso(row.updated_at),
            "prevu": row.arranged,
            "prevu_le": _iso(row.arranged_at),
        }
        for row in requests_of(person)
    ]


def _person_part(person: User) -> dict[str, Any]:
    return {
        "prenom": person.first_name,
        "nom": person.last_name,
        "email": person.email,
        "telephone": person.phone,
        "centre": person.centre.name if person.centre else None,
        "categorie": person.category.label,
        "precision": person.sub_category,
        "statut": person.status.label,
        "roles": sorted(role.label for role in person.roles),
        "nom_visible_des_autres_participants": person.directory_consent,
        "parcours_partage_avec_le_referent": person.parcours_shared,
        "compte_cree_le": _iso(person.created_at),
        "derniere_connexion": _iso(person.last_login_at),
    }


def _rows_of(person: User) -> dict[str, list]:
    """The rows about ``person``, table by table, in the order they were made."""
    enrolments = _all(
        Enrolment,
        Enrolment.person_id == person.id,
        Enrolment.created_at,
        so.joinedload(Enrolment.session),
    )
    attendance = _all(
        Attendance,
        Attendance.person_id == person.id,
        Attendance.recorded_at,
        so.joinedload(Attendance.seance).joinedload(Seance.session),
    )
    feedback = _all(
        Feedback,
        Feedback.person_id == person.id,
        Feedback.created_at,
        so.joinedload(Feedback.session),
    )
    responses = _all(
        DiagnosticResponse,
        DiagnosticResponse.person_id == person.id,
        DiagnosticResponse.id,
        so.joinedload(DiagnosticResponse.campaign),
        # Joined, not queries of their own: a person has few responses, each a few dozen
        # answers at most (the rows multiply, the round trips do not).
        so.joinedload(DiagnosticResponse.skill_answers).joinedload(SkillAnswer.skill),
        so.joinedload(DiagnosticResponse.question_answers),
    )
    cold_answers = _all(
        ColdAnswer,
        sa.and_(ColdAnswer.person_id == person.id, ColdAnswer.submitted_at.is_not(None)),
        ColdAnswer.submitted_at,
        so.joinedload(ColdAnswer.session),
    )
    trainer_evaluations = _all(
        TrainerEvaluation,
        TrainerEvaluation.trainer_id == person.id,
        TrainerEvaluation.id,
        so.joinedload(TrainerEvaluation.session),
    )
    calendars = _all(CalendarToken, CalendarToken.user_id == person.id, CalendarToken.created_at)
    mails = (
        _all(OutboxMail, OutboxMail.recipient == person.email, OutboxMail.created_at)
        if person.email
        else []
    )
    history = _all(
        AuditLog,
        sa.or_(
            AuditLog.actor_id == person.id,
            sa.and_(AuditLog.object_type == "user", AuditLog.object_id == person.id),
        ),
        AuditLog.at,
    )
    return {
        "enrolments": enrolments,
        "attendance": attendance,
        "feedback": feedback,
        "responses": responses,
        "cold_answers": cold_answers,
        "trainer_evaluations": trainer_evaluations,
        "calendars": calendars,
        "mails": mails,
        "history": history,
    }


def _all(model, condition, order, *options) -> list:
    """The rows of ``model`` that meet ``condition``, in ``order``, loaded with ``options``."""
    return (
        db.session.scalars(sa.select(model).where(condition).options(*options).order_by(order))
        .unique()
        .all()
    )  # unique: rows with a joined collection come once


def _history_parts(rows: dict[str, list]) -> dict[str, Any]:
    enrolments, attendance, feedback = rows["enrolments"], rows["attendance"], rows["feedback"]
    responses, calendars = rows["responses"], rows["calendars"]
    mails, history = rows["mails"], rows["history"]
    return {
        "inscriptions": [
            {
                "session": row.session.title,
                "debut": _iso(row.session.starts_at),
                "statut": row.status.label,
                "inscrit_le": _iso(row.created_at),
                "annulee_le": _iso(row.cancelled_at),
            }
            for row in enrolments
        ],
        "presences": [
            {
                "session": row.seance.session.title,
                "seance": _iso(row.seance.starts_at),
                "statut": row.status.label,
                "sans_inscription": row.is_walk_in,
            }
            for row in attendance
        ],
        "avis": [
            {
                "session": row.session.title,
                "satisfaction": row.satisfaction,
                "acquis": row.gained,
                "manques": row.missing,
                "recommande": row.would_recommend,
                "donne_le": _iso(row.created_at),
            }
            for row in feedback
        ],
        "diagnostics": [
            {
                "campagne": row.campaign.title,
                "envoye_le": _iso(row.submitted_at),
                "competences": [
                    {
                        "competence": answer.skill.title,
                        "niveau": answer.level.label if answer.level else None,
                        "souhait_de_formation": (
                            answer.wants_training.label if answer.wants_training else None
                        ),
                    }
                    for answer in row.skill_answers
                ],
                "reponses_libres": [answer.text for answer in row.question_answers if answer.text],
                "autres_besoins": row.other_needs,
            }
            for row in responses
        ],
        **_evaluation_parts(rows),
        "agendas": [
            {
                "type": row.kind.label,
                "cree_le": _iso(row.created_at),
                "revoque_le": _iso(row.revoked_at),
                "derniere_lecture": _iso(row.last_fetched_at),
            }
            for row in calendars
        ],
        "emails": [
            {"objet": row.subject, "cree_le": _iso(row.created_at), "statut": row.status.label}
            for row in mails
        ],
        "journal": [
            {"action": row.action, "le": _iso(row.at), "resume": row.summary} for row in history
        ],
    }


def _evaluation_parts(rows: dict[str, list]) -> dict[str, Any]:
    """What the person said months after a training, and as a trainer after teaching one."""
    return {
        "evaluations_a_froid": [
            {
                "session": row.session.title,
                "utilise": row.used.label if row.used else None,
                "changements": row.changes,
                "acquis": row.gained,
                "manques": row.missing,
                "besoins": row.needs,
                "envoyee_le": _iso(row.submitted_at),
            }
            for row in rows["cold_answers"]
        ],
        "bilans_formateur": [
            {
                "session": row.session.title,
                "groupe": row.group_notes,
                "objectifs": row.objectives.label,
                "precisions_objectifs": row.objectives_notes,
                "a_changer": row.to_change,
            }
            for row in rows["trainer_evaluations"]
        ],
    }


def record_export(person: User, *, actor: User) -> None:
    record_audit(actor, EXPORT, person, summary=f"Export des données de la personne n°{person.id}")
    db.session.flush()


def pending_deletion_request(person: User) -> AuditLog | None:
    """Return the person's deletion request not yet followed by an anonymisation."""
    if person.status == UserStatus.ANONYMISED:
        return None
    return db.session.scalar(
        sa.select(AuditLog)
        .where(
            AuditLog.action == DELETION_REQUEST,
            AuditLog.object_type == "user",
            AuditLog.object_id == person.id,
        )
        .order_by(AuditLog.at.desc())
        .limit(1)
    )


def deletion_requests() -> list[tuple[AuditLog, User]]:
    """Return the open deletion requests (oldest first) with their person."""
    rows = db.session.execute(
        sa.select(AuditLog, User)
        .join(User, sa.and_(AuditLog.object_type == "user", AuditLog.object_id == User.id))
        .where(AuditLog.action == DELETION_REQUEST, User.status != UserStatus.ANONYMISED)
        .order_by(AuditLog.at)
    ).all()
    seen: set[int] = set()
    result = []
    for entry, person in rows:
        if person.id not in seen:
            seen.add(person.id)
            result.append((entry, person))
    return result


def request_deletion(person: User, *, reason: str = "") -> bool:
    """Record the person's request and tell the coordinators; False if already asked."""
    lock_row(person)  # a double click records one request
    if pending_deletion_request(person) is not None:
        return False
    record_audit(
        person,
        DELETION_REQUEST,
        person,
        summary=f"Demande de suppression du compte n°{person.id}",
        after={"motif": reason[:500]} if reason else None,
    )
    for coordinator in mailable_holders(Role.COORDINATOR):
        queue_mail(
            coordinator.email,
            "Une personne demande la suppression de son compte",
            "privacy_deletion_request",
            dedup_key=f"privacy:deletion:{person.id}:{coordinator.id}",
            coordinator=coordinator,
            person_id=person.id,
            link=external_url("privacy.admin_requests"),
        )
    db.session.flush()
    return True


def anonymise_person(person: User, *, actor: User | None, reason: str = "") -> None:
    """Erase the person's names and contacts everywhere Réseau copied them; keep their
    figures under an anonymous label."""
    lock_row(person)  # the coordinator and `tick` at once: the second finds it done
    if person.status == UserStatus.ANONYMISED:
        return
    email, copies = person.email, _copies_of(person)
    forget_imports_naming(person, email=email)  # before the names are overwritten
    # Rows are found by the full name or the e-mail (the names alone are common words).
    found_by = [person.full_name, person.sort_name, email or ""]
    # Found by their address too: before it goes. The e-mails quoting them lose the words.
    complaint_words, references = erase_complaints(person)
    copies.update(complaint_words)
    found_by += references
    person.first_name = ANONYMOUS_FIRST_NAME
    person.last_name = f"anonymisée n°{person.id}"
    person.email = None
    person.phone = ""
    person.password_hash = None
    person.status = UserStatus.ANONYMISED
    person.directory_consent = False
    person.parcours_shared = False
    person.sub_category = anonymous_sub_category(person.sub_category)
    person.session_version += 1  # every open session ends
    person.set_roles([Role.PARTICIPANT])
    db.session.execute(sa.delete(AccountToken).where(AccountToken.user_id == person.id))
    db.session.execute(sa.delete(CalendarToken).where(CalendarToken.user_id == person.id))
    if email:
        # Unsent messages (failed ones too: a retry must not send them) are dropped; the
        # copies of sent ones lose their address and text.
        db.session.execute(
            sa.delete(OutboxMail).where(
                OutboxMail.recipient == email, OutboxMail.status.in_(UNSENT)
            )
        )
        db.session.execute(
            sa.update(OutboxMail)
            .where(OutboxMail.recipient == email)
            .values(recipient=ANONYMOUS_EMAIL, body_text="", ics=None, last_error=None)
        )
    erase_free_text(person)
    erase_requests(person)  # what they said of their health or disability goes entirely
    # Sealed proof under retention keeps the person's name and signature (RGPD 17(3)(b)).
    release_personal_data(person)
    scrub_copies(person, copies, found_by, email)
    # Earlier audit entries about the person named them: keep the facts, not the names.
    db.session.execute(
        sa.update(AuditLog)
        .where(AuditLog.object_type == "user", AuditLog.object_id == person.id)
        .values(summary=f"(personne n°{person.id}, anonymisée)", before=None, after=None)
    )
    record_audit(
        actor,
        ANONYMISE,
        person,
        summary=reason or f"Anonymisation de la personne n°{person.id}",
    )
    db.session.flush()
    rollups.refresh_person(person.id)  # the bilan counts them under the anonymous label


def _copies_of(person: User) -> dict[str, str]:
    """What of ``person`` was copied into e-mails and the audit log, and what replaces it."""
    anonymous = f"{ANONYMOUS_FIRST_NAME} anonymisée n°{person.id}"
    copies = {
        person.full_name: anonymous,
        person.sort_name: anonymous,
        person.first_name: ANONYMOUS_FIRST_NAME,
        person.last_name: f"anonymisée n°{person.id}",
    }
    if person.email:
        copies[person.email] = ANONYMOUS_EMAIL
    if len(person.phone) >= 6:
        copies[person.phone] = "(téléphone effacé)"
    return {text: label for text, label in copies.items() if len(text.strip()) >= 2}


def scrub_copies(
    person: User, copies: dict[str, str], found_by: list[str], email: str | None
) -> None:
    """Take the person out of every stored copy: e-mails to anyone (rows and written files),
    audit summaries and details, calendars.

    Rows mentioning any of ``found_by`` have every one of ``copies`` replaced. The mail
    files are rewritten at once, before the commit: if the transaction fails, a file has
    lost a name that was about to go anyway.
    """
    scrub = Scrubber(copies)
    scrub_outbox(scrub, found_by)
    _scrub_audit(scrub, found_by)
    scrub_mail_files(current_app.config["MAIL_DIRECTORY"], scrub, email=email)
    # Calendar feeds are rebuilt from the database: move their ETags so that subscribers and
    # each worker's cache of built feeds drop the old names.
    now = utcnow()
    db.session.execute(
        sa.update(Enrolment).where(Enrolment.person_id == person.id).values(updated_at=now)
    )
    trained = sa.select(session_trainer.c.session_id).where(session_trainer.c.user_id == person.id)
    db.session.execute(
        sa.update(TrainingSession).where(TrainingSession.id.in_(trained)).values(updated_at=now)
    )


def _scrub_audit(scrub: Scrubber, needles: list[str]) -> None:
    found = []
    for needle in filter(None, needles):
        found.append(sa.func.lower(AuditLog.summary).contains(needle.lower(), autoescape=True))
        # JSON is stored with non-ASCII letters escaped (\u00e9): look for that spelling.
        escaped = json.dumps(needle)[1:-1]
        for column in (AuditLog.before, AuditLog.after):
            found.append(sa.cast(column, sa.Text).contains(escaped, autoescape=True))
    for entry in db.session.scalars(sa.select(AuditLog).where(sa.or_(*found))):
        entry.summary = scrub(entry.summary)[:300]
        entry.before = _scrub_json(entry.before, scrub)
        entry.after = _scrub_json(entry.after, scrub)
    db.session.flush()


def _scrub_json(value, scrub: Scrubber):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrub_json(item, scrub) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_json(item, scrub) for item in value]
    return value


def erase_free_text(person: User) -> None:
    """Erase what ``person`` wrote in their own words; keep their choices and figures.

    Free text (feedback comments, the diagnostic's open answers and other needs) may hold
    their name, a colleague's or their centre's story, which anonymous figures do not need.
    Cold answers and a trainer's evaluations lose their texts too. The satisfaction marks,
    recommendations, skill levels and training wishes stay, so the reports count the same
    answers; the comment lists, which show only non-empty texts, no longer show theirs.
    """
    _erase(Feedback, (Feedback.gained, Feedback.missing), Feedback.person_id == person.id)
    _erase(
        DiagnosticResponse,
        (DiagnosticResponse.other_needs,),
        DiagnosticResponse.person_id == person.id,
    )
    responses = sa.select(DiagnosticResponse.id).where(DiagnosticResponse.person_id == person.id)
    _erase(QuestionAnswer, (QuestionAnswer.text,), QuestionAnswer.response_id.in_(responses))
    _erase(
        ColdAnswer,
        (ColdAnswer.changes, ColdAnswer.gained, ColdAnswer.missing, ColdAnswer.needs),
        ColdAnswer.person_id == person.id,
    )
    _erase(
        TrainerEvaluation,
        (
            TrainerEvaluation.group_notes,
            TrainerEvaluation.objectives_notes,
            TrainerEvaluation.to_change,
        ),
        TrainerEvaluation.trainer_id == person.id,
    )


def _erase(model, columns, condition) -> None:
    db.session.execute(
        sa.update(model)
        .where(condition)
        .values({column.key: "" for column in columns})
        .execution_options(synchronize_session="fetch")
    )


def inactive_people(now: datetime, months: int) -> list[User]:
    """Return the people with no login, enrolment or attendance for ``months`` months."""
    return list(db.session.scalars(_inactive(now, months).order_by(User.id)))


def count_inactive(now: datetime, months: int) -> int:
    """How many people ``apply_retention`` would anonymise now."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(_inactive(now, months).subquery())
    )


def _inactive(now: datetime, months: int) -> sa.Select:
    cutoff = now - timedelta(days=30 * months)
    recent_enrolment = sa.select(Enrolment.person_id).where(Enrolment.updated_at >= cutoff)
    recent_attendance = sa.select(Attendance.person_id).where(Attendance.recorded_at >= cutoff)
    coordinators = sa.select(UserRole.user_id).where(UserRole.role == Role.COORDINATOR)
    return sa.select(User).where(
        User.status != UserStatus.ANONYMISED,
        sa.func.coalesce(User.last_login_at, User.created_at) < cutoff,
        User.created_at < cutoff,
        User.id.not_in(recent_enrolment),
        User.id.not_in(recent_attendance),
        User.id.not_in(coordinators),
    )


def apply_retention(now: datetime | None = None, months: int | None = None) -> int:
    """Anonymise the people inactive for the retention period; return how many."""
    months = current_app.config.get("RETENTION_MONTHS", 0) if months is None else months
    if not months or months <= 0:
        return 0
    now = now or utcnow()
    anonymised = 0
    for person in inactive_people(now, months):
        # Locked, then asked again: someone who logged in or enrolled since the list was
        # read is active after all.
        lock_row(person)
        if db.session.scalar(_inactive(now, months).where(User.id == person.id)) is None:
            continue
        anonymise_person(
            person,
            actor=None,
            reason=f"Anonymisation automatique après {months} mois sans activité",
        )
        anonymised += 1
    return anonymised
