"""Writes of the adjustments room: a request made at enrolment, what was arranged, and the
erasure of a person's requests (anonymisation, retention). They flush, never commit.

The request's text stays out of the audit log and of e-mails: they say that a request
arrived or was answered, and link to the page where the readers find it.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from reseau.accounts.models import User
from reseau.adjustments.models import TEXT_MAX, AdjustmentRequest
from reseau.adjustments.queries import coordinators, disability_contacts, request_for
from reseau.catalogue.models import TrainingSession
from reseau.core.audit import record_audit
from reseau.core.database import UTCDateTime, lock_row, utcnow
from reseau.core.extensions import db
from reseau.outbox import external_url, queue_mail


def record_request(
    person: User, session: TrainingSession, text: str, *, actor: User | None
) -> AdjustmentRequest | None:
    """Keep what ``person`` asked for to follow ``session`` (nothing if ``text`` is empty)
    and tell the référent·es handicap. A new text replaces an earlier request of the same
    person for the same session, and waits for a new answer."""
    text = (text or "").strip()[:TEXT_MAX]
    if not text:
        return None
    lock_row(person)  # one request per person and session, even from two tabs at once
    found = request_for(person, session.id)
    if found is not None and found.text == text:
        return found
    if found is None:
        found = AdjustmentRequest(session_id=session.id, person_id=person.id, text=text)
        db.session.add(found)
    found.text = text
    found.asked_by_id = getattr(actor, "id", None)
    found.updated_at = utcnow()
    found.arranged, found.arranged_by_id, found.arranged_at = "", None, None
    found.withdrawn_at = None  # asked at enrolment: enrolled
    db.session.flush()
    record_audit(actor, "adjustment.request", found, summary=f"Demande d'aménagement n°{found.id}")
    _tell_readers(found, person, session)
    return found


# The session whose enrolments ``follow_enrolments`` follows, as a parameter of the statement
# built once: the ``enrolled`` select of the caller compares its session with it.
FOLLOWED_SESSION = sa.bindparam("following_session_id")


def follow_enrolments(session_id: int, person_ids, enrolled: sa.Select) -> None:
    """The enrolments of ``person_ids`` in the session changed: their requests are withdrawn
    when the person is no longer among ``enrolled`` (a select of the person ids still enrolled
    or waiting in ``FOLLOWED_SESSION``, made by a room that knows enrolments), and back when
    they are again. One statement, whatever the number of people; requests already
    withdrawn keep their date."""
    db.session.execute(
        _following(enrolled),
        {
            "following_session_id": session_id,
            "person_ids": list(person_ids),
            "following_now": utcnow(),
        },
    )


@functools.lru_cache(maxsize=8)
def _following(enrolled: sa.Select) -> sa.Update:
    """``follow_enrolments``'s statement, built once per ``enrolled`` (a module's constant)."""
    return (
        sa.update(AdjustmentRequest)
        .where(
            AdjustmentRequest.session_id == FOLLOWED_SESSION,
            AdjustmentRequest.person_id.in_(sa.bindparam("person_ids", expanding=True)),
        )
        .values(
            withdrawn_at=sa.case(
                (AdjustmentRequest.person_id.in_(enrolled), None),
                else_=sa.func.coalesce(
                    AdjustmentRequest.withdrawn_at,
                    sa.bindparam("following_now", type_=UTCDateTime()),
                ),
            )
        )
        .execution_options(synchronize_session="fetch")
    )


def _tell_readers(found: AdjustmentRequest, person: User, session: TrainingSession) -> None:
    link = external_url("adjustments.request_detail", request_id=found.id)
    # Nobody designated yet: the coordination reads it.
    for reader in disability_contacts() or coordinators():
        queue_mail(
            reader.email,
            f"Demande d'aménagement : {session.title}",
            "adjustment_request",
            dedup_key=f"adjustment:{found.id}:{found.updated_at.isoformat()}:{reader.id}",
            reader=reader,
            person=person,
            session=session,
            link=link,
        )


def record_arrangement(found: AdjustmentRequest, arranged: str, *, actor: User) -> None:
    """Record what was arranged for the request (who and when), and tell the person."""
    lock_row(found)
    before = {"arranged_at": found.arranged_at.isoformat() if found.arranged_at else None}
    found.arranged = arranged.strip()[:TEXT_MAX]
    found.arranged_by_id = actor.id
    found.arranged_at = utcnow()
    db.session.flush()
    record_audit(
        actor,
        "adjustment.arranged",
        found,
        summary=f"Aménagement prévu pour la demande n°{found.id}",
        before=before,
        after={"arranged_at": found.arranged_at.isoformat()},
    )
    person = found.person
    if person.email:
        queue_mail(
            person.email,
            f"Votre demande d'aménagement : {found.session.title}",
            "adjustment_arranged",
            person=person,
            session=found.session,
            link=external_url("enrolment.my_enrolments"),
        )


def erase_requests(person: User) -> int:
    """Delete the person's requests and their answers (anonymisation, retention)."""
    result = db.session.execute(
        sa.delete(AdjustmentRequest)
        .where(AdjustmentRequest.person_id == person.id)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0
