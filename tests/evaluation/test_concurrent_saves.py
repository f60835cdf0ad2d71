"""A trainer's evaluation and a centre's review saved twice at the same moment (two tabs, a
double click, two referents of one centre): one row, updated, never an IntegrityError (500).
The operations create or lock the row (core.database.add_or_lock); on SQLite the write lock
taken at BEGIN serialises them already; the tests run on both."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.accounts.models import Centre, User
from reseau.catalogue.models import TrainingSession
from reseau.core.extensions import db
from reseau.evaluation import operations
from reseau.evaluation.models import CentreReview, ObjectivesReached, TrainerEvaluation
from tests.concurrency import at_once
from tests.factories import make_centre, make_referent, make_session, make_trainer


def test_one_trainer_evaluation_when_saved_twice_at_once(app):
    trainer = make_trainer()
    session = make_session(trainers=[trainer])
    db.session.commit()
    session_id, trainer_id = session.id, trainer.id

    def save(objectives: str, notes: str):
        def work():
            operations.save_trainer_evaluation(
                db.session.get(TrainingSession, session_id),
                db.session.get(User, trainer_id),
                {"objectives": objectives, "group_notes": notes},
            )

        return work

    assert at_once(app, save("yes", "Premier onglet"), save("partly", "Second onglet")) == []
    rows = db.session.scalars(
        sa.select(TrainerEvaluation).where(TrainerEvaluation.session_id == session_id)
    ).all()
    assert len(rows) == 1
    assert (rows[0].objectives, rows[0].group_notes) in {
        (ObjectivesReached.YES, "Premier onglet"),
        (ObjectivesReached.PARTLY, "Second onglet"),
    }


def test_one_centre_review_when_two_referents_answer_at_once(app):
    centre = make_centre()
    first, second = make_referent(centre), make_referent(centre)
    db.session.commit()
    centre_id = centre.id

    def answer(referent_id: int, brought: str):
        def work():
            operations.save_centre_review(
                db.session.get(Centre, centre_id),
                2025,
                db.session.get(User, referent_id),
                {"brought": brought},
            )

        return work

    assert at_once(app, answer(first.id, "Des liens"), answer(second.id, "Du savoir-faire")) == []
    rows = db.session.scalars(sa.select(CentreReview).where(CentreReview.centre_id == centre_id))
    rows = rows.all()
    assert len(rows) == 1
    assert (rows[0].answered_by_id, rows[0].brought) in {
        (first.id, "Des liens"),
        (second.id, "Du savoir-faire"),
    }
