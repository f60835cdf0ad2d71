"""Issue 23: what each person finds on their home page, and the greeting said once."""

from __future__ import annotations

from datetime import timedelta

from reseau.catalogue.models import PromotionMode, SessionStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.diagnostic.models import DiagnosticResponse
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.attendance.helpers import past_session
from tests.diagnostic.fixtures import make_campaign
from tests.factories import PASSWORD, make_centre, make_referent, make_session, make_user


def _section(html: str, marker: str = 'id="todo"') -> str:
    assert marker in html, html
    return html.split(marker, 1)[1].split("</section>", 1)[0]


def test_greeting_is_said_once_on_the_home_page(client, auth):
    person = make_user(first_name="Amélie")
    db.session.commit()
    response = auth.login(person)
    assert response.headers["Location"] == "/"
    page = client.get("/").text
    assert page.count("Bonjour Amélie") == 1
    assert "<h1>Bonjour Amélie</h1>" in page
    # Elsewhere (a page asked before logging in) the greeting is a message.
    auth.logout()
    response = client.post(
        "/connexion?next=/mes-formations", data={"email": person.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/mes-formations"
    assert "Bonjour Amélie !" in client.get("/mes-formations").text


def test_nothing_to_do_shows_no_todo_section(client, auth):
    person = make_user()
    db.session.commit()
    auth.login(person)
    assert 'id="todo"' not in client.get("/").text


def test_volunteer_home_shows_offer_diagnostic_feedback_and_certificate(client, auth):
    person = make_user(first_name="Nadia")
    make_campaign(title="Diagnostic régional 2026")
    answered = make_campaign(title="Diagnostic déjà envoyé")
    db.session.add(
        DiagnosticResponse(
            campaign_id=answered.id,
            person_id=person.id,
            started_at=utcnow(),
            submitted_at=utcnow(),
        )
    )
    offered = make_session(
        title="Fonction employeur", promotion_mode=PromotionMode.OFFER, capacity=1
    )
    offer = Enrolment(
        session=offered,
        person=person,
        status=EnrolmentStatus.OFFERED,
        offer_expires_at=utcnow() + timedelta(hours=40),
    )
    db.session.add(offer)
    closed, _, people = past_session(people=1, title="Fondamentaux du centre social")
    closed.status, closed.closed_at = SessionStatus.CLOSED, utcnow()
    closed_person = people[0]
    db.session.commit()

    auth.login(closed_person)
    todo = _section(client.get("/").text)
    assert "Votre avis est attendu" in todo and f"/mes-formations/{closed.id}/avis" in todo
    assert "Attestation disponible" in todo and "Fondamentaux du centre social" in todo
    assert f"/mes-formations/{closed.id}/attestation.pdf" in todo
    assert "Diagnostic régional 2026" in todo
    auth.logout()

    auth.login(person)
    todo = _section(client.get("/").text)
    assert "Une place vous est proposée" in todo and "Fonction employeur" in todo
    assert f'action="/inscriptions/{offer.id}/accepter"' in todo
    assert "Répondre au questionnaire" in todo and "Diagnostic régional 2026" in todo
    assert "Diagnostic déjà envoyé" not in todo
    assert "Votre avis est attendu" not in todo and "Attestation disponible" not in todo
    # Accepting from the home page confirms the seat and comes back home.
    response = client.post(f"/inscriptions/{offer.id}/accepter", data={"next": "/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(Enrolment, offer.id).status == EnrolmentStatus.CONFIRMED
    assert "Une place vous est proposée" not in client.get("/").text


def test_feedback_given_leaves_only_the_certificate(client, auth):
    from reseau.attendance.models import Feedback

    closed, _, people = past_session(people=1)
    closed.status, closed.closed_at = SessionStatus.CLOSED, utcnow()
    db.session.add(Feedback(session_id=closed.id, person_id=people[0].id, satisfaction=5))
    db.session.commit()
    auth.login(people[0])
    todo = _section(client.get("/").text)
    assert "Votre avis est attendu" not in todo
    assert "Attestation disponible" in todo


def test_referent_home_counts_enrolment_requests(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    session = make_session(requires_validation=True)
    for _ in range(2):
        db.session.add(
            Enrolment(
                session=session, person=make_user(centre=centre), status=EnrolmentStatus.PENDING
            )
        )
    # Another centre's request and a past session's do not count.
    db.session.add(
        Enrolment(
            session=session, person=make_user(centre=make_centre()), status=EnrolmentStatus.PENDING
        )
    )
    past = make_session(starts_at=utcnow() - timedelta(days=3))
    db.session.add(
        Enrolment(session=past, person=make_user(centre=centre), status=EnrolmentStatus.PENDING)
    )
    db.session.commit()
    auth.login(referent)
    card = _section(client.get("/").text, 'id="referent-enrolment-requests"').split("</article>")[0]
    assert '<span class="stat">2</span>' in card
    assert "demandes d'inscription à valider" in card
    assert 'href="/centre/inscriptions"' in card


def test_old_certificates_stay_in_mes_formations(client, auth):
    old, _, people = past_session(people=1, title="Session de 2011")
    old.status, old.closed_at = SessionStatus.CLOSED, utcnow() - timedelta(days=400)
    db.session.commit()
    auth.login(people[0])
    page = client.get("/").text
    assert "Session de 2011" not in page
    assert 'id="todo"' not in page
    assert "Session de 2011" in client.get("/mes-formations").text
