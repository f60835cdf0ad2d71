"""The e-mails of the enrolment room, queued in the outbox within the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from reseau.accounts.models import Role, User, UserRole, UserStatus
from reseau.adjustments.queries import disability_contacts
from reseau.catalogue.changes import SEANCE_KINDS, SessionChange
from reseau.core.extensions import db
from reseau.enrolment.models import EnrolmentStatus
from reseau.enrolment.signals import enrolment_mail_queued
from reseau.outbox import queue_mail


def _send(
    enrolment,
    subject: str,
    template: str,
    *,
    dedup_key: str | None = None,
    method: str | None = None,
    invitations: list[tuple[int, str]] | None = None,
    **context,
):
    """Queue one e-mail to the enrolled person; ``method`` asks for the calendar invitation
    (REQUEST) of every séance or its withdrawal (CANCEL), ``invitations`` for those of some
    séances only (``[(seance_id, "CANCEL")]``); whoever listens attaches them (calendars)."""
    person = enrolment.person
    if not person.email or person.status in (UserStatus.DISABLED, UserStatus.ANONYMISED):
        return None
    session = enrolment.session
    mail = queue_mail(
        person.email,
        f"{subject} : {session.title}",
        template,
        dedup_key=dedup_key,
        person=person,
        session=session,
        enrolment=enrolment,
        **context,
    )
    if method is not None or invitations:
        # What the invitations read (the trainers, the person's last invitations) must not
        # flush ``mail`` half-built: it is inserted once, with its calendar part.
        with db.session.no_autoflush:
            enrolment_mail_queued.send(
                enrolment, mail=mail, enrolment=enrolment, method=method, invitations=invitations
            )
    return mail


def confirmed(enrolment):
    return _send(enrolment, "Inscription confirmée", "enrolment_confirmed", method="REQUEST")


def waitlisted(enrolment, position: int | None):
    return _send(enrolment, "Liste d'attente", "enrolment_waitlisted", position=position)


def promoted(enrolment):
    return _send(enrolment, "Une place s'est libérée", "enrolment_promoted", method="REQUEST")


def offered(enrolment):
    return _send(enrolment, "Une place vous est proposée", "enrolment_offered")


def offer_expired(enrolment):
    return _send(enrolment, "Place proposée expirée", "enrolment_offer_expired")


def pending(enrolment):
    """Tell the person their request waits for the centre, and tell the centre's referents."""
    _send(enrolment, "Demande d'inscription transmise", "enrolment_pending")
    person = enrolment.person
    if person.centre_id is None:
        return
    referents = db.session.scalars(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == Role.REFERENT,
            User.centre_id == person.centre_id,
            User.status == UserStatus.ACTIVE,
            User.email.is_not(None),
        )
        .order_by(User.id)
    ).all()
    for referent in referents:
        queue_mail(
            referent.email,
            f"Inscription à valider : {enrolment.session.title}",
            "enrolment_to_validate",
            referent=referent,
            person=person,
            session=enrolment.session,
            enrolment=enrolment,
        )


def declined(enrolment):
    return _send(enrolment, "Inscription non retenue", "enrolment_declined")


def cancelled(enrolment, *, by_self: bool, reason: str = ""):
    return _send(
        enrolment,
        "Inscription annulée",
        "enrolment_cancelled",
        method="CANCEL",
        by_self=by_self,
        reason=reason,
    )


def convocation(enrolment):
    start = enrolment.session.starts_at
    key = f"convocation:{enrolment.id}:{start:%Y%m%d%H%M}" if start else None
    return _send(
        enrolment,
        "Convocation",
        "enrolment_convocation",
        dedup_key=key,
        access=enrolment.session.accessibility,
        adjustment_contacts=disability_contacts(),
    )


def session_cancelled(enrolment, *, reason: str = ""):
    return _send(
        enrolment,
        "Session annulée",
        "session_cancelled",
        dedup_key=f"session-cancelled:{enrolment.session_id}:{enrolment.person_id}",
        method="CANCEL",
        reason=reason,
    )


def session_changed(enrolment, changes: Sequence[SessionChange] = ()):
    """Tell the person what changed, in plain sentences; update the calendar of someone who
    holds a place (REQUEST for what moved, CANCEL for a cancelled séance)."""
    holds = enrolment.status == EnrolmentStatus.CONFIRMED
    invitations = calendar_updates(enrolment.session, changes) if holds and changes else None
    return _send(
        enrolment,
        "Changement de programme",
        "session_changed",
        method="REQUEST" if holds and not changes else None,
        invitations=invitations,
        sentences=[change.sentence() for change in changes],
        waiting=enrolment.status == EnrolmentStatus.WAITLISTED,
    )


def calendar_updates(session, changes: Sequence[SessionChange]) -> list[tuple[int, str]]:
    """The séances whose calendar entries the changes touch, with REQUEST or CANCEL."""
    updates: dict[int, str] = {}
    for change in changes:
        if change.kind in SEANCE_KINDS:
            updates[change.seance_id] = "CANCEL" if change.cancels else "REQUEST"
        else:  # the place or title of every séance
            for seance in session.seances:
                updates.setdefault(seance.id, "REQUEST")
    return list(updates.items())


def trainer_session_changed(trainer, session, changes: Sequence[SessionChange] = ()):
    """Tell a trainer of the session what changed (their feed updates by itself)."""
    if not trainer.mailable:
        return None
    return queue_mail(
        trainer.email,
        f"Changement de programme (session que vous animez) : {session.title}",
        "trainer_session_changed",
        person=trainer,
        session=session,
        sentences=[change.sentence() for change in changes],
    )


def trainer_session_cancelled(trainer, session, reason: str = ""):
    """Tell a trainer that the session they lead is cancelled (once), with the ``reason``."""
    if not trainer.mailable:
        return None
    return queue_mail(
        trainer.email,
        f"Session annulée (session que vous animez) : {session.title}",
        "trainer_session_cancelled",
        dedup_key=f"session-cancelled-trainer:{session.id}:{trainer.id}",
        person=trainer,
        session=session,
        reason=reason,
    )
