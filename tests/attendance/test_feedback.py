"""Feedback after a closed session: once per person, anonymous results."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.attendance.models import Feedback
from reseau.catalogue.models import SessionStatus
from reseau.core.extensions import db
from tests.attendance.helpers import past_session
from tests.factories import make_coordinator, make_trainer, make_user

ANSWER = {
    "satisfaction": "4",
    "gained": "Des outils pour l’accueil des bénévoles",
    "missing": "Plus de temps d’échange",
    "would_recommend": "oui",
}


def test_feedback_once(client, auth):
    session, trainer, people = past_session(people=2, status=SessionStatus.CLOSED)
    db.session.commit()
    url = f"/mes-formations/{session.id}/avis"
    auth.login(people[0])
    page = client.get(url)
    assert page.status_code == 200 and "Ce que cela vous a apporté" in page.text
    # Missing answers: French messages, typed text kept.
    response = client.post(url, data={"gained": "Beaucoup"})
    assert response.status_code == 422
    assert "Choisissez une note de 1 à 5." in response.text and "Beaucoup" in response.text
    response = client.post(url, data=ANSWER)
    assert response.status_code == 303
    feedback = db.session.scalar(sa.select(Feedback))
    assert feedback.satisfaction == 4 and feedback.would_recommend is True
    assert feedback.person_id == people[0].id
    # A second attempt: a French message, nothing added.
    response = client.post(url, data=dict(ANSWER, satisfaction="1"))
    assert response.status_code == 409
    assert "Vous avez déjà donné votre avis sur cette session" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Feedback.id))) == 1
    assert "Avis donné, merci." in client.get("/mes-formations").text


def test_feedback_only_for_attendees_of_closed_sessions(client, auth):
    open_session, _, open_people = past_session(people=1)
    closed, _, _ = past_session(people=1, status=SessionStatus.CLOSED)
    stranger = make_user()
    db.session.commit()
    auth.login(open_people[0])
    assert client.get(f"/mes-formations/{open_session.id}/avis").status_code == 404
    auth.logout()
    auth.login(stranger)
    assert client.post(f"/mes-formations/{closed.id}/avis", data=ANSWER).status_code == 404


def test_results_are_anonymous(client, auth):
    session, trainer, people = past_session(people=3, status=SessionStatus.CLOSED)
    for person, score, recommend in zip(people, (5, 4, 4), (True, True, False), strict=True):
        db.session.add(
            Feedback(
                session_id=session.id,
                person_id=person.id,
                satisfaction=score,
                gained=f"Apport de {score}",
                missing="",
                would_recommend=recommend,
            )
        )
    coordinator = make_coordinator()
    other = make_trainer()
    db.session.commit()
    url = f"/mes-sessions/{session.id}/avis"
    for viewer in (trainer, coordinator):
        auth.login(viewer)
        page = client.get(url)
        assert page.status_code == 200
        assert "4,3 / 5" in page.text and "3 réponses sur 3" in page.text
        assert "Apport de 5" in page.text and "2 oui, 1 non" in page.text
        for person in people:
            assert person.last_name not in page.text
        auth.logout()
    auth.login(other)
    assert client.get(url).status_code == 404


def test_feedback_is_asked_right_after_the_session_only(client, auth):
    from datetime import timedelta

    from reseau.core.database import utcnow

    session, _, people = past_session(people=1, status=SessionStatus.CLOSED)
    session.closed_at = utcnow() - timedelta(days=200)
    db.session.commit()
    auth.login(people[0])
    page = client.get("/mes-formations")
    assert f"/mes-formations/{session.id}/attestation.pdf" in page.text
    assert "Votre avis est attendu" not in page.text
    response = client.post(f"/mes-formations/{session.id}/avis", data=ANSWER)
    assert response.status_code == 409
    assert "La période pour donner son avis sur cette session est terminée." in response.text
    assert db.session.scalar(sa.select(sa.func.count(Feedback.id))) == 0
