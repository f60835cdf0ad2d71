"""In a real browser: two volunteers, one seat. The first gets it, the second is waitlisted
at position 1; the first cancels, the second is promoted and sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from reseau.core.extensions import db
from tests.factories import make_session, make_user

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_one_seat_two_volunteers(pages, app, javascript, log_in):
    session = make_session(title="Le projet social du centre", capacity=1)
    first = make_user(first_name="Alice")
    second = make_user(first_name="Bruno")
    session_id, emails = session.id, (first.email, second.email)
    session_url = f"/catalogue/sessions/{session_id}"
    # Nothing is read from the database after this commit: on SQLite a new transaction in
    # the test would hold the write lock the live server needs.
    db.session.commit()

    alice = pages.open(javascript=javascript)
    bruno = pages.open(javascript=javascript)
    log_in(alice, emails[0])
    log_in(bruno, emails[1])

    alice.goto(session_url)
    box = alice.locator(f"#inscription-{session_id}")
    expect(box).to_contain_text("1 place disponible")
    box.get_by_role("button", name="M'inscrire").click()
    expect(alice.locator(f"#inscription-{session_id}")).to_contain_text("Inscription confirmée")
    expect(alice.locator(f"#inscription-{session_id}")).to_contain_text("Complet")

    bruno.goto(session_url)
    bruno.get_by_role("button", name="M'inscrire sur la liste d'attente").click()
    expect(bruno.locator(f"#inscription-{session_id}")).to_contain_text(
        "Liste d'attente, position 1"
    )

    alice.get_by_role("button", name="Annuler mon inscription").click()
    expect(alice.locator(f"#inscription-{session_id}")).to_contain_text("Inscription annulée")

    bruno.goto("/mes-formations")
    expect(bruno.get_by_role("main")).to_contain_text("Le projet social du centre")
    expect(bruno.get_by_role("main")).to_contain_text("Confirmée")
    bruno.goto(session_url)
    expect(bruno.locator(f"#inscription-{session_id}")).to_contain_text("Inscription confirmée")
    for page in (alice, bruno):
        assert pages.console_errors(page) == []
