"""Issue 13: self-registration does not reveal who has an account, and a registration by
someone who cannot read the address never holds it."""

from __future__ import annotations

import re

import sqlalchemy as sa

from reseau.accounts.models import User, UserStatus
from reseau.core.extensions import db
from tests.accounts.helpers import link_in, new_password_form, outbox, person_form
from tests.factories import make_centre, make_coordinator, make_referent, make_user


def _register(client, centre, email: str, **overrides):
    data = {
        "first_name": "Léa",
        "last_name": "Martin",
        "email": email,
        "phone": "",
        "category": "benevole",
        "centre_id": str(centre.id),
    }
    data.update(overrides)
    return client.post("/inscription", data=data)


def _person(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_a_known_and_an_unknown_address_get_the_same_answer(client):
    centre = make_centre()
    make_referent(centre)
    known = make_user(email="connue@exemple.test", first_name="Capucine")
    db.session.commit()
    answers = [
        _register(client, centre, email)
        for email in ("connue@exemple.test", "nouvelle@exemple.test")
    ]
    assert {answer.status_code for answer in answers} == {303}
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    # The same page (but for the CSRF token, which carries the time).
    pages = [
        re.sub(r'(csrf-token" (?:content|data-token)=")[^"]+', r"\1", client.get(a.location).text)
        for a in answers
    ]
    assert pages[0] == pages[1]
    # The owner of the known address is told, as "mot de passe oublié" would; nobody else.
    (told,) = outbox("connue@exemple.test")
    assert "un compte existe déjà" in told.body_text.lower()
    assert "/mot-de-passe-oublie" in told.body_text
    assert "/inscription/" not in told.body_text
    (link,) = outbox("nouvelle@exemple.test")
    assert link_in(link).startswith("/inscription/")
    assert [mail.recipient for mail in outbox()] == ["connue@exemple.test", "nouvelle@exemple.test"]
    db.session.refresh(known)
    assert known.status == UserStatus.ACTIVE and known.first_name == "Capucine"


def test_a_registration_cannot_squat_an_address(client, auth):
    centre = make_centre()
    coordinator = make_coordinator()
    db.session.commit()
    # Someone registers the address of a person who has no account yet…
    _register(client, centre, "victime@exemple.test", first_name="Pirate")
    assert _person("victime@exemple.test") is None
    (pirate_link,) = outbox("victime@exemple.test")
    # …the coordination invites its owner meanwhile: the invitation goes through…
    auth.login(coordinator)
    answer = client.post(
        "/personnes/nouvelle",
        data=person_form(
            first_name="Victoire",
            last_name="Durand",
            email="victime@exemple.test",
            centre_id=str(centre.id),
        ),
    )
    assert answer.status_code == 303
    auth.logout()
    # …and the registration link, which only the owner received anyway, no longer works.
    answer = client.post(link_in(pirate_link), data=new_password_form())
    assert answer.status_code == 404
    person = _person("victime@exemple.test")
    assert (person.first_name, person.status) == ("Victoire", UserStatus.INVITED)
    assert person.password_hash is None


def test_the_owners_link_wins_over_an_earlier_registration(client):
    centre = make_centre()
    db.session.commit()
    _register(client, centre, "lea@exemple.test", first_name="Pirate")
    _register(client, centre, "lea@exemple.test", first_name="Léa")
    first, second = outbox("lea@exemple.test")
    page = client.get(link_in(second))
    assert "Bonjour Léa" in page.text
    assert client.post(link_in(second), data=new_password_form()).status_code == 200
    assert _person("lea@exemple.test").first_name == "Léa"
    assert client.post(link_in(first), data=new_password_form()).status_code == 404


def test_a_forged_or_altered_link_is_refused(client):
    centre = make_centre()
    db.session.commit()
    _register(client, centre, "lea@exemple.test")
    link = link_in(outbox()[0])
    assert client.get(link[:-3] + "abc").status_code == 404
    assert client.get("/inscription/jeton-inconnu").status_code == 404
    assert _person("lea@exemple.test") is None
