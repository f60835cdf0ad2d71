"""Pure functions turning séances into iCalendar (RFC 5545) components.

Nothing here reads the request, the clock or the database: the same séances give the same
bytes, which is what lets a subscribed feed stay byte-for-byte identical while nothing changes
(DTSTAMP and LAST-MODIFIED come from the records' own update times).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration, vText

from reseau.catalogue.models import (
    PlaceKind,
    Seance,
    SeanceStatus,
    SessionStatus,
    TrainingSession,
)

PARIS_TZID = "Europe/Paris"
PARIS = ZoneInfo(PARIS_TZID)
PRODID = "-//Réseau//Agenda des formations//FR"
REFRESH = timedelta(hours=1)

# Europe/Paris as the recurrence rules in force since 1996 (EU summer time). A rule-based
# VTIMEZONE is the form every client reads: Outlook keeps only the first observance of an
# RDATE list (the list icalendar builds from zoneinfo), which shifts events by an hour — the
# very bug this room exists to avoid — and the zoneinfo form depends on a date range, so it
# would change the bytes of a feed when the range moves. Google and Apple resolve the Olson
# TZID anyway; tests check that these rules agree with zoneinfo for 2000–2040.
_PARIS_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Paris\r\n"
    "X-LIC-LOCATION:Europe/Paris\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZNAME:CEST\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "DTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZNAME:CET\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "DTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)


@dataclass(frozen=True, slots=True)
class FeedContext:
    """What every event needs besides the séance: where the site lives and who organises."""

    host: str  # for UIDs: seance-<id>@<host>
    base_url: str  # no trailing slash
    network_name: str
    organizer_email: str
    session_path: str = "/sessions/{id}"  # the session page, relative to base_url

    def session_url(self, session_id: int) -> str:
        return self.base_url + self.session_path.format(id=session_id)


def seance_uid(seance_id: int, host: str) -> str:
    """Return the UID of a séance's event: stable forever, the same in feeds and e-mails."""
    return f"seance-{seance_id}@{host}"


@functools.cache
def paris_timezone() -> Timezone:
    """Return the VTIMEZONE component for Europe/Paris: parsed once, and only ever read
    (every calendar adds this same component; serialising it does not change it)."""
    return Timezone.from_ical(_PARIS_VTIMEZONE)


def new_calendar(
    name: str, *, method: str | None = None, description: str = "", subscription: bool = True
) -> Calendar:
    """Return an empty VCALENDAR with its headers and the Europe/Paris VTIMEZONE.

    icalendar 7.3 writes ``refresh_interval`` without ``VALUE=DURATION`` (RFC 7986 requires
    it) and a bare ``timedelta`` for X-PUBLISHED-TTL as ``1:00:00``: both are written here as
    explicit ``vDuration`` values with the parameter. The VTIMEZONE is always present, so the
    calendar is valid even with no event. ``subscription=False`` (an e-mail invitation) leaves
    out the calendar's name and refresh hints, which only make sense for a subscribed feed:
    with them, Outlook makes a new calendar of a one-session file. Names are ``vText`` so that
    commas, semicolons, backslashes and line breaks are escaped (RFC 5545 §3.3.11).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if subscription:
        calendar.add("name", vText(name))  # RFC 7986
        calendar.add("x-wr-calname", vText(name))
        if description:
            calendar.add("x-wr-caldesc", vText(description))
        calendar.add("x-wr-timezone", PARIS_TZID)
        calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))
    calendar.add_component(paris_timezone())
    return calendar


def is_cancelled(seance: Seance) -> bool:
    """Return whether the séance will not take place (itself or its whole session cancelled)."""
    return (
        seance.status == SeanceStatus.CANCELLED or seance.session.status == SessionStatus.CANCELLED
    )


def last_modified(*moments: datetime | None) -> datetime:
    """Return the latest of the given update times, in UTC, without microseconds."""
    latest = max(moment for moment in moments if moment is not None)
    return latest.astimezone(UTC).replace(microsecond=0)


def seance_description(
    session: TrainingSession,
    *,
    private: bool,
    participants: Sequence[str] = (),
    note: str = "",
    visio: bool | None = None,
) -> str:
    """Return the plain-text description: module, trainers, visio link, what to bring.

    ``visio`` (default: ``private``) adds the visio link: for a confirmed place or a trainer.
    """
    visio = private if visio is None else visio
    lines: list[str] = []
    if note:
        lines += [note, ""]
    if session.module is not None:
        lines.append(f"Module : {session.module.title}")
    if session.theme is not None:
        lines.append(f"Thématique : {session.theme.name}")
    if private and session.trainers:
        names = ", ".join(trainer.full_name for trainer in session.trainers)
        lines.append(f"Formateur·ices : {names}")
    if session.place_kind == PlaceKind.VISIO:
        if visio and session.visio_url:
            lines.append(f"Lien de la visio : {session.visio_url}")
        else:
            lines.append(
                "En visio : le lien est donné aux personnes dont l'inscription est confirmée."
            )
    if session.what_to_bring:
        lines.append(f"À apporter : {session.what_to_bring.strip()}")
    if participants:
        lines.append(f"Participant·es du centre : {', '.join(participants)}")
    return "\n".join(lines).strip()


def seance_event(
    seance: Seance,
    context: FeedContext,
    *,
    private: bool = True,
    tentative: bool = False,
    cancelled: bool | None = None,
    participants: Sequence[str] = (),
    attendee: tuple[str, str] | None = None,
    sequence: int | None = None,
    modified: Iterable[datetime | None] = (),
    visio: bool | None = None,
) -> Event:
    """Return the VEVENT of one séance.

    ``private`` adds what only enrolled people should see (trainers, visio link);
    ``tentative`` marks a waitlisted place; ``cancelled`` overrides the séance's own state
    (an e-mail cancelling an enrolment); ``participants`` are names shown in a referent's
    centre feed; ``attendee`` (e-mail, name) is for iTIP invitations; ``sequence`` overrides
    the séance's SEQUENCE; ``modified`` are extra update times (e.g. the enrolment's).
    """
    session = seance.session
    cancelled = is_cancelled(seance) if cancelled is None else cancelled
    stamp = last_modified(seance.updated_at, session.updated_at, *modified)

    title = session.title
    if tentative and not cancelled:
        title = f"{title} (liste d'attente)"
    if cancelled:
        title = f"Annulé : {title}"
    note = ""
    if cancelled:
        note = "Cette séance est annulée."
    elif tentative:
        note = "Vous êtes sur liste d'attente : vous serez prévenu·e si une place se libère."

    event = Event()
    event.add("uid", seance_uid(seance.id, context.host))
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", seance.sequence if sequence is None else sequence)
    event.add("dtstart", seance.starts_at.astimezone(PARIS))
    event.add("dtend", seance.ends_at.astimezone(PARIS))
    event.add("summary", title)
    event.add("location", session.place_label)
    description = seance_description(
        session, private=private, participants=participants, note=note, visio=visio
    )
    if description:
        event.add("description", description)
    event.add("url", context.session_url(session.id))
    organizer = vCalAddress(f"mailto:{context.organizer_email}")
    organizer.params["CN"] = context.network_name
    event.add("organizer", organizer)
    if attendee is not None:
        email, name = attendee
        address = vCalAddress(f"mailto:{email}")
        address.params["CN"] = name
        address.params["ROLE"] = "REQ-PARTICIPANT"
        address.params["PARTSTAT"] = "ACCEPTED"
        address.params["RSVP"] = "FALSE"
        event.add("attendee", address)
    if cancelled:
        status = "CANCELLED"
    elif tentative:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    event.add("status", status)
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def fold(line: str) -> bytes:
    """Return one content line as UTF-8, folded at 75 octets without splitting a character.

    icalendar's own folding walks every character of every line and took ~40% of the time
    of a 1,000-séance feed; most lines are short and pass through untouched here.
    """
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data
    parts = []
    start, width = 0, 75  # the first line holds 75 octets, the next ones a space and 74
    while len(data) - start > width:
        end = start + width
        while data[end] & 0xC0 == 0x80:  # never cut inside a multi-byte character
            end -= 1
        parts.append(data[start:end])
        start, width = end, 74
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def to_bytes(calendar: Calendar) -> bytes:
    """Return the calendar as RFC 5545 bytes: UTF-8, CRLF, lines folded at 75 octets."""
    return b"".join(fold(line) + b"\r\n" for line in calendar.content_lines() if line)
