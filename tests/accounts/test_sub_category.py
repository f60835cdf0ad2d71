"""Issue 23: a person's sub-category ("élu municipal", "agent CAF") in every form that makes or
edits a person, on their page and in the exports of people."""

from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa

from reseau.accounts.models import Category, User, UserStatus
from reseau.accounts.subcategories import normalise_sub_category
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.accounts.helpers import link_in, new_password_form, outbox, person_form
from tests.factories import make_centre, make_coordinator, make_referent, make_session, make_user


def _person(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _datalist(html: str, list_id: str) -> list[str]:
    block = re.search(rf'<datalist id="{list_id}">(.*?)</datalist>', html, re.S)
    assert block, list_id
    return re.findall(r'<option value="([^"]*)"', block.group(1))


def test_a_known_suggestion_is_stored_in_its_own_spelling():
    assert normalise_sub_category("  Agent   caf ") == "agent CAF"
    assert normalise_sub_category("Élu  Municipal") == "élu municipal"
    assert normalise_sub_category("Conseillère\ntechnique CAF") == "Conseillère technique CAF"
    assert normalise_sub_category(None) == ""
    assert normalise_sub_category("x" * 200) == "x" * 80


def test_the_invitation_form_suggests_sub_categories_by_category(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/personnes/nouvelle").text
    assert '<label for="sub_category">Précision (facultatif)</label>' in html
    # No category chosen yet: every suggestion.
    assert 'list="sub-category-all"' in html
    everything = _datalist(html, "sub-category-all")
    assert {"élu municipal", "élu départemental", "agent CAF", "agent de la collectivité",
            "administrateur·rice"} <= set(everything)  # fmt: skip
    assert "agent CAF" in _datalist(html, "sub-category-partenaire")
    assert "agent CAF" not in _datalist(html, "sub-category-elu")
    assert "élu municipal" in _datalist(html, "sub-category-elu")


def test_coordinator_invites_and_edits_a_sub_category(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    response = client.post(
        "/personnes/nouvelle",
        data=person_form(
            first_name="Paul",
            last_name="Caf",
            email="paul.caf@exemple.test",
            category="partenaire",
            sub_category=" Agent CAF ",
            centre_id="",
        ),
    )
    assert response.status_code == 303
    person = _person("paul.caf@exemple.test")
    assert (person.category, person.sub_category) == (Category.PARTENAIRE, "agent CAF")
    page = client.get(f"/personnes/{person.id}").text
    assert "Partenaire (agent CAF)" in page
    assert "agent CAF" in client.get("/personnes?q=Caf").text
    # The edit form shows it, with the partners' suggestions, and changes it.
    form = client.get(f"/personnes/{person.id}/modifier").text
    assert 'value="agent CAF"' in form and 'list="sub-category-partenaire"' in form
    response = client.post(
        f"/personnes/{person.id}/modifier",
        data=person_form(
            first_name="Paul",
            last_name="Caf",
            email="paul.caf@exemple.test",
            category="elu",
            sub_category="élu départemental",
            centre_id="",
        ),
    )
    assert response.status_code == 303
    db.session.refresh(person)
    assert (person.category, person.sub_category) == (Category.ELU, "élu départemental")


def test_a_too_long_sub_category_is_refused_next_to_the_field(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    db.session.commit()
    auth.login(referent)
    response = client.post(
        "/personnes/nouvelle",
        data=person_form(email="zoe@exemple.test", category="elu", sub_category="é" * 81),
    )
    assert response.status_code == 422
    assert "80 caractères au plus." in response.text
    assert "é" * 81 in response.text  # what was typed is kept
    assert _person("zoe@exemple.test") is None


def test_a_self_registration_carries_its_sub_category(client, auth):
    centre = make_centre()
    make_referent(centre)
    db.session.commit()
    page = client.get("/inscription").text
    assert 'name="sub_category"' in page and '<datalist id="sub-category-elu">' in page
    response = client.post(
        "/inscription",
        data={
            "first_name": "Léa",
            "last_name": "Martin",
            "email": "lea@exemple.test",
            "phone": "",
            "category": "elu",
            "sub_category": "administrateur·rice",
            "centre_id": str(centre.id),
        },
    )
    assert response.status_code == 303
    (mail,) = outbox("lea@exemple.test")
    answer = client.post(link_in(mail), data=new_password_form())
    assert answer.status_code == 200
    person = _person("lea@exemple.test")
    assert person.status == UserStatus.PENDING
    assert person.sub_category == "administrateur·rice"


def test_the_roster_export_and_my_data_hold_the_sub_category(client, auth):
    coordinator = make_coordinator()
    agent = make_user(category=Category.PARTENAIRE, sub_category="agent CAF", last_name="Zed")
    session = make_session()
    db.session.add(Enrolment(person=agent, session=session, status=EnrolmentStatus.CONFIRMED))
    db.session.commit()
    auth.login(coordinator)
    text = client.get(f"/admin/sessions/{session.id}/inscrits.csv").get_data(as_text=True)
    header, *rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert header[header.index("Catégorie") + 1] == "Précision"
    (row,) = rows
    assert row[header.index("Précision")] == "agent CAF"
    auth.logout()
    auth.login(agent)
    assert "agent CAF" in client.get("/mes-donnees").text
    assert client.get("/mes-donnees.json").get_json()["personne"]["precision"] == "agent CAF"
