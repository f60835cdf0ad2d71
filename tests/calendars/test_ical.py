"""The pure iCalendar functions: headers, time zone, folding, determinism."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from reseau.calendars import ical
from reseau.calendars.feeds import feed_context
from reseau.core.extensions import db
from tests.calendars.helpers import events, parse_both, vevents
from tests.factories import make_session, make_trainer

PARIS = ZoneInfo("Europe/Paris")


def test_empty_calendar_headers_are_written_as_rfc_requires():
    data = ical.to_bytes(ical.new_calendar("Mes formations"))
    assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in data
    assert b"\r\nX-WR-CALNAME:Mes formations\r\n" in data
    assert b"\r\nX-WR-TIMEZONE:Europe/Paris\r\n" in data
    assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n" in data
    assert b"1:00:00" not in data
    parsed, other = parse_both(data)
    assert parsed.walk("VTIMEZONE")
    assert other.vtimezone.tzid.value == "Europe/Paris"


def test_invitation_calendar_has_method_and_no_refresh_hints():
    data = ical.to_bytes(ical.new_calendar("x", method="REQUEST", subscription=False))
    assert b"\r\nMETHOD:REQUEST\r\n" in data
    assert b"REFRESH-INTERVAL" not in data


def test_vtimezone_rules_agree_with_zoneinfo():
    zone = ical.paris_timezone().to_tz()
    moment = datetime(2000, 1, 1, 12, tzinfo=UTC)
    while moment.year < 2041:
        expected = moment.astimezone(PARIS).utcoffset()
        local = moment.astimezone(PARIS).replace(tzinfo=None)
        assert local.replace(tzinfo=zone).utcoffset() == expected, moment
        moment += timedelta(days=5, hours=7)


def test_dst_days_have_the_right_offsets_in_both_parsers(app):
    # Last Sunday of March 2026 (29th) and of October 2026 (25th), 10:00–12:00 in Paris.
    march = datetime(2026, 3, 29, 10, tzinfo=PARIS)
    october = datetime(2026, 10, 25, 10, tzinfo=PARIS)
    before = datetime(2026, 3, 28, 10, tzinfo=PARIS)
    sessions = [make_session(starts_at=moment, hours=2) for moment in (before, march, october)]
    db.session.commit()
    context = feed_context()
    calendar = ical.new_calendar("DST")
    for session in sessions:
        calendar.add_component(ical.seance_event(session.seances[0], context))
    data = ical.to_bytes(calendar)
    assert b"DTSTART;TZID=Europe/Paris:20260329T100000" in data
    assert b"DTSTART;TZID=Europe/Paris:20261025T100000" in data
    parsed, other = parse_both(data)
    offsets = {
        str(event["UID"]): event.decoded("DTSTART").utcoffset() for event in parsed.walk("VEVENT")
    }
    expected = {
        ical.seance_uid(sessions[0].seances[0].id, context.host): timedelta(hours=1),
        ical.seance_uid(sessions[1].seances[0].id, context.host): timedelta(hours=2),
        ical.seance_uid(sessions[2].seances[0].id, context.host): timedelta(hours=1),
    }
    assert offsets == expected
    for uid, event in vevents(other).items():
        start = event.dtstart.value
        assert start.utcoffset() == expected[uid]
        assert (
            start.astimezone(UTC)
            == (
                {
                    **{
                        ical.seance_uid(s.seances[0].id, context.host): s.seances[0].starts_at
                        for s in sessions
                    }
                }
            )[uid]
        )


def test_long_text_is_folded_at_75_octets_and_unfolds_unchanged(app):
    title = "Accueillir les familles éloignées du numérique : écoute " * 2
    session = make_session(title=title.strip(), what_to_bring="Un ordinateur portable " * 10)
    session.trainers.append(make_trainer(first_name="Élodie", last_name="Ç" * 40))
    db.session.commit()
    calendar = ical.new_calendar("Pliage")
    calendar.add_component(ical.seance_event(session.seances[0], feed_context()))
    data = ical.to_bytes(calendar)
    assert b"\r\n " in data  # folded
    parsed, other = parse_both(data)  # checks CRLF and 75 octets per line
    (event,) = events(parsed).values()
    assert str(event["SUMMARY"]) == title.strip()
    assert vevents(other)[str(event["UID"])].summary.value == title.strip()
    assert "Ç" * 40 in str(event["DESCRIPTION"])


def test_event_is_deterministic_and_uses_record_times(app):
    session = make_session()
    db.session.commit()
    seance = session.seances[0]
    context = feed_context()
    first = ical.seance_event(seance, context).to_ical()
    second = ical.seance_event(seance, context).to_ical()
    assert first == second
    stamp = max(seance.updated_at, session.updated_at).replace(microsecond=0)
    event = icalendar.Event.from_ical(first)
    assert event.decoded("DTSTAMP") == stamp
    assert event.decoded("LAST-MODIFIED") == stamp
    assert str(event["UID"]) == f"seance-{seance.id}@localhost"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == f"http://localhost/catalogue/sessions/{session.id}"
    assert "mailto:" in str(event["ORGANIZER"])


def test_fold_never_cuts_a_character_and_keeps_lines_within_75_octets():
    for prefix in ("SUMMARY:", "SUMMARY:a", "SUMMARY:ab"):
        line = prefix + "é€" * 60
        folded = ical.fold(line)
        pieces = folded.split(b"\r\n")
        assert all(len(piece) <= 75 for piece in pieces)
        assert all(piece.startswith(b" ") for piece in pieces[1:])
        unfolded = pieces[0] + b"".join(piece[1:] for piece in pieces[1:])
        assert unfolded.decode("utf-8") == line
        for piece in pieces:
            piece.decode("utf-8")  # each physical line is valid UTF-8 on its own
    assert ical.fold("UID:x") == b"UID:x"
