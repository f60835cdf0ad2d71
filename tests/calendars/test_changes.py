"""Every change reaches everyone it concerns (issue 14).

Each change is made through the coordinator's forms; then the feeds (parsed with icalendar and
vobject), their ETags and Last-Modified, and the e-mails (built by the outbox, parsed with the
standard library's ``email`` and with icalendar) are checked: SEQUENCE grows for every change
and never goes down, a cancelled séance gets a METHOD:CANCEL, and the text says what changed.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reseau.calendars.models import FeedKind
from reseau.calendars.tokens import feed_token, issue_token
from reseau.catalogue.changes import ChangeKind, SessionChange
from reseau.catalogue.models import PlaceKind
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import date_fr
from reseau.enrolment import operations as enrolment_ops
from tests.calendars.helpers import (
    events,
    get,
    invitations,
    paris,
    parse_both,
    sent_to,
    session_form,
    text_of,
    unescape_text,
    vevents,
)
from tests.factories import (
    make_centre,
    make_coordinator,
    make_cycle,
    make_module,
    make_referent,
    make_session,
    make_theme,
    make_trainer,
    make_user,
)

CATALOGUE = "/agenda/catalogue.ics"


def _next_tuesday() -> date:
    day = (utcnow() + timedelta(days=21)).date()
    return day + timedelta(days=(1 - day.weekday()) % 7)


@pytest.fixture
def world(client, auth):
    """A published two-séance session hosted by a centre, one person in it, one waiting, a
    trainer, a subscribed person feed; the coordinator logged in."""
    tuesday = _next_tuesday()
    centre = make_centre(name="Centre social des Rives", address="3 rue du Port", town="Tours")
    theme = make_theme(name="Fonction employeur")
    module = make_module(title="Recruter un salarié", cycle=make_cycle(theme=theme))
    trainer = make_trainer(first_name="Gaëlle", last_name="Formatrice")
    session = make_session(
        title="Café, Débat",
        starts_at=paris(tuesday, 14),
        seances=2,
        capacity=1,
        module=module,
        theme=theme,
        host_centre=centre,
        place_kind=PlaceKind.CENTRE,
        department_id=centre.department_id,
    )
    session.trainers.append(trainer)
    person = make_user(first_name="Léa", last_name="Martin")
    waiting = make_user(first_name="Noé", last_name="Attente")
    enrolment_ops.enrol(person, session, actor=person)
    enrolment_ops.enrol(waiting, session, actor=waiting)
    feed = f"/agenda/prive/{feed_token(issue_token(FeedKind.PERSON, person, actor=person))}.ics"
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    first = get(client, CATALOGUE)
    return {
        "tuesday": tuesday,
        "centre": centre,
        "theme": theme,
        "module": module,
        "trainer": trainer,
        "session": session,
        "person": person,
        "waiting": waiting,
        "feed": feed,
        "catalogue": first,
    }


def _uid(seance) -> str:
    return f"seance-{seance.id}@localhost"


def _feed_after(client, url: str, before):
    """Fetch ``url`` conditionally on the earlier answer: it must have changed."""
    response = get(client, url, headers={"If-None-Match": before.headers["ETag"]})
    assert response.status_code == 200, "the feed did not change"
    assert response.headers["ETag"] != before.headers["ETag"]
    assert response.last_modified >= before.last_modified
    parsed, other = parse_both(response.data)
    return response, events(parsed), vevents(other)


def _sequences(response) -> dict[str, int]:
    return {
        uid: int(event["SEQUENCE"]) for uid, event in events(parse_both(response.data)[0]).items()
    }


def _post(client, url: str, data: dict):
    response = client.post(url, data=data)
    db.session.rollback()
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response


def test_the_confirmation_invites_to_every_seance_one_message_each(world):
    """One UID per message, all séances, the network as ORGANIZER, no calendar name."""
    person, session = world["person"], world["session"]
    messages = [m for m in sent_to(person) if m.get_content_type() == "multipart/mixed"]
    assert len(messages) == len(session.seances) == 2
    assert messages[0]["Subject"] == "Inscription confirmée : Café, Débat"
    assert "Invitation : Café, Débat" in messages[1]["Subject"]
    assert "séance 2 sur 2" in text_of(messages[1])
    found = invitations(person)
    assert [method for method, _ in found] == ["REQUEST", "REQUEST"]
    assert {str(event["UID"]) for _, event in found} == {_uid(s) for s in session.seances}
    for _, event in found:
        assert str(event["ORGANIZER"]) == "mailto:contact@reseau.test"
        assert (
            event["ORGANIZER"].params["CN"] == "Fédération des centres sociaux de la région Centre"
        )
        assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
        assert int(event["SEQUENCE"]) == 0
    for message in messages:
        data = message.get_payload()[1].get_payload(decode=True)
        for absent in (b"X-WR-CALNAME", b"\r\nNAME:", b"REFRESH-INTERVAL"):
            assert absent not in data
    # The waitlisted person is told in waitlist words, with no invitation.
    (waiting,) = sent_to(world["waiting"])
    assert waiting.get_content_type() == "text/plain"


@pytest.fixture
def app_config(app_config):
    app_config["NETWORK_CONTACT_EMAIL"] = "contact@reseau.test"
    return app_config


def test_cancelling_a_seance_sends_a_cancel_with_the_reason(client, world):
    person, session, trainer = world["person"], world["session"], world["trainer"]
    seance = session.seances[0]
    feed_before = get(client, world["feed"])
    page = client.get(f"/admin/seances/{seance.id}/annuler")
    assert page.status_code == 200 and 'name="reason"' in page.text
    too_long = client.post(f"/admin/seances/{seance.id}/annuler", data={"reason": "x" * 301})
    assert too_long.status_code == 422 and "300 caractères au plus" in too_long.text
    db.session.rollback()
    _post(client, f"/admin/seances/{seance.id}/annuler", data={"reason": "formatrice malade"})

    # The e-mail says it plainly, with the reason, and carries the CANCEL for that UID.
    message = sent_to(person)[-1]
    day = date_fr(world["tuesday"], "EEEE d MMMM")
    sentence = f"La séance du {day}, 14 h – 17 h, est annulée. Motif : formatrice malade"
    assert sentence in text_of(message)
    method, event = invitations(person)[-1]
    assert method == "CANCEL"
    assert str(event["UID"]) == _uid(seance)
    assert str(event["STATUS"]) == "CANCELLED"
    requested = [
        e for m, e in invitations(person) if m == "REQUEST" and str(e["UID"]) == _uid(seance)
    ]
    assert int(event["SEQUENCE"]) > int(requested[0]["SEQUENCE"])
    # The trainer and the waitlisted person are told too, in their own words.
    assert sentence in text_of(sent_to(trainer)[-1])
    assert "session que vous animez" in sent_to(trainer)[-1]["Subject"]
    waiting = text_of(sent_to(world["waiting"])[-1])
    assert "sur liste d'attente" in waiting and sentence in waiting
    assert "à laquelle vous êtes inscrit" not in waiting

    # Both parsers see the cancellation in the person's feed, with a higher SEQUENCE.
    _, found, other = _feed_after(client, world["feed"], feed_before)
    assert str(found[_uid(seance)]["STATUS"]) == "CANCELLED"
    assert other[_uid(seance)].status.value == "CANCELLED"
    assert int(found[_uid(seance)]["SEQUENCE"]) == int(other[_uid(seance)].sequence.value) == 1


def test_moving_a_seance_says_before_and_now(client, world):
    person, session = world["person"], world["session"]
    seance = session.seances[1]
    wednesday = world["tuesday"] + timedelta(days=1)
    data = {
        "day": wednesday.isoformat(),
        "start_time": "09:30",
        "end_time": "12:30",
        "reason": "salle occupée l'après-midi",
    }
    _post(client, f"/admin/seances/{seance.id}/modifier", data=data)
    day = date_fr(wednesday, "EEEE d MMMM")
    expected = (
        f"La séance du {day} est déplacée : avant 14 h – 17 h, maintenant 9 h 30 – 12 h 30. "
        "Motif : salle occupée l'après-midi"
    )
    assert expected in text_of(sent_to(person)[-1])
    method, event = invitations(person)[-1]
    assert (method, str(event["UID"]), int(event["SEQUENCE"])) == ("REQUEST", _uid(seance), 1)
    assert event.decoded("DTSTART") == paris(wednesday, 9, 30)
    _, found, other = _feed_after(client, CATALOGUE, world["catalogue"])
    assert found[_uid(seance)].decoded("DTSTART") == paris(wednesday, 9, 30)
    assert other[_uid(seance)].dtstart.value == paris(wednesday, 9, 30)


def test_renaming_the_session_bumps_sequence_and_sends_an_update(client, world):
    person, session = world["person"], world["session"]
    before = _sequences(world["catalogue"])
    data = session_form(session, title="Café, Débat : les écrans")
    _post(client, f"/admin/sessions/{session.id}/modifier", data=data)
    response, found, other = _feed_after(client, CATALOGUE, world["catalogue"])
    assert {str(e["SUMMARY"]) for e in found.values()} == {"Café, Débat : les écrans"}
    assert {e.summary.value for e in other.values()} == {"Café, Débat : les écrans"}
    assert all(_sequences(response)[uid] == before[uid] + 1 for uid in before)
    message = [m for m in sent_to(person) if "Changement de programme" in m["Subject"]][0]
    assert (
        "La session change de nom : avant « Café, Débat », maintenant « Café, Débat : les écrans »."
        in text_of(message)
    )
    updates = invitations(person)[-2:]
    assert {(m, str(e["UID"]), int(e["SEQUENCE"])) for m, e in updates} == {
        ("REQUEST", _uid(s), 1) for s in session.seances
    }
    assert {str(e["SUMMARY"]) for _, e in updates} == {"Café, Débat : les écrans"}


def test_editing_the_host_centre_address_reaches_feeds_and_people(client, world):
    person, centre, trainer = world["person"], world["centre"], world["trainer"]
    feed_before = get(client, world["feed"])
    data = {
        "name": centre.name,
        "address": "12 avenue de Grammont",
        "postcode": centre.postcode,
        "town": centre.town,
        "department_id": centre.department_id,
        "is_member": "y",
        "member_since": "",
        "email": "",
        "phone": "",
    }
    _post(client, f"/admin/centres/{centre.id}/modifier", data=data)
    for url, before in ((CATALOGUE, world["catalogue"]), (world["feed"], feed_before)):
        response, found, other = _feed_after(client, url, before)
        assert {str(e["LOCATION"]) for e in found.values()} == {
            "Centre social des Rives, 12 avenue de Grammont, 36300 Tours"
        }
        assert {e.location.value for e in other.values()} == {
            "Centre social des Rives, 12 avenue de Grammont, 36300 Tours"
        }
        assert set(_sequences(response).values()) == {1}
    expected = (
        "Le lieu change : avant Centre social des Rives, 3 rue du Port, 36300 Tours, "
        "maintenant Centre social des Rives, 12 avenue de Grammont, 36300 Tours."
    )
    assert expected in text_of(sent_to(person)[-2])  # then the second séance's own message
    assert [m for m, _ in invitations(person)[-2:]] == ["REQUEST", "REQUEST"]
    assert {str(e["LOCATION"]) for _, e in invitations(person)[-2:]} == {
        "Centre social des Rives, 12 avenue de Grammont, 36300 Tours"
    }
    assert expected in text_of(sent_to(trainer)[-1])


def test_renaming_theme_module_and_cycle_reaches_the_feeds(client, world):
    theme, module = world["theme"], world["module"]
    cycle = module.cycle
    person = world["person"]
    mails_before = len(sent_to(person))
    cycle_url = f"/agenda/cycles/{cycle.id}.ics"
    theme_url = f"/agenda/thematiques/{theme.slug}.ics"
    cycle_before, theme_before = get(client, cycle_url), get(client, theme_url)

    _post(
        client,
        f"/admin/thematiques/{theme.id}/modifier",
        data={"name": "Être employeur", "description": "", "position": "0"},
    )
    response, found, other = _feed_after(client, CATALOGUE, world["catalogue"])
    assert all("Thématique : Être employeur" in str(e["DESCRIPTION"]) for e in found.values())
    assert all("Thématique : Être employeur" in e.description.value for e in other.values())
    assert set(_sequences(response).values()) == {1}

    data = {"title": "Recruter, accueillir", "objectives": "", "duration_hours": "3"}
    _post(client, f"/admin/modules/{module.id}/modifier", data=data)
    response, found, other = _feed_after(client, CATALOGUE, response)
    assert all("Module : Recruter, accueillir" in str(e["DESCRIPTION"]) for e in found.values())
    assert all("Module : Recruter, accueillir" in e.description.value for e in other.values())
    assert set(_sequences(response).values()) == {2}

    data = {
        "theme_id": theme.id,
        "title": "Connaître ses partenaires : CAF, communes",
        "year": str(cycle.year),
        "audience": "tous",
        "description": "",
        "objectives": "",
    }
    _post(client, f"/admin/cycles/{cycle.id}/modifier", data=data)
    response = _feed_after(client, cycle_url, cycle_before)[0]
    parsed, other = parse_both(response.data)
    name = f"Connaître ses partenaires : CAF, communes ({cycle.year})"
    assert other.x_wr_calname.value == name  # not cut at the comma
    assert unescape_text(parsed["X-WR-CALNAME"]) == name
    response = _feed_after(client, theme_url, theme_before)[0]  # same address after a rename
    assert parse_both(response.data)[1].x_wr_calname.value == "Thématique : Être employeur"
    # Names are not time or place: calendars update, nobody gets an e-mail.
    assert len(sent_to(person)) == mails_before


def test_sequence_never_goes_down_after_cancel_then_reenrolment(client, auth, world):
    person, session = world["person"], world["session"]
    seance = session.seances[0]
    auth.logout()
    auth.login(person)
    assert client.post(f"/catalogue/sessions/{session.id}/desinscription").status_code == 303
    db.session.rollback()
    assert client.post(f"/catalogue/sessions/{session.id}/inscription").status_code == 303
    db.session.rollback()
    # The place went to the waitlisted person meanwhile: re-enrolled, Léa waits; free it.
    enrolment_ops.cancel(
        enrolment_ops.get_enrolment(session, world["waiting"]), actor=world["waiting"]
    )
    db.session.commit()
    history = [
        (method, int(event["SEQUENCE"]))
        for method, event in invitations(person)
        if str(event["UID"]) == _uid(seance)
    ]
    assert [method for method, _ in history] == ["REQUEST", "CANCEL", "REQUEST"]
    sequences = [sequence for _, sequence in history]
    assert sequences == sorted(set(sequences)), history  # strictly growing


def test_a_line_break_in_a_title_never_gives_a_500(client, world):
    session = world["session"]
    session.title = "Première ligne\nseconde ligne; avec \\ et, virgule"
    db.session.commit()
    for url in (f"/sessions/{session.id}/agenda.ics", CATALOGUE, world["feed"]):
        response = get(client, url)
        assert response.status_code == 200, url
        parsed, other = parse_both(response.data)
        assert {str(e["SUMMARY"]) for e in events(parsed).values()} == {session.title}
        assert {e.summary.value for e in vevents(other).values()} == {session.title}
    assert client.get(f"/catalogue/sessions/{session.id}").status_code == 200


def test_the_one_session_file_makes_no_calendar(client, world):
    session = world["session"]
    response = get(client, f"/sessions/{session.id}/agenda.ics")
    for absent in (b"X-WR-CALNAME", b"\r\nNAME", b"REFRESH-INTERVAL", b"X-PUBLISHED-TTL"):
        assert absent not in response.data
    assert b"\r\nMETHOD:PUBLISH\r\n" in response.data
    parsed, other = parse_both(response.data)
    assert len(events(parsed)) == len(vevents(other)) == 2


def test_sentences_name_what_changed():
    tuesday = date(2026, 12, 15)
    cancelled = SessionChange(
        ChangeKind.SEANCE_CANCELLED, 1, starts_at=paris(tuesday, 14), ends_at=paris(tuesday, 17)
    )
    assert cancelled.sentence() == "La séance du mardi 15 décembre, 14 h – 17 h, est annulée."
    moved = SessionChange(
        ChangeKind.SEANCE_MOVED,
        1,
        starts_at=paris(tuesday, 14),
        ends_at=paris(tuesday, 17),
        before_starts_at=paris(tuesday, 9, 30),
        before_ends_at=paris(tuesday, 12, 30),
        reason="salle prise",
    )
    assert moved.sentence() == (
        "La séance du mardi 15 décembre est déplacée : avant 9 h 30 – 12 h 30, "
        "maintenant 14 h – 17 h. Motif : salle prise"
    )
    other_day = SessionChange(
        ChangeKind.SEANCE_MOVED,
        1,
        starts_at=paris(date(2026, 12, 17), 14),
        ends_at=paris(date(2026, 12, 17), 17),
        before_starts_at=paris(tuesday, 9, 30),
        before_ends_at=paris(tuesday, 12, 30),
    )
    assert other_day.sentence() == (
        "La séance du mardi 15 décembre est déplacée : avant mardi 15 décembre, "
        "9 h 30 – 12 h 30, maintenant jeudi 17 décembre, 14 h – 17 h."
    )


def test_a_trainer_rename_reaches_the_private_feeds_only(client, world):
    trainer = world["trainer"]
    trainer_feed = (
        f"/agenda/prive/{feed_token(issue_token(FeedKind.TRAINER, trainer, actor=trainer))}.ics"
    )
    db.session.commit()
    feed_before, trainer_before = get(client, world["feed"]), get(client, trainer_feed)
    trainer.last_name = "Renommée"
    db.session.commit()
    _, found, other = _feed_after(client, world["feed"], feed_before)
    assert all("Gaëlle Renommée" in str(e["DESCRIPTION"]) for e in found.values())
    assert all("Gaëlle Renommée" in e.description.value for e in other.values())
    _feed_after(client, trainer_feed, trainer_before)
    # The public catalogue never shows trainers: unchanged.
    catalogue = get(
        client, CATALOGUE, headers={"If-None-Match": world["catalogue"].headers["ETag"]}
    )
    assert catalogue.status_code == 304


def test_a_session_without_changes_keeps_its_etag(client, world):
    session = world["session"]
    _post(client, f"/admin/sessions/{session.id}/modifier", data=session_form(session))
    again = get(client, CATALOGUE, headers={"If-None-Match": world["catalogue"].headers["ETag"]})
    assert again.status_code == 304
    assert not [m for m in sent_to(world["person"]) if "Changement" in m["Subject"]]


def test_cancelling_the_session_tells_trainers_and_cancels_every_invitation(client, world):
    person, session, trainer = world["person"], world["session"], world["trainer"]
    _post(client, f"/admin/sessions/{session.id}/annuler", data={})
    cancels = [(m, e) for m, e in invitations(person) if m == "CANCEL"]
    assert {str(e["UID"]) for _, e in cancels} == {_uid(s) for s in session.seances}
    assert all(int(e["SEQUENCE"]) == 1 for _, e in cancels)
    assert "Session annulée (session que vous animez)" in sent_to(trainer)[-1]["Subject"]
    waiting = text_of([m for m in sent_to(world["waiting"]) if "annulée" in m["Subject"]][0])
    assert "votre place sur la liste d'attente est annulée" in waiting


def test_calendar_names_are_escaped(client, auth):
    centre = make_centre(name="Centre Rives, Loire; et \\ Cher")
    referent = make_referent(centre)
    url = f"/agenda/prive/{feed_token(issue_token(FeedKind.CENTRE, referent, actor=referent))}.ics"
    db.session.commit()
    response = get(client, url)
    parsed, other = parse_both(response.data)
    assert other.x_wr_calname.value == "Agenda du centre – Centre Rives, Loire; et \\ Cher"
    assert unescape_text(parsed["NAME"]) == "Agenda du centre – Centre Rives, Loire; et \\ Cher"
    assert b"Centre Rives\\, Loire\\; et \\\\ Cher" in response.data
