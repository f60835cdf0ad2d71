"""Invitations (iMIP, RFC 6047; iTIP, RFC 5546) sent with the enrolment e-mails.

One message carries ONE event (one séance, one UID, the same as in the feeds:
``seance-<id>@<host>``): Outlook imports only the first VEVENT of a message, and a session's
séances are too irregular to be one recurring event it accepts (see docs/invitations.md).
So the e-mail that says what happened carries the invitation of the first séance concerned,
and each other séance gets a short message of its own.

REQUEST adds or updates a séance, CANCEL removes it. ``sent_invitation`` keeps the SEQUENCE
last sent to each person for each séance, and every new message goes higher: after a CANCEL,
a re-enrolment's REQUEST is never "older" than the CANCEL, whatever the séance's own SEQUENCE.

The enrolment room does not import this room: it sends ``enrolment_mail_queued`` and the
receiver below fills the e-mail's calendar part (and queues the other séances' messages).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import sqlalchemy as sa

from reseau.calendars import ical
from reseau.calendars.feeds import feed_context
from reseau.calendars.models import SentInvitation
from reseau.catalogue.models import Seance
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import span_fr
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.enrolment.signals import enrolment_mail_queued
from reseau.outbox import OutboxMail, queue_mail

Method = Literal["REQUEST", "CANCEL"]
METHODS = ("REQUEST", "CANCEL")


def next_sequence(seance: Seance, method: Method, last: SentInvitation | None) -> int:
    """Return the SEQUENCE of a new message about ``seance``: at least the séance's own (one
    more to cancel a séance still scheduled), and above anything sent before for that UID."""
    base = seance.sequence
    if method == "CANCEL" and not ical.is_cancelled(seance):
        base += 1
    return base if last is None else max(base, last.sequence + 1)


def invitation_ics(
    enrolment: Enrolment, seance: Seance, method: Method, *, sequence: int, now=None
) -> str:
    """Return the iCalendar text of one séance's invitation (or its withdrawal)."""
    if method not in METHODS:
        raise ValueError(f"Unsupported iTIP method: {method}")
    person = enrolment.person
    calendar = ical.new_calendar(enrolment.session.title, method=method, subscription=False)
    calendar.add_component(
        ical.seance_event(
            seance,
            feed_context(),
            private=True,
            cancelled=True if method == "CANCEL" else None,
            attendee=(person.email, person.full_name) if person.email else None,
            sequence=sequence,
            # DTSTAMP: when this message was made (RFC 5546 §2.1.5), so each is newer.
            modified=(now or utcnow(),),
        )
    )
    return ical.to_bytes(calendar).decode("utf-8")


def _wanted(
    enrolment: Enrolment, method: str | None, invitations: Iterable[tuple[int, str]] | None
) -> list[tuple[Seance, Method]]:
    """The séances (and methods) this e-mail is about, in order."""
    seances = {seance.id: seance for seance in enrolment.session.seances}
    if invitations is None:
        invitations = [(seance_id, method) for seance_id in seances]
    wanted: dict[int, Method] = {}
    for seance_id, kind in invitations:
        if seance_id in seances and kind in METHODS:
            wanted[seance_id] = kind
    return [(seances[seance_id], kind) for seance_id, kind in wanted.items()]


def _sendable(enrolment: Enrolment, seance: Seance, method: Method, last) -> bool:
    """REQUEST only to a confirmed person, for a séance that takes place; CANCEL only for
    what their calendar may hold (sent before, or sent before this table existed)."""
    if method == "REQUEST":
        return enrolment.status == EnrolmentStatus.CONFIRMED and not ical.is_cancelled(seance)
    return last is None or last.method == "REQUEST"


def _last_sent(person_id: int, seance_ids: list[int]) -> dict[int, SentInvitation]:
    if not seance_ids:
        return {}
    rows = db.session.scalars(
        sa.select(SentInvitation).where(
            SentInvitation.person_id == person_id, SentInvitation.seance_id.in_(seance_ids)
        )
    )
    return {row.seance_id: row for row in rows}


def _record(enrolment, seance, method, sequence, last, now) -> None:
    if last is None:
        last = SentInvitation(person_id=enrolment.person_id, seance_id=seance.id)
        db.session.add(last)
    last.sequence, last.method, last.sent_at = sequence, method, now


def _own_message(mail: OutboxMail, enrolment: Enrolment, seance: Seance, method: Method):
    """Queue the message of one more séance, beside the e-mail that told what happened."""
    person, session = enrolment.person, enrolment.session
    when = span_fr(seance.starts_at, seance.ends_at)
    subject = "Séance retirée de votre agenda" if method == "CANCEL" else "Invitation"
    return queue_mail(
        person.email,
        f"{subject} : {session.title}, {when}",
        "seance_invitation",
        person=person,
        session=session,
        seance=seance,
        cancel=method == "CANCEL",
        position=[s.id for s in session.seances].index(seance.id) + 1,
    )


def attach_invitations(
    enrolment: Enrolment,
    mail: OutboxMail,
    method: str | None = None,
    invitations: Iterable[tuple[int, str]] | None = None,
) -> list[OutboxMail]:
    """Put the first séance's invitation on ``mail`` and queue one message per other séance;
    return the messages that carry one."""
    wanted = _wanted(enrolment, method, invitations)
    # Not flushed yet: ``mail`` is inserted once, with its calendar part (no UPDATE after).
    with db.session.no_autoflush:
        last = _last_sent(enrolment.person_id, [seance.id for seance, _ in wanted])
    now = utcnow()
    carriers: list[OutboxMail] = []
    for seance, kind in wanted:
        previous = last.get(seance.id)
        if not _sendable(enrolment, seance, kind, previous):
            continue
        sequence = next_sequence(seance, kind, previous)
        carrier = mail if not carriers else _own_message(mail, enrolment, seance, kind)
        carrier.ics = invitation_ics(enrolment, seance, kind, sequence=sequence, now=now)
        carrier.ics_method = kind
        carriers.append(carrier)
        _record(enrolment, seance, kind, sequence, previous, now)
    db.session.flush()
    return carriers


def attach_invitation(
    sender, mail=None, enrolment=None, method=None, invitations=None, **extra
) -> None:
    """Receiver of ``enrolment_mail_queued``: the calendar parts of the queued e-mail."""
    if mail is None or enrolment is None or not enrolment.person.email:
        return
    if method not in METHODS and invitations is None:
        return
    attach_invitations(enrolment, mail, method, invitations)


enrolment_mail_queued.connect(attach_invitation)
