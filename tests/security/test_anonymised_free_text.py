"""Anonymising a person erases what they wrote in their own words (feedback comments, the
diagnostic's open answers and other needs), which may name them, and keeps their marks,
choices and figures, so the reports count the same answers."""

from __future__ import annotations

from dataclasses import asdict

import sqlalchemy as sa

from reseau.attendance.models import Feedback
from reseau.attendance.operations import feedback_results
from reseau.core.extensions import db
from reseau.diagnostic import results
from reseau.diagnostic.models import (
    DiagnosticQuestion,
    DiagnosticResponse,
    QuestionAnswer,
    SkillAnswer,
    TrainingWish,
)
from reseau.privacy.operations import anonymise_person
from tests.diagnostic.fixtures import add_skill, answer, make_campaign
from tests.factories import make_coordinator, make_session, make_theme, make_user

NAMED = "Merci à Aïcha Benali du centre des Rives"


def _written_by(person, session, campaign, skill, question, *, text):
    db.session.add(
        Feedback(
            session_id=session.id,
            person_id=person.id,
            satisfaction=4,
            gained=text,
            missing=f"{text} (manques)",
            would_recommend=True,
        )
    )
    response = answer(campaign, person, {skill: TrainingWish.PRIORITY}, other_needs=text)
    db.session.add(QuestionAnswer(response_id=response.id, question_id=question.id, text=text))
    db.session.flush()
    return response


def _figures(session, campaign):
    feedback = asdict(feedback_results(session))
    feedback.pop("gained"), feedback.pop("missing")
    return {
        "feedback": feedback,
        "skills": sorted(
            (a.skill_id, a.level, a.wants_training)
            for a in db.session.scalars(sa.select(SkillAnswer))
        ),
        "responses": db.session.scalar(sa.select(sa.func.count()).select_from(DiagnosticResponse)),
        "submitted": db.session.scalar(
            sa.select(sa.func.count()).where(DiagnosticResponse.submitted_at.is_not(None))
        ),
        "campaign": campaign.id,
    }


def test_anonymising_erases_free_text_and_keeps_the_figures(app):
    coordinator = make_coordinator()
    person = make_user(first_name="Aïcha", last_name="Benali")
    other = make_user(first_name="Bruno")
    session = make_session()
    campaign = make_campaign()
    skill = add_skill(campaign, make_theme(), "Animer une réunion")
    question = DiagnosticQuestion(campaign_id=campaign.id, prompt="Une idée ?", position=1)
    db.session.add(question)
    db.session.flush()
    mine = _written_by(person, session, campaign, skill, question, text=NAMED)
    _written_by(other, session, campaign, skill, question, text="Très utile, Bruno")
    db.session.commit()
    before = _figures(session, campaign)

    anonymise_person(person, actor=coordinator)
    db.session.commit()
    db.session.expire_all()

    # Their words are gone, everywhere they were kept.
    feedback = db.session.scalar(sa.select(Feedback).where(Feedback.person_id == person.id))
    assert (feedback.gained, feedback.missing) == ("", "")
    response = db.session.get(DiagnosticResponse, mine.id)
    assert response.other_needs == ""
    assert [a.text for a in response.question_answers] == [""]
    for table in (Feedback, DiagnosticResponse, QuestionAnswer):
        for row in db.session.scalars(sa.select(table)):
            assert "Aïcha" not in str([getattr(row, c.key) for c in table.__table__.columns])
    # Their marks and choices stay: the same figures before and after.
    assert (feedback.satisfaction, feedback.would_recommend) == (4, True)
    assert _figures(session, campaign) == before
    # The comment lists no longer show theirs; someone else's words are untouched.
    shown = feedback_results(session)
    assert shown.gained == ["Très utile, Bruno"]
    assert shown.missing == ["Très utile, Bruno (manques)"]
    texts = [row.text for row in results.free_texts(results.Filters(campaign=campaign))]
    assert NAMED not in texts and "Très utile, Bruno" in texts


def test_anonymising_a_person_without_free_text_changes_nobody_else(app):
    coordinator = make_coordinator()
    person = make_user()
    other = make_user()
    session = make_session()
    db.session.add(
        Feedback(session_id=session.id, person_id=other.id, satisfaction=2, gained="Bien")
    )
    db.session.commit()
    anonymise_person(person, actor=coordinator)
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Feedback.gained)) == "Bien"
