"""Numbers out of range (issue 8): a huge number typed in a form is a typing error, answered
422 with a French message next to the field and the text kept as typed; in the query string
it is a wrong filter or page, ignored; in the URL, no such object. NUL stays refused (400)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from reseau.core.extensions import db
from reseau.core.forms import NO_SUCH_ID, coerce_id, parse_int
from tests.factories import make_centre, make_coordinator, make_session, make_theme

HUGE = "99999999999999999999"
BEYOND_32_BITS = "3000000000"


@pytest.fixture
def coordinator(client, auth):
    person = make_coordinator()
    db.session.commit()
    auth.login(person)
    return person


def _errors(body: str) -> list[str]:
    return [unescape(e) for e in re.findall(r'class="field-error"[^>]*>([^<]*)<', body)]


def _value(body: str, name: str) -> str | None:
    for tag in re.findall(r"<input\b[^>]*>", body):
        if f'name="{name}"' in tag:
            found = re.search(r'\bvalue="([^"]*)"', tag)
            return unescape(found.group(1)) if found else ""
    return None


@pytest.mark.parametrize("typed", [HUGE, "9" * 60, BEYOND_32_BITS, "-" + HUGE, "1e30", "12,5"])
def test_the_roster_capacity_answers_422_next_to_the_field(client, coordinator, typed):
    session = make_session()
    db.session.commit()
    answer = client.post(f"/admin/sessions/{session.id}/inscrits", data={"capacity": typed})
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    expected = (
        "Saisissez un nombre entier, sans lettres ni virgule."
        if typed in ("1e30", "12,5")
        else "Saisissez un nombre entre 0 et 10 000."
    )
    assert _errors(body) == [expected]  # one message, not the parse and the range ones
    assert 'aria-invalid="true"' in body
    assert _value(body, "capacity") == typed
    db.session.refresh(session)
    assert session.capacity == 12


def test_the_session_form_answers_422_for_huge_numbers(client, coordinator):
    session = make_session()
    db.session.commit()
    url = f"/admin/sessions/{session.id}/modifier"
    data = {"capacity": HUGE, "centre_cap": "9" * 30, "offer_hours": BEYOND_32_BITS}
    answer = client.post(url, data=data)
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    errors = _errors(body)
    assert "Le nombre de places va de 0 à 10 000." in errors
    assert "Au moins 1 place par centre, ou laissez vide." in errors
    assert "Un délai entre 1 et 720 heures." in errors
    for name, typed in data.items():
        assert _value(body, name) == typed


def test_a_cycle_year_beyond_64_bits_is_a_field_error(client, coordinator):
    theme = make_theme()
    db.session.commit()
    data = {"theme_id": str(theme.id), "title": "Cycle", "year": HUGE, "audience": "tous"}
    answer = client.post("/admin/cycles/nouveau", data=data)
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert _errors(body) == ["Saisissez une année, par exemple 2026."]
    assert _value(body, "year") == HUGE


@pytest.mark.parametrize("typed", [HUGE, BEYOND_32_BITS, "-" + HUGE])
def test_an_id_out_of_range_is_a_refused_choice(client, coordinator, typed):
    """A forged id in a list (beyond PostgreSQL's integers) never reaches the database."""
    answer = client.post("/admin/cycles/nouveau", data={"theme_id": typed, "title": "C"})
    assert answer.status_code == 422
    assert _errors(answer.get_data(as_text=True))
    answer = client.post(
        "/admin/centres/nouveau", data={"department_id": typed, "name": "X", "town": "Y"}
    )
    assert answer.status_code == 422
    assert _errors(answer.get_data(as_text=True))


@pytest.mark.parametrize(
    "query",
    [
        {"page": "1e30"},
        {"page": HUGE},
        {"page": BEYOND_32_BITS},
        {"page": "-3"},
        {"annee": HUGE, "thematique": BEYOND_32_BITS},
        {"departement": "-" + HUGE, "page": "9" * 400},
    ],
)
def test_numbers_out_of_range_in_the_query_string_are_ignored(client, coordinator, query):
    make_session(title="Une session visible")
    db.session.commit()
    answer = client.get("/admin/sessions", query_string=query)
    assert answer.status_code == 200
    assert "Une session visible" in answer.get_data(as_text=True)  # the first page, unfiltered


def test_an_out_of_range_filter_on_a_centre_is_ignored(client, coordinator):
    make_centre(name="Centre des Rives")
    db.session.commit()
    for value in (HUGE, BEYOND_32_BITS):
        assert client.get("/personnes", query_string={"centre": value}).status_code == 200
        assert client.get("/centre/inscriptions", query_string={"centre": value}).status_code == 200
    # A search box keeps its long numbers (a phone number is a search).
    answer = client.get("/personnes", query_string={"q": "0601020304"})
    assert answer.status_code == 200
    assert "0601020304" in answer.get_data(as_text=True)


def test_ids_out_of_range_in_the_url_are_not_found(client, coordinator):
    assert client.get(f"/admin/sessions/{HUGE}/inscrits").status_code == 404
    assert client.get(f"/admin/sessions/{BEYOND_32_BITS}/inscrits").status_code == 404


def test_nul_stays_refused(client, coordinator):
    session = make_session()
    db.session.commit()
    url = f"/admin/sessions/{session.id}/inscrits"
    assert client.post(url, data={"capacity": "1\x002"}).status_code == 400
    assert client.get("/admin/sessions", query_string={"q": "a\x00"}).status_code == 400


def test_parsing_helpers():
    assert parse_int(" 42 ") == 42 and parse_int("+7") == 7 and parse_int("-3") == -3
    for text in ("1_000", "1e3", "٣", "", "-", "12.0", None):
        assert parse_int(text) is None, text
    assert parse_int("9" * 5000) == 10**40 and parse_int("-" + "9" * 5000) == -(10**40)
    assert coerce_id("") is None and coerce_id("abc") is None and coerce_id("12") == 12
    assert coerce_id(BEYOND_32_BITS) == NO_SUCH_ID and coerce_id(HUGE) == NO_SUCH_ID
