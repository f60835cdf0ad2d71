"""In a real browser: the cold questionnaire saves each answer as it is given (htmx), and
without JavaScript its buttons save the page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from reseau.core.extensions import db
from reseau.evaluation.models import ColdAnswer
from tests.evaluation.fixtures import closed_session
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def sent(app):
    session, came, _ = closed_session(91, people=1, absent=0, title="La fonction employeur")
    answer = ColdAnswer(session_id=session.id, person_id=came[0].id)
    db.session.add(answer)
    db.session.flush()
    seeded = SimpleNamespace(session=session.id, answer=answer.id, email=came[0].email)
    db.session.commit()  # read nothing after: the live server writes
    return seeded


def stored(answer_id: int) -> tuple:
    try:
        row = db.session.get(ColdAnswer, answer_id)
        db.session.refresh(row)
        return row.used, row.gained, row.started_at is not None
    finally:
        db.session.rollback()


def test_cold_answers_are_saved_as_given(pages, log_in, sent):
    page = pages.open()
    log_in(page, sent.email, PASSWORD)
    page.goto("/mes-formations")
    page.get_by_role("button", name="Répondre").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("La fonction employeur")
    page.get_by_label("Oui, souvent").check()
    expect(page.locator("#saved-used")).to_contain_text("Enregistré à")
    page.get_by_label("Ce que cela vous a apporté").fill("Oser parler au conseil d'administration")
    page.get_by_label("Ce que cela vous a apporté").blur()
    expect(page.locator("#saved-gained")).to_contain_text("Enregistré à")
    page.wait_for_load_state("networkidle")
    assert pages.console_errors(page) == []
    page.context.close()
    assert stored(sent.answer) == ("often", "Oser parler au conseil d'administration", True)


def test_without_javascript_the_buttons_save(pages, log_in, sent):
    page = pages.open(javascript=False)
    log_in(page, sent.email, PASSWORD)
    page.goto(f"/mes-formations/{sent.session}/evaluation-a-froid")
    page.get_by_label("Pas encore").check()
    page.get_by_role("button", name="Enregistrer et continuer plus tard").click()
    expect(page.locator("#messages")).to_contain_text("Réponses enregistrées")
    expect(page.get_by_label("Pas encore")).to_be_checked()
    assert stored(sent.answer)[0] == "not_yet"
