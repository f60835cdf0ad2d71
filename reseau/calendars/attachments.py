"""Invitations (iTIP, RFC 5546) attached to enrolment e-mails.

Confirmation and promotion carry METHOD:REQUEST; a cancelled enrolment or session carries
METHOD:CANCEL with the same UIDs as the feeds (``seance-<id>@<host>``) and a SEQUENCE one
higher than the séance's, so mail clients update or remove the entry they hold.

The enrolment room does not import this room: it sends ``enrolment_mail_queued`` and the
receiver below fills the e-mail's calendar part.
"""

from __future__ import annotations

from typing import Literal

from reseau.calendars import ical
from reseau.calendars.feeds import feed_context
from reseau.catalogue.models import SeanceStatus
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.enrolment.signals import enrolment_mail_queued

Method = Literal["REQUEST", "CANCEL"]


def invitation_ics(enrolment: Enrolment, method: Method) -> str:
    """Return the iCalendar text of the invitation (or its cancellation) for ``enrolment``."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"Unsupported iTIP method: {method}")
    session = enrolment.session
    person = enrolment.person
    context = feed_context()
    calendar = ical.new_calendar(session.title, method=method, subscription=False)
    for seance in session.seances:
        if method == "REQUEST" and ical.is_cancelled(seance):
            continue
        calendar.add_component(
            ical.seance_event(
                seance,
                context,
                private=True,
                tentative=enrolment.status == EnrolmentStatus.WAITLISTED,
                cancelled=True if method == "CANCEL" else None,
                attendee=(person.email, person.full_name) if person.email else None,
                # A cancelled séance already counted its cancellation in its SEQUENCE.
                sequence=seance.sequence
                + (1 if method == "CANCEL" and seance.status == SeanceStatus.SCHEDULED else 0),
                modified=(enrolment.updated_at,),
            )
        )
    return ical.to_bytes(calendar).decode("utf-8")


def attach_invitation(sender, mail=None, enrolment=None, method=None, **extra) -> None:
    """Receiver of ``enrolment_mail_queued``: put the invitation on the queued e-mail."""
    if mail is None or enrolment is None or method not in ("REQUEST", "CANCEL"):
        return
    mail.ics = invitation_ics(enrolment, method)
    mail.ics_method = method


enrolment_mail_queued.connect(attach_invitation)
