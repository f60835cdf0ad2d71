"""Issue 13: a referent cannot take over an account holding a role they do not hold, and an
e-mail change is audited, tells the old address and ends sessions and links."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from reseau.accounts.access import may_act_on_person
from reseau.accounts.models import Role, TokenPurpose, User, UserStatus
from reseau.accounts.operations import issue_token
from reseau.core.audit import AuditLog
from reseau.core.extensions import db
from tests.accounts.helpers import link_in, new_password_form, outbox, person_form
from tests.factories import (
    PASSWORD,
    make_centre,
    make_coordinator,
    make_referent,
    make_trainer,
    make_user,
)


def _edit_data(person, **overrides) -> dict:
    return person_form(
        **{
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "category": person.category.value,
            **overrides,
        }
    )


def test_the_rule_is_holding_every_role_of_the_other(app):
    centre = make_centre()
    referent = make_referent(centre)
    trainer_referent = make_user(centre=centre, roles=[Role.REFERENT, Role.TRAINER])
    trainer = make_trainer(centre=centre)
    participant = make_user(centre=centre)
    coordinator = make_coordinator()
    assert may_act_on_person(referent, participant)
    assert not may_act_on_person(referent, trainer)
    assert not may_act_on_person(referent, trainer_referent)
    assert may_act_on_person(trainer_referent, trainer)
    assert not may_act_on_person(referent, coordinator)
    assert may_act_on_person(coordinator, trainer_referent)
    assert not may_act_on_person(trainer, participant)  # not a manager at all


def test_a_referent_cannot_take_over_a_trainer_of_their_centre(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    trainer = make_trainer(centre=centre, email="formatrice@exemple.test")
    db.session.commit()
    auth.login(referent)
    page = client.get(f"/personnes/{trainer.id}")
    assert page.status_code == 200
    assert f"/personnes/{trainer.id}/modifier" not in page.text
    assert "seule la coordination régionale peut modifier ce compte" in page.text
    assert client.get(f"/personnes/{trainer.id}/modifier").status_code == 403
    answer = client.post(
        f"/personnes/{trainer.id}/modifier",
        data=_edit_data(trainer, email="referent-pirate@exemple.test"),
    )
    assert answer.status_code == 403
    db.session.refresh(trainer)
    assert trainer.email == "formatrice@exemple.test"
    auth.logout()
    client.post("/mot-de-passe-oublie", data={"email": "referent-pirate@exemple.test"})
    assert outbox("referent-pirate@exemple.test") == []


def test_an_email_change_is_audited_tells_the_old_address_and_ends_sessions_and_links(
    app, client, auth
):
    coordinator = make_coordinator()
    trainer = make_trainer(email="ancienne@exemple.test")
    reset = issue_token(trainer, TokenPurpose.PASSWORD_RESET, timedelta(hours=2))
    db.session.commit()
    theirs = app.test_client()
    theirs.post("/connexion", data={"email": trainer.email, "password": PASSWORD})
    assert theirs.get("/mon-compte").status_code == 200
    auth.login(coordinator)
    answer = client.post(
        f"/personnes/{trainer.id}/modifier",
        data=_edit_data(trainer, email="Nouvelle@Exemple.test", roles=["trainer"]),
    )
    assert answer.status_code == 303
    db.session.refresh(trainer)
    assert trainer.email == "nouvelle@exemple.test"
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "person.email"))
    assert entry.actor_id == coordinator.id and entry.object_id == trainer.id
    assert entry.before == {"email": "ancienne@exemple.test"}
    assert entry.after == {"email": "nouvelle@exemple.test"}
    (told,) = outbox("ancienne@exemple.test")
    assert told.subject == "Votre adresse e-mail Réseau a changé"
    assert coordinator.full_name in told.body_text
    assert "nouvelle@exemple.test" not in told.body_text
    assert theirs.get("/mon-compte").status_code == 302  # their session has ended
    assert client.get(f"/reinitialiser/{reset}").status_code == 404
    assert "Adresse e-mail modifiée" in client.get("/admin/journal").text


def test_an_invited_person_with_a_new_email_gets_a_new_invitation(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    client.post(
        "/personnes/nouvelle",
        data=person_form(email="zoe@exemple.test"),
    )
    (first,) = outbox("zoe@exemple.test")
    person = db.session.scalar(sa.select(User).where(User.email == "zoe@exemple.test"))
    client.post(
        f"/personnes/{person.id}/modifier", data=_edit_data(person, email="zoe.m@exemple.test")
    )
    auth.logout()
    assert client.get(link_in(first)).status_code == 404
    (invitation,) = [m for m in outbox("zoe.m@exemple.test") if "invitation" in m.subject]
    answer = client.post(link_in(invitation), data=new_password_form())
    assert answer.status_code == 303
    db.session.refresh(person)
    assert person.status == UserStatus.ACTIVE


def test_coordinators_changing_their_own_email_stay_logged_in(client, auth):
    coordinator = make_coordinator(email="moi@exemple.test")
    db.session.commit()
    auth.login(coordinator)
    answer = client.post(
        f"/personnes/{coordinator.id}/modifier",
        data=_edit_data(coordinator, email="moi.ailleurs@exemple.test", roles=["coordinator"]),
    )
    assert answer.status_code == 303
    assert client.get("/mon-compte").status_code == 200
    told = [mail.subject for mail in outbox("moi@exemple.test")]
    assert told == ["Votre adresse e-mail Réseau a changé"]
