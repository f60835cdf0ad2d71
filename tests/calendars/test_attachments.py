"""Invitations with the enrolment e-mails: one séance (one UID) per message, SEQUENCE kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from reseau.calendars.attachments import attach_invitations, invitation_ics, next_sequence
from reseau.calendars.models import SentInvitation
from reseau.catalogue.models import SeanceStatus, SessionStatus
from reseau.core.extensions import db
from reseau.enrolment.models import EnrolmentStatus
from reseau.enrolment.signals import enrolment_mail_queued
from reseau.outbox.models import OutboxMail
from tests.calendars.helpers import calendar_part, events, parse_both, sent_to
from tests.factories import enrol, make_session, make_user


def _setup(seances=2, status=EnrolmentStatus.CONFIRMED):
    person = make_user(first_name="Léa", last_name="Martin")
    session = make_session(seances=seances, title="Accueillir les familles")
    enrolment = enrol(session, person, status)
    db.session.commit()
    return person, session, enrolment


def _mail(person, subject="Inscription confirmée : Accueillir les familles") -> OutboxMail:
    mail = OutboxMail(recipient=person.email, subject=subject, body_text="Bonjour")
    db.session.add(mail)
    db.session.flush()
    return mail


def test_one_message_per_seance_covers_them_all(app):
    person, session, enrolment = _setup(seances=3)
    session.seances[2].status = SeanceStatus.CANCELLED
    session.seances[2].sequence += 1
    carriers = attach_invitations(enrolment, _mail(person), "REQUEST")
    db.session.commit()
    assert len(carriers) == 2  # the cancelled séance is not offered
    uids = set()
    for message in sent_to(person):
        method, event, vevent, data = calendar_part(message)
        assert method == "REQUEST"
        assert b"REFRESH-INTERVAL" not in data and b"X-WR-CALNAME" not in data
        assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
        assert event["ATTENDEE"].params["CN"] == "Léa Martin"
        assert str(event["ORGANIZER"]).startswith("mailto:")
        assert vevent.attendee.value == f"mailto:{person.email}"
        uids.add(str(event["UID"]))
    assert uids == {f"seance-{s.id}@localhost" for s in session.seances[:2]}


def test_sequence_grows_with_every_message_for_a_uid(app):
    person, session, enrolment = _setup(seances=1)
    (seance,) = session.seances
    attach_invitations(enrolment, _mail(person), "REQUEST")
    enrolment.status = EnrolmentStatus.CANCELLED
    attach_invitations(enrolment, _mail(person, "Inscription annulée"), "CANCEL")
    # The séance's own SEQUENCE is still 0: a naive REQUEST would go back below the CANCEL.
    enrolment.status = EnrolmentStatus.CONFIRMED
    attach_invitations(enrolment, _mail(person), "REQUEST")
    db.session.commit()
    sent = [calendar_part(message)[1] for message in sent_to(person)]
    assert [int(event["SEQUENCE"]) for event in sent] == [0, 1, 2]
    assert [str(event["STATUS"]) for event in sent] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    row = db.session.scalar(sa.select(SentInvitation))
    assert (row.seance_id, row.method, row.sequence) == (seance.id, "REQUEST", 2)
    assert seance.sequence == 0


def test_next_sequence_rules(app):
    _, session, _ = _setup(seances=1)
    (seance,) = session.seances
    seance.sequence = 3
    assert next_sequence(seance, "REQUEST", None) == 3
    assert next_sequence(seance, "CANCEL", None) == 4  # cancelling a scheduled séance
    assert next_sequence(seance, "REQUEST", SentInvitation(sequence=7, method="CANCEL")) == 8
    session.status = SessionStatus.CANCELLED
    assert next_sequence(seance, "CANCEL", None) == 3  # its cancellation counted already


def test_only_confirmed_places_get_requests_and_only_held_ones_cancels(app):
    person, session, enrolment = _setup(seances=1, status=EnrolmentStatus.WAITLISTED)
    assert attach_invitations(enrolment, _mail(person), "REQUEST") == []
    enrolment.status = EnrolmentStatus.CONFIRMED
    attach_invitations(enrolment, _mail(person), "REQUEST")
    enrolment.status = EnrolmentStatus.CANCELLED
    assert len(attach_invitations(enrolment, _mail(person), "CANCEL")) == 1
    assert attach_invitations(enrolment, _mail(person), "CANCEL") == []  # nothing left to remove


def test_unknown_method_is_refused(app):
    _, session, enrolment = _setup()
    with pytest.raises(ValueError):
        invitation_ics(enrolment, session.seances[0], "PUBLISH", sequence=0)


def test_signal_attaches_the_first_and_queues_the_others(app):
    person, session, enrolment = _setup(seances=2)
    mail = _mail(person)
    enrolment_mail_queued.send(enrolment, mail=mail, enrolment=enrolment, method="REQUEST")
    db.session.commit()
    assert mail.ics_method == "REQUEST"
    assert set(events(parse_both(mail.ics)[0])) == {f"seance-{session.seances[0].id}@localhost"}
    assert len(sent_to(person)) == 2
    # Only some séances, by id and method.
    other = _mail(person, "Changement de programme")
    invitations = [(session.seances[1].id, "CANCEL")]
    enrolment_mail_queued.send(enrolment, mail=other, enrolment=enrolment, invitations=invitations)
    assert other.ics_method == "CANCEL"
    assert f"seance-{session.seances[1].id}@localhost" in other.ics
    # A deduplicated e-mail (None) is simply skipped.
    enrolment_mail_queued.send(enrolment, mail=None, enrolment=enrolment, method="REQUEST")
