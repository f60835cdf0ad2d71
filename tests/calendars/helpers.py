"""Shared helpers for the calendar tests: two independent parsers and small builders."""

from __future__ import annotations

import icalendar
import vobject

from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.extensions import db


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


def enrol(session, person, status=EnrolmentStatus.CONFIRMED) -> Enrolment:
    enrolment = Enrolment(session=session, person=person, status=status)
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def get(client, url: str, **kwargs):
    """GET after ending the test's transaction, as a real request would find the database.

    (Tests share the request's session; a transaction left open by reading attributes would
    hold SQLite's write lock against the feed's last-fetch bookkeeping.)
    """
    db.session.commit()
    response = client.get(url, **kwargs)
    db.session.rollback()  # and leave the request's read transaction behind
    return response
