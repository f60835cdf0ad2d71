"""Shared helpers for the calendar tests: two independent parsers and small builders."""

from __future__ import annotations

import icalendar
import vobject

from reseau.core.extensions import db


def parse_both(data: bytes | str):
    """Parse with icalendar and with vobject; return (icalendar calendar, vobject calendar)."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    assert raw.endswith(b"\r\n")
    for line in raw.split(b"\r\n"):
        assert b"\n" not in line and b"\r" not in line
        assert len(line) <= 75, line
    parsed = icalendar.Calendar.from_ical(raw)
    other = vobject.readOne(raw.decode("utf-8"))
    assert other.name == "VCALENDAR"
    return parsed, other


def events(calendar) -> dict[str, icalendar.Event]:
    """Return the VEVENTs of an icalendar calendar by UID."""
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def vevents(calendar) -> dict[str, object]:
    """Return the VEVENTs of a vobject calendar by UID."""
    return {event.uid.value: event for event in getattr(calendar, "vevent_list", [])}


def get(client, url: str, **kwargs):
    """GET after ending the test's transaction, as a real request would find the database.

    (Tests share the request's session; a transaction left open by reading attributes would
    hold SQLite's write lock against the feed's last-fetch bookkeeping.)
    """
    db.session.commit()
    response = client.get(url, **kwargs)
    db.session.rollback()  # and leave the request's read transaction behind
    return response


# --- E-mails as recipients get them: built by the outbox, parsed by the standard library ----


def sent_to(person) -> list:
    """Return the messages queued for ``person``, built and parsed back with ``email``."""
    import email
    import email.policy

    import sqlalchemy as sa

    from reseau.outbox import OutboxMail
    from reseau.outbox.delivery import build_message

    rows = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.recipient == person.email).order_by(OutboxMail.id)
    ).all()
    messages = []
    for row in rows:
        built = build_message(row, "Réseau <ne-pas-repondre@reseau.invalid>")
        raw = built.as_bytes(policy=built.policy.clone(linesep="\r\n"))
        messages.append(email.message_from_bytes(raw, policy=email.policy.default))
    return messages


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def calendar_part(message):
    """Return the message's one actionable calendar part (text/calendar in the alternative),
    after checking the structure every client is documented to need (docs/invitations.md)."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, calendar = alternative.get_payload()
    assert text.get_content_type() == "text/plain"
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_content_disposition() is None
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invitation.ics"
    data = calendar.get_payload(decode=True)
    assert attachment.get_payload(decode=True) == data
    parsed, other = parse_both(data)
    # RFC 6047 §2.4: the Content-Type's method is the calendar's METHOD.
    assert calendar.get_param("method") == str(parsed["METHOD"]) == other.method.value
    # One event per message: Outlook imports only the first (MS-STANOICAL 2.2.175).
    assert len(parsed.walk("VEVENT")) == 1
    assert len(other.vevent_list) == 1
    return calendar.get_param("method"), parsed.walk("VEVENT")[0], other.vevent, data


def invitations(person) -> list[tuple[str, object]]:
    """Return (method, icalendar VEVENT) of every calendar part sent to ``person``, in order."""
    found = []
    for message in sent_to(person):
        if message.get_content_type() == "multipart/mixed":
            method, event, _, _ = calendar_part(message)
            found.append((method, event))
    return found


def paris(day, hour: int, minute: int = 0):
    """An aware UTC datetime for a wall-clock time in Paris on ``day``."""
    from datetime import datetime

    from reseau.core.i18n import from_local

    return from_local(datetime(day.year, day.month, day.day, hour, minute))


def session_form(session, **overrides) -> dict:
    """The coordinator's session form, filled as the session is, with ``overrides``."""
    data = {
        "kind": session.kind.value,
        "module_id": session.module_id or "",
        "theme_id": session.theme_id or "",
        "title": session.title,
        "description": session.description,
        "objectives": session.objectives,
        "audience": session.audience.value,
        "capacity": str(session.capacity),
        "centre_cap": "",
        "enrolment_deadline": "",
        "place_kind": session.place_kind.value,
        "host_centre_id": session.host_centre_id or "",
        "place_name": session.place_name,
        "address": session.address,
        "postcode": session.postcode,
        "town": session.town,
        "visio_url": session.visio_url,
        "department_id": session.department_id or "",
        "promotion_mode": session.promotion_mode.value,
        "offer_hours": str(session.offer_hours),
        "what_to_bring": session.what_to_bring,
        "trainer_ids": [trainer.id for trainer in session.trainers],
    }
    data.update(overrides)
    return data


def unescape_text(value) -> str:
    """RFC 5545 §3.3.11 TEXT unescaping, for the calendar names icalendar leaves raw."""
    import re

    replacements = {"\\\\": "\\", "\\,": ",", "\\;": ";", "\\n": "\n", "\\N": "\n"}
    return re.sub(r"\\[\\,;nN]", lambda match: replacements[match.group(0)], str(value))
