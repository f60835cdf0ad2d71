"""The demo: the trainer has a séance today and sessions to close; the volunteer has a
certificate and a feedback form waiting."""

from __future__ import annotations

from devdata.demo import load_demo
from reseau.core.extensions import db

TRAINER = "formatrice@demo.reseau.test"
VOLUNTEER = "benevole@demo.reseau.test"


def test_demo_journey(app, client, auth):
    load_demo()
    db.session.commit()
    auth.login(TRAINER, "demo")
    page = client.get("/mes-sessions")
    assert page.status_code == 200
    today = page.text.split('id="today-title"')[1].split('id="upcoming-title"')[0]
    assert "/mes-sessions/seances/" in today
    roster_url = next(
        part.split('"', 1)[0]
        for part in today.split('href="')[1:]
        if part.startswith("/mes-sessions/seances/")
    )
    assert client.get(roster_url).status_code == 200
    auth.logout()
    auth.login(VOLUNTEER, "demo")
    page = client.get("/mes-formations")
    assert "Votre avis est attendu" in page.text
    certificate = page.text.split("/attestation.pdf")[0].rsplit('href="', 1)[1]
    response = client.get(certificate + "/attestation.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
