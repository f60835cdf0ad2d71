"""How an outbox row becomes a MIME message: subjects that survive folding, invitations."""

from __future__ import annotations

import email
import email.policy

import pytest

from reseau.core.database import utcnow
from reseau.outbox import OutboxMail
from reseau.outbox.delivery import build_message

SENDER = "Réseau <ne-pas-repondre@reseau.invalid>"


def _parsed(mail: OutboxMail) -> email.message.EmailMessage:
    message = build_message(mail, SENDER)
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    assert all(len(line) <= 78 for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"))
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.mark.parametrize(
    "subject",
    [
        "Inscription confirmée : Café, Débat",
        "Changement de programme : Café, Débat – les écrans et nos enfants, une matinée "
        "d'échanges entre parents et bénévoles à Châteauroux",
        "Liste d'attente : " + "Café, Débat " * 10,
        "Plain ASCII subject that is long enough to be folded by the policy, twice over",
    ],
)
def test_subject_keeps_every_space_after_folding(app, subject):
    mail = OutboxMail(id=1, recipient="a@exemple.test", subject=subject, body_text="Bonjour")
    mail.created_at = utcnow()
    assert _parsed(mail)["Subject"] == subject


def test_invitation_is_an_alternative_and_an_attachment(app):
    ics = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n"
    mail = OutboxMail(
        id=2,
        recipient="a@exemple.test",
        subject="Séance annulée",
        body_text="Bonjour",
        ics=ics,
        ics_method="CANCEL",
    )
    mail.created_at = utcnow()
    message = _parsed(mail)
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, calendar = alternative.get_payload()
    assert text.get_content_type() == "text/plain"
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "CANCEL"
    assert calendar.get_content_disposition() is None  # inline: the part clients act on
    assert calendar.get_content().replace("\n", "\r\n").replace("\r\r", "\r") == ics
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invitation.ics"
    assert attachment.get_content() == ics.encode()
