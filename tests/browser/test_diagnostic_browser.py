"""In a real browser: a volunteer answers the diagnostic, leaves, comes back, finds everything."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from reseau.accounts.models import Category
from reseau.core.extensions import db
from reseau.diagnostic.models import DiagnosticQuestion, DiagnosticResponse, SkillAnswer
from tests.diagnostic.fixtures import add_skill, make_campaign
from tests.factories import PASSWORD, make_centre, make_theme, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def questionnaire(app):
    """An open campaign with three skills and a question, and a volunteer; ids and e-mail."""
    theme = make_theme(name="La fonction employeur", slug="fonction-employeur")
    campaign = make_campaign(title="Diagnostic des besoins 2026")
    skills = [
        add_skill(campaign, theme, title, n)
        for n, title in enumerate(
            ["Être employeur quand on est bénévole", "Recruter", "Conduire un entretien"], 1
        )
    ]
    question = DiagnosticQuestion(campaign_id=campaign.id, prompt="Quels freins ?", position=1)
    db.session.add(question)
    volunteer = make_user(centre=make_centre(), category=Category.BENEVOLE)
    db.session.flush()
    seeded = SimpleNamespace(
        campaign=campaign.id,
        skills=[skill.id for skill in skills],
        question=question.id,
        email=volunteer.email,
        person=volunteer.id,
    )
    # Read nothing after the commit: on SQLite, a new transaction would hold the write lock.
    db.session.commit()
    return seeded


def stored_answers(person_id: int) -> list[tuple]:
    """Read the answers from the test while the live server may write (see centre_named)."""
    try:
        return [
            (row.skill_id, row.level, row.wants_training)
            for row in db.session.execute(
                sa.select(SkillAnswer)
                .join(DiagnosticResponse, DiagnosticResponse.id == SkillAnswer.response_id)
                .where(DiagnosticResponse.person_id == person_id)
                .order_by(SkillAnswer.skill_id)
            ).scalars()
        ]
    finally:
        db.session.rollback()


def test_answers_are_saved_as_given_and_still_there_after_closing_the_page(
    pages, questionnaire, log_in
):
    q = questionnaire
    page = pages.open()
    log_in(page, q.email, PASSWORD)
    page.get_by_role("link", name="Diagnostic", exact=True).click()
    page.get_by_role("button", name="Répondre").click()  # <a role=button>
    expect(page.get_by_role("heading", level=1)).to_have_text("Diagnostic des besoins 2026")

    first, second, third = (page.locator(f"#skill-{skill_id}") for skill_id in q.skills)
    first.get_by_label("Oui, en priorité").check()
    expect(page.locator(f"#saved-skill-{q.skills[0]}")).to_contain_text("Enregistré à")
    second.get_by_label("Je maîtrise").check()
    expect(page.locator(f"#saved-skill-{q.skills[1]}")).to_contain_text("Enregistré à")
    # Two quick changes on the same skill: the last one wins, one row only.
    third.get_by_label("Oui", exact=True).check()
    third.get_by_label("Non", exact=True).check()
    page.locator(f"#question-{q.question}").fill("Les horaires en semaine")
    page.locator(f"#question-{q.question}").blur()
    expect(page.locator(f"#saved-question-{q.question}")).to_contain_text("Enregistré à")
    expect(page.locator(f"#saved-skill-{q.skills[2]}")).to_contain_text("Enregistré à")
    page.wait_for_load_state("networkidle")
    assert pages.console_errors(page) == []
    page.context.close()  # the volunteer closes the tab, without pressing any button

    assert stored_answers(q.person) == [
        (q.skills[0], None, "priority"),
        (q.skills[1], "master", None),
        (q.skills[2], None, "no"),
    ]

    again = pages.open()
    log_in(again, q.email, PASSWORD)
    again.goto(f"/diagnostic/{q.campaign}")
    expect(again.locator(f"#skill-{q.skills[0]}").get_by_label("Oui, en priorité")).to_be_checked()
    expect(again.locator(f"#skill-{q.skills[1]}").get_by_label("Je maîtrise")).to_be_checked()
    expect(again.locator(f"#skill-{q.skills[2]}").get_by_label("Non", exact=True)).to_be_checked()
    expect(again.locator(f"#question-{q.question}")).to_have_value("Les horaires en semaine")


def test_without_javascript_the_page_is_saved_by_its_button(pages, questionnaire, log_in):
    q = questionnaire
    page = pages.open(javascript=False)
    log_in(page, q.email, PASSWORD)
    page.goto(f"/diagnostic/{q.campaign}")
    page.locator(f"#skill-{q.skills[0]}").get_by_label("Je découvre").check()
    page.locator(f"#skill-{q.skills[0]}").get_by_label("Oui", exact=True).check()
    page.get_by_role("button", name="Enregistrer et continuer plus tard").click()
    expect(page.locator("#messages")).to_contain_text("Vos réponses sont enregistrées")
    expect(page.locator(f"#skill-{q.skills[0]}").get_by_label("Je découvre")).to_be_checked()
    assert stored_answers(q.person) == [(q.skills[0], "discover", "yes")]
