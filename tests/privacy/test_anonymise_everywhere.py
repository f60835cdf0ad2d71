"""Issue 13: after anonymisation, nothing stored names the person: every text column of every
table (read from the models' metadata) and every e-mail file written in the mail directory."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

import sqlalchemy as sa

from reseau.accounts.models import Role, User
from reseau.core.audit import record_audit
from reseau.core.extensions import db
from reseau.diagnostic import operations as diagnostic
from reseau.enrolment import operations as enrolment_ops
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.accounts.helpers import link_in, new_password_form, outbox
from tests.diagnostic.fixtures import make_campaign
from tests.factories import (
    make_centre,
    make_coordinator,
    make_referent,
    make_session,
    make_user,
)

FIRST, LAST = "Zéphyrine", "Quartzbloom"
EMAIL = "zephyrine.quartzbloom@exemple.test"
PHONE = "06 98 76 54 32"
NEEDLES = (FIRST, LAST, EMAIL, PHONE)


def _text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.String | sa.Text | sa.JSON):
                yield table, column


def _database_mentions() -> list[str]:
    found = []
    for table, column in _text_columns():
        for value in db.session.execute(sa.select(column).where(column.is_not(None))).scalars():
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            found += [
                f"{table.name}.{column.name}: {needle}"
                for needle in NEEDLES
                if needle.lower() in text.lower()
            ]
    return found


def _file_mentions(directory: Path) -> list[str]:
    found = []
    for path in sorted(directory.glob("*")):
        raw = path.read_bytes()
        message = message_from_bytes(raw, policy=policy.default)
        parts = [str(message.get("Subject", "")), str(message.get("To", ""))]
        parts += [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
        text = (" ".join(parts) + raw.decode("utf-8", "replace")).replace("\r\n ", "")
        found += [f"{path.name}: {needle}" for needle in NEEDLES if needle.lower() in text.lower()]
    return found


def _register(client, centre) -> User:
    client.post(
        "/inscription",
        data={
            "first_name": FIRST,
            "last_name": LAST,
            "email": EMAIL,
            "phone": PHONE,
            "category": "benevole",
            "centre_id": str(centre.id),
        },
    )
    client.post(link_in(outbox(EMAIL)[0]), data=new_password_form())
    return db.session.scalar(sa.select(User).where(User.email == EMAIL))


def test_anonymisation_leaves_no_copy_of_the_name_or_the_email(app, client, auth, runner):
    centre = make_centre()
    referent = make_referent(centre)
    coordinator = make_coordinator()
    other = make_user(centre=centre)
    db.session.commit()
    person = _register(client, centre)  # the referents get "Nouvelle demande de compte : …"
    auth.login(referent)
    client.post(f"/personnes/{person.id}/validation", data={"decision": "valider"})
    auth.logout()
    # She becomes a trainer: the participants' invitations name her (calendar part included).
    person.set_roles([Role.TRAINER])
    taught = make_session(title="Accueillir", trainers=[person])
    enrolment_ops.enrol(other, taught, actor=other)
    # She enrols, waits, is moved in by the coordinator (audited with her name).
    full = make_session(title="Complet", capacity=1, requires_validation=False)
    db.session.add(Enrolment(session=full, person=other, status=EnrolmentStatus.CONFIRMED))
    db.session.flush()
    waiting = enrolment_ops.enrol(person, full, actor=person)
    enrolment_ops.move_from_waitlist(waiting, actor=coordinator)
    diagnostic.remind_person(make_campaign(), person, actor=referent)  # audited with her name
    # Details of an entry about something else (JSON, stored with "é" escaped).
    record_audit(coordinator, "enrolment.note", waiting, after={"who": f"{FIRST} {LAST}"})
    db.session.commit()
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    mail_directory = Path(app.config["MAIL_DIRECTORY"])
    assert _file_mentions(mail_directory), "the world should have written her name to files"
    assert _database_mentions(), "the world should have copied her name"

    auth.login(coordinator)
    answer = client.post(f"/admin/personnes/{person.id}/anonymiser", data={"confirm": "y"})
    assert answer.status_code == 303

    db.session.expire_all()
    assert _database_mentions() == []
    assert _file_mentions(mail_directory) == []
    # The copies kept their meaning: the referents' message names the anonymous person.
    subjects = [mail.subject for mail in outbox(referent.email)]
    assert f"Nouvelle demande de compte : Personne anonymisée n°{person.id}" in subjects
