"""Invitations attached to enrolment e-mails (METHOD:REQUEST / METHOD:CANCEL)."""

from __future__ import annotations

import pytest

from reseau.calendars.attachments import invitation_ics
from reseau.catalogue.models import SeanceStatus, SessionStatus
from reseau.enrolment.models import EnrolmentStatus
from reseau.enrolment.signals import enrolment_mail_queued
from reseau.extensions import db
from reseau.outbox.delivery import build_message
from reseau.outbox.models import OutboxMail
from tests.calendars.helpers import enrol, events, parse_both, vevents
from tests.factories import make_session, make_user


def _setup(seances=2):
    person = make_user(first_name="Léa", last_name="Martin")
    session = make_session(seances=seances, title="Accueillir les familles")
    enrolment = enrol(session, person)
    db.session.commit()
    return person, session, enrolment


def test_request_invites_the_person_to_every_scheduled_seance(app):
    person, session, enrolment = _setup(seances=3)
    session.seances[2].status = SeanceStatus.CANCELLED
    session.seances[2].sequence += 1
    db.session.commit()
    text = invitation_ics(enrolment, "REQUEST")
    assert "\r\nMETHOD:REQUEST\r\n" in text
    assert "REFRESH-INTERVAL" not in text
    parsed, other = parse_both(text)
    found = events(parsed)
    assert set(found) == {f"seance-{s.id}@localhost" for s in session.seances[:2]}
    for event in found.values():
        assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
        assert event["ATTENDEE"].params["CN"] == "Léa Martin"
        assert str(event["ORGANIZER"]).startswith("mailto:")
        assert int(event["SEQUENCE"]) == 0
        assert str(event["STATUS"]) == "CONFIRMED"
    assert other.method.value == "REQUEST"
    assert {e.attendee.value for e in vevents(other).values()} == {f"mailto:{person.email}"}


def test_cancel_has_the_same_uids_and_a_higher_sequence(app):
    _, session, enrolment = _setup()
    request = events(parse_both(invitation_ics(enrolment, "REQUEST"))[0])
    enrolment.status = EnrolmentStatus.CANCELLED
    db.session.commit()
    text = invitation_ics(enrolment, "CANCEL")
    assert "\r\nMETHOD:CANCEL\r\n" in text
    parsed, other = parse_both(text)
    cancel = events(parsed)
    assert set(cancel) == set(request)
    for uid, event in cancel.items():
        assert int(event["SEQUENCE"]) > int(request[uid]["SEQUENCE"])
        assert str(event["STATUS"]) == "CANCELLED"
    assert {e.status.value for e in vevents(other).values()} == {"CANCELLED"}


def test_cancel_after_a_session_cancellation_is_higher_than_the_invitation(app):
    _, session, enrolment = _setup()
    request = events(parse_both(invitation_ics(enrolment, "REQUEST"))[0])
    session.status = SessionStatus.CANCELLED
    for seance in session.seances:
        seance.status = SeanceStatus.CANCELLED
        seance.sequence += 1
    db.session.commit()
    cancel = events(parse_both(invitation_ics(enrolment, "CANCEL"))[0])
    assert set(cancel) == set(request)
    assert all(int(cancel[u]["SEQUENCE"]) > int(request[u]["SEQUENCE"]) for u in cancel)


def test_waitlisted_invitation_is_tentative(app):
    person = make_user()
    session = make_session()
    enrolment = enrol(session, person, EnrolmentStatus.WAITLISTED)
    db.session.commit()
    (event,) = events(parse_both(invitation_ics(enrolment, "REQUEST"))[0]).values()
    assert str(event["STATUS"]) == "TENTATIVE"


def test_unknown_method_is_refused(app):
    _, _, enrolment = _setup()
    with pytest.raises(ValueError):
        invitation_ics(enrolment, "PUBLISH")


def test_signal_attaches_the_invitation_to_the_queued_mail(app):
    person, session, enrolment = _setup()
    mail = OutboxMail(recipient=person.email, subject="Inscription confirmée", body_text="Bonjour")
    db.session.add(mail)
    enrolment_mail_queued.send(enrolment, mail=mail, enrolment=enrolment, method="REQUEST")
    db.session.commit()
    assert mail.ics_method == "REQUEST"
    assert "METHOD:REQUEST" in mail.ics
    message = build_message(mail, "Réseau <ne-pas-repondre@reseau.invalid>")
    parts = [part for part in message.iter_attachments()]
    assert len(parts) == 1
    assert parts[0].get_content_type() == "text/calendar"
    assert parts[0].get_param("method") == "REQUEST"
    parse_both(parts[0].get_content().encode("utf-8"))

    cancel = OutboxMail(recipient=person.email, subject="Annulation", body_text="Bonjour")
    db.session.add(cancel)
    enrolment_mail_queued.send(enrolment, mail=cancel, enrolment=enrolment, method="CANCEL")
    assert cancel.ics_method == "CANCEL"
    # A deduplicated e-mail (None) is simply skipped.
    enrolment_mail_queued.send(enrolment, mail=None, enrolment=enrolment, method="REQUEST")
