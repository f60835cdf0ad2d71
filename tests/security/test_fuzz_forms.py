"""Property-based robustness: random, oversized, unicode and malformed values in every main
form and query parameter never give a 500; a refused form answers 422 with the French error
next to the field. Field names are read from each page's own <form>, so a field added later
is fuzzed too. Examples are bounded to keep the file well under a minute.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reseau.accounts.models import Role
from reseau.core.extensions import db
from tests.factories import (
    make_centre,
    make_coordinator,
    make_module,
    make_session,
    make_theme,
    make_user,
)
from tests.security.fuzzing import FUZZ, VALUES, _forms


@pytest.fixture
def world(app):
    centre = make_centre()
    coordinator = make_coordinator()
    participant = make_user(centre=centre)
    theme = make_theme()
    module = make_module()
    session = make_session(module=module, theme=module.cycle.theme)
    make_user(roles=[Role.REFERENT], centre=centre)
    db.session.commit()
    return {
        "coordinator": coordinator,
        "participant": participant,
        "centre": centre,
        "theme": theme,
        "session": session,
        "module": module,
    }


# (who, page whose POST forms are fuzzed)
POST_PAGES = [
    (None, "/connexion"),
    (None, "/inscription"),
    (None, "/mot-de-passe-oublie"),
    ("participant", "/mon-compte"),
    ("participant", "/mes-donnees"),
    ("coordinator", "/personnes/nouvelle"),
    ("coordinator", "/admin/centres/nouveau"),
    ("coordinator", "/admin/departements/nouveau"),
    ("coordinator", "/admin/thematiques/nouvelle"),
    ("coordinator", "/admin/cycles/nouveau"),
    ("coordinator", "/admin/sessions/nouvelle"),
    ("coordinator", "/admin/sessions/{session}/modifier"),
    ("coordinator", "/admin/diagnostic/nouvelle"),
    ("coordinator", "/admin/seances/{seance}/modifier"),
    ("coordinator", "/admin/modules/{module}/modifier"),
    ("coordinator", "/admin/sessions/{session}/inscrits"),
]
# (who, page whose GET filter forms are fuzzed, with ``page``)
GET_PAGES = [
    (None, "/catalogue"),
    ("coordinator", "/personnes"),
    ("coordinator", "/admin/centres"),
    ("coordinator", "/admin/sessions"),
    ("coordinator", "/admin/journal"),
    ("coordinator", "/centre/inscriptions"),
    ("participant", "/mes-formations"),
    ("coordinator", "/bilan"),
    ("coordinator", "/admin/thematiques"),
    ("coordinator", "/admin/cycles"),
]


def _url(template, world):
    return template.format(
        session=world["session"].id,
        centre=world["centre"].id,
        seance=world["session"].seances[0].id,
        module=world["module"].id,
    )


def _login(auth, world, who):
    if who:
        auth.login(world[who])


@pytest.mark.parametrize("who, page", POST_PAGES, ids=[page for _, page in POST_PAGES])
def test_post_forms_never_fail(client, auth, world, who, page):
    _login(auth, world, who)
    url = _url(page, world)
    answer = client.get(url)
    assert answer.status_code == 200, url
    forms = _forms(answer.get_data(as_text=True), "post")
    assert forms, f"no form found on {url}"
    names = forms[0] if len(forms) == 1 else max(forms, key=len)

    @FUZZ
    @given(st.fixed_dictionaries({name: VALUES for name in names}))
    def check(values):
        # Keep the session: a fuzzed profile form must not log the person out.
        answer = client.post(url, data=values)
        assert answer.status_code < 500, (url, values)
        body = answer.get_data(as_text=True)
        if answer.status_code == 422:
            assert 'class="field-error"' in body, (url, values)
        assert "Traceback" not in body

    check()


@pytest.mark.parametrize("who, page", GET_PAGES, ids=[page for _, page in GET_PAGES])
def test_query_parameters_never_fail(client, auth, world, who, page):
    _login(auth, world, who)
    answer = client.get(page)
    assert answer.status_code == 200, page
    names = sorted({name for form in _forms(answer.get_data(as_text=True), "get") for name in form})
    names = sorted(set(names) | {"page", "q"})

    @FUZZ
    @given(st.fixed_dictionaries({name: VALUES for name in names}))
    def check(values):
        for headers in ({}, {"HX-Request": "true"}):
            answer = client.get(page, query_string=values, headers=headers)
            assert answer.status_code in (200, 400, 422), (page, values, answer.status_code)
            if answer.status_code == 422:  # a filter form with its error next to the field
                assert 'class="field-error"' in answer.get_data(as_text=True), (page, values)

    check()


def test_forms_bind_only_declared_fields(client, auth, world):
    """No mass assignment: extra fields never set roles, centre, status or e-mail."""
    person = world["participant"]
    other_centre = make_centre()
    db.session.commit()
    auth.login(person)
    answer = client.post(
        "/mon-compte",
        data={
            "first_name": "Nouveau",
            "last_name": "Nom",
            "submit": "1",
            "roles": "coordinator",
            "role": "coordinator",
            "centre_id": str(other_centre.id),
            "status": "active",
            "email": "pirate@exemple.test",
            "session_version": "1",
            "is_coordinator": "y",
        },
    )
    assert answer.status_code == 303
    db.session.refresh(person)
    assert person.first_name == "Nouveau"
    assert person.roles == {Role.PARTICIPANT}
    assert person.centre_id == world["centre"].id
    assert person.email != "pirate@exemple.test"
    # A participant cannot reach the session form to set a capacity at all.
    session = world["session"]
    capacity = session.capacity
    answer = client.post(f"/admin/sessions/{session.id}/modifier", data={"capacity": "999"})
    assert answer.status_code == 403
    db.session.refresh(session)
    assert session.capacity == capacity


def test_numbers_beyond_64_bits_are_malformed_not_a_500(client, auth, world):
    # More in test_out_of_range_numbers.py: form fields answer 422, filters are ignored.
    auth.login(world["coordinator"])
    huge = "9" * 30
    assert client.get(f"/admin/centres/{huge}").status_code == 404
    assert client.get(f"/personnes/{huge}/modifier").status_code == 404
    assert client.get("/personnes", query_string={"centre": huge}).status_code == 200
    answer = client.post("/admin/centres/nouveau", data={"department_id": huge, "name": "X"})
    assert answer.status_code == 422
    # Beyond 32 bits (PostgreSQL's integer ids): a refused choice, never a 500.
    answer = client.post(
        "/admin/centres/nouveau", data={"department_id": "3000000000", "name": "X", "town": "Y"}
    )
    assert answer.status_code == 422
    assert client.get("/admin/centres/3000000000").status_code == 404
    # Ordinary long digit strings (phone numbers, postcodes) are untouched.
    assert client.get("/personnes", query_string={"q": "0601020304"}).status_code == 200
