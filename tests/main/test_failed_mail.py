"""Failed messages and the people they were for."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.core.extensions import db
from reseau.outbox import retry_failed
from reseau.outbox.models import MailStatus, OutboxMail
from reseau.privacy.operations import anonymise_person
from tests.factories import make_coordinator, make_user


def test_anonymising_a_person_drops_their_failed_and_abandoned_messages(app):
    person, other = make_user(), make_user()
    for status in (MailStatus.FAILED, MailStatus.ABANDONED, MailStatus.SENDING, MailStatus.SENT):
        db.session.add(
            OutboxMail(recipient=person.email, subject="s", body_text="b", status=status)
        )
    db.session.add(
        OutboxMail(recipient=other.email, subject="s", body_text="b", status=MailStatus.FAILED)
    )
    db.session.commit()
    anonymise_person(person, actor=make_coordinator())
    db.session.commit()
    left = db.session.execute(sa.select(OutboxMail.recipient, OutboxMail.status)).all()
    assert sorted(left) == sorted(
        [("anonymise@reseau.invalid", MailStatus.SENT), (other.email, MailStatus.FAILED)]
    )
    # "Retry all" can only send what still has a person behind it.
    assert retry_failed(actor=None) == 1


def test_the_failed_page_is_empty_when_all_is_well(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    page = client.get("/admin/envois")
    assert page.status_code == 200 and "Aucun envoi en échec." in page.text
    assert "Tout réessayer" not in page.text
