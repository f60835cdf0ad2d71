"""Issue 23: offer mode's words, an expired offer told apart from a cancellation, a refusal
that mentions a waiting list only when someone waits, "La session est complète." said once."""

from __future__ import annotations

import html
from datetime import timedelta

from reseau.catalogue.models import PromotionMode
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment import operations
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.calendars.helpers import sent_to, text_of
from tests.factories import make_centre, make_coordinator, make_referent, make_session, make_user


def _waitlisted_mail(person) -> str:
    (mail,) = [m for m in sent_to(person) if "Liste d'attente" in m["Subject"]]
    return text_of(mail)


def test_waitlist_mail_says_how_the_seat_is_given(app):
    offer = make_session(capacity=1, promotion_mode=PromotionMode.OFFER, offer_hours=48)
    automatic = make_session(capacity=1, starts_at=utcnow() + timedelta(days=30))
    holder, other_holder = make_user(), make_user()
    offered_waiter, auto_waiter = make_user(), make_user()
    operations.enrol(holder, offer, actor=holder)
    operations.enrol(other_holder, automatic, actor=other_holder)
    operations.enrol(offered_waiter, offer, actor=offered_waiter)
    operations.enrol(auto_waiter, automatic, actor=auto_waiter)
    db.session.commit()
    text = _waitlisted_mail(offered_waiter)
    assert "est donnée à la première personne" not in text
    assert "proposée à la première personne de la liste, qui a 48 heures" in text
    assert text.count("complète") == 1
    text = _waitlisted_mail(auto_waiter)
    assert "elle est donnée à la première personne de la liste" in text
    assert text.count("complète") == 1


def test_expired_offer_is_not_shown_as_cancelled(client, auth):
    session = make_session(capacity=1, promotion_mode=PromotionMode.OFFER, offer_hours=1)
    holder, late, cancelled = make_user(), make_user(last_name="Tardive"), make_user()
    held = operations.enrol(holder, session, actor=holder)
    operations.enrol(late, session, actor=late)
    gone = operations.enrol(cancelled, session, actor=cancelled)
    operations.cancel(gone, actor=cancelled)
    operations.cancel(held, actor=holder, now=utcnow() - timedelta(hours=2))  # offered to late
    db.session.commit()
    assert operations.expire_offers() == 1
    db.session.commit()
    expired = operations.get_enrolment(session, late)
    assert expired.offer_expired and not gone.offer_expired
    auth.login(make_coordinator())
    page = client.get(f"/admin/sessions/{session.id}/inscrits").text
    cancellations = page.split("Annulations et places non acceptées", 1)[1]
    line = next(li for li in cancellations.split("<li>") if "Tardive" in li)
    assert "Place proposée non acceptée à temps" in line and "Annulée" not in line
    other = next(li for li in cancellations.split("<li>") if cancelled.last_name in li)
    assert "Annulée" in other
    # The person sees it so too.
    auth.logout()
    auth.login(late)
    assert "Place proposée non acceptée à temps" in client.get("/mes-formations").text


def test_refusal_mentions_the_waiting_list_only_when_someone_waits(client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    alone = make_session(requires_validation=True, capacity=5)
    crowded = make_session(requires_validation=True, capacity=1)
    asking = make_user(centre=centre, first_name="Lou", last_name="Demande")
    other = make_user(centre=centre, first_name="Max", last_name="Autre")
    first = Enrolment(session=alone, person=asking, status=EnrolmentStatus.PENDING)
    second = Enrolment(session=crowded, person=other, status=EnrolmentStatus.PENDING)
    db.session.add_all([first, second])
    db.session.add(
        Enrolment(session=crowded, person=make_user(), status=EnrolmentStatus.WAITLISTED)
    )
    db.session.commit()
    auth.login(referent)
    response = client.post(f"/inscriptions/{first.id}/refuser", data={"next": "/"})
    page = html.unescape(client.get(response.headers["Location"]).text)
    assert "Demande de Lou Demande refusée ; la place est libérée." in page
    assert "liste d'attente" not in page.split("Demande de Lou Demande refusée", 1)[1][:80]
    response = client.post(f"/inscriptions/{second.id}/refuser", data={"next": "/"})
    page = html.unescape(client.get(response.headers["Location"]).text)
    assert "Demande de Max Autre refusée ; la place revient à la liste d'attente." in page


def test_full_session_is_said_full_once(client, auth):
    session = make_session(capacity=1)
    holder, person = make_user(), make_user()
    operations.enrol(holder, session, actor=holder)
    db.session.commit()
    auth.login(person)
    response = client.post(f"/catalogue/sessions/{session.id}/inscription")
    page = client.get(response.headers["Location"]).text
    assert page.count("La session est complète") == 1
    assert "Liste d'attente, position 1" in page
    fragment = client.get(f"/catalogue/sessions/{session.id}", headers={"HX-Request": "true"})
    assert fragment.text.count("La session est complète") <= 1
