"""Accessible places (issue 18): a centre's premises and a session's own address carry their
accessibility; session pages and convocations show it; the catalogue filters "accessible en
fauteuil"."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from reseau.catalogue.models import PlaceAccessibility, PlaceKind
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.operations import send_reminders
from reseau.outbox import OutboxMail
from tests.factories import (
    enrol,
    make_centre,
    make_coordinator,
    make_disability_referent,
    make_referent,
    make_session,
    make_user,
)

STEP_FREE = "Accès de plain-pied, accessible en fauteuil roulant"


def test_the_referent_describes_their_centre_and_the_session_page_shows_it(app, client, auth):
    centre = make_centre(name="Centre social Saint-Jean", address="8 rue Albert Camus")
    other = make_centre()
    referent = make_referent(centre)
    session = make_session(title="Accueillir", host_centre=centre)
    db.session.commit()
    auth.login(referent)
    assert client.get(f"/centres/{other.id}/accessibilite").status_code == 404
    form = client.get(f"/centres/{centre.id}/accessibilite")
    assert form.status_code == 200 and "Boucle magnétique" in form.get_data(as_text=True)
    too_long = client.post(f"/centres/{centre.id}/accessibilite", data={"notes": "x" * 2001})
    assert too_long.status_code == 422
    assert "2 000 caractères au plus." in too_long.get_data(as_text=True)
    answer = client.post(
        f"/centres/{centre.id}/accessibilite",
        data={"step_free": "y", "hearing_loop": "y", "notes": "Arrêt de bus « Saint-Jean » à 50 m"},
    )
    assert answer.status_code == 303
    access = db.session.scalar(
        sa.select(PlaceAccessibility).where(PlaceAccessibility.centre_id == centre.id)
    )
    assert access.step_free and access.hearing_loop and not access.accessible_toilets
    assert access.updated_by_id == referent.id
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "place.accessibility"))
    assert entry.after["step_free"] is True and entry.before["step_free"] is False
    auth.logout()
    html = client.get(f"/catalogue/sessions/{session.id}").get_data(as_text=True)
    assert STEP_FREE in html and "Boucle magnétique" in html
    assert "Toilettes accessibles" not in html and "Arrêt de bus" in html


def test_the_coordinator_describes_a_sessions_own_address(client, auth):
    coordinator = make_coordinator()
    session = make_session(
        title="Journée départementale", place_kind=PlaceKind.ADDRESS, place_name="Salle des fêtes"
    )
    db.session.commit()
    assert "non renseignée" in client.get(f"/catalogue/sessions/{session.id}").get_data(
        as_text=True
    )
    auth.login(coordinator)
    answer = client.post(
        f"/admin/sessions/{session.id}/accessibilite",
        data={"accessible_toilets": "y", "public_transport": "y"},
    )
    assert answer.status_code == 303
    page = client.get(f"/admin/sessions/{session.id}").get_data(as_text=True)
    assert "Toilettes accessibles · Transports en commun à proximité" in page
    auth.logout()
    html = client.get(f"/catalogue/sessions/{session.id}").get_data(as_text=True)
    assert "Toilettes accessibles" in html and "Accès en fauteuil roulant non garanti" in html


def test_the_wheelchair_filter(client):
    ramp, stairs = make_centre(), make_centre()
    db.session.add_all(
        [
            PlaceAccessibility(centre_id=ramp.id, step_free=True),
            PlaceAccessibility(centre_id=stairs.id, step_free=False, hearing_loop=True),
        ]
    )
    make_session(title="Au centre accessible", host_centre=ramp)
    make_session(title="Au centre à étage", host_centre=stairs)
    make_session(title="Centre non renseigné", host_centre=make_centre())
    make_session(
        title="Atelier à distance", place_kind=PlaceKind.VISIO, visio_url="https://v.test/a"
    )
    hall = make_session(title="Salle de plain-pied", place_kind=PlaceKind.ADDRESS, town="Bourges")
    db.session.add(PlaceAccessibility(session_id=hall.id, step_free=True))
    # A session at a centre reads the centre's accessibility, not a row of its own.
    odd = make_session(title="Au centre à étage bis", host_centre=stairs)
    db.session.add(PlaceAccessibility(session_id=odd.id, step_free=True))
    db.session.commit()
    every = client.get("/catalogue").get_data(as_text=True)
    assert "Au centre à étage" in every and "Centre non renseigné" in every
    assert "Atelier à distance" in every and "En visio" in every
    html = client.get("/catalogue?fauteuil=1").get_data(as_text=True)
    for title in ("Au centre accessible", "Salle de plain-pied"):
        assert title in html, title
    # A visio has no place to get into: the filter of places leaves it out, and says so.
    for title in ("Au centre à étage", "Centre non renseigné", "Atelier à distance"):
        assert title not in html, title
    assert "Les sessions en visio n'ont pas de lieu à rejoindre" in html
    assert 'name="fauteuil" value="1" checked' in html
    # An odd value reads as no filter.
    assert "Au centre à étage" in client.get("/catalogue?fauteuil=oui").get_data(as_text=True)


def test_the_convocation_gives_the_places_accessibility_and_the_contact(app):
    centre = make_centre(name="Centre social de Vierzon")
    db.session.add(
        PlaceAccessibility(centre_id=centre.id, step_free=True, public_transport=True, notes="")
    )
    make_disability_referent(first_name="Nadia", last_name="Benali", phone="02 54 00 11 22")
    start = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    session = make_session(title="Trésorerie", host_centre=centre, starts_at=start)
    person = make_user()
    enrol(session, person)
    db.session.commit()
    assert send_reminders() == 1
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.recipient == person.email))
    assert mail.subject.startswith("Convocation")
    body = mail.body_text
    assert "Accessibilité du lieu :" in body
    assert f"- {STEP_FREE}" in body and "- Transports en commun à proximité" in body
    assert "Toilettes" not in body
    assert "Besoin d'un aménagement ? Contactez Nadia Benali, référent·e handicap" in body
    assert "02 54 00 11 22" in body
