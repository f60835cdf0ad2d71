"""Self check-in through the QR code's signed link."""

from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa
from itsdangerous.timed import TimestampSigner

from reseau.attendance import checkin
from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.catalogue.models import SessionStatus
from reseau.core.extensions import db
from tests.attendance.helpers import running_session
from tests.factories import make_user


def _record(person_id):
    return db.session.scalar(sa.select(Attendance).where(Attendance.person_id == person_id))


def test_qr_page_shows_a_signed_link(client, auth):
    session, trainer, _ = running_session()
    db.session.commit()
    seance_id = session.seances[0].id
    auth.login(trainer)
    page = client.get(f"/mes-sessions/seances/{seance_id}/qr")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    assert f"/emargement/{seance_id}/" in page.text
    # The page renews its code: htmx gets the code alone, with a fresh link.
    fragment = client.get(f"/mes-sessions/seances/{seance_id}/qr", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="checkin-qr"')
    assert "<html" not in fragment.text
    link = fragment.text.split('class="checkin-link">')[1].split("<")[0]
    assert link.startswith(f"http://localhost/emargement/{seance_id}/")
    checkin.check_token(seance_id, link.rsplit("/", 1)[1])


def test_enrolled_participant_checks_in_during_the_seance(client, auth):
    session, _, people = running_session()
    db.session.commit()
    seance_id, person = session.seances[0].id, people[0]
    url = f"/emargement/{seance_id}/{checkin.make_token(seance_id)}"
    # Anonymous: log in first, then come back.
    response = client.get(url)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    auth.login(person)
    page = client.get(url)
    assert page.status_code == 200 and "Je suis présent·e" in page.text
    assert _record(person.id) is None  # opening the link alone records nothing
    response = client.post(url)
    assert response.status_code == 303
    record = _record(person.id)
    assert record.status == AttendanceStatus.PRESENT and not record.is_walk_in
    assert record.recorded_by_id == person.id
    assert "vous êtes enregistré·e présent·e" in client.get(url).text


def test_someone_not_enrolled_comes_in_as_a_walk_in(client, auth):
    session, _, _ = running_session()
    walker = make_user()
    db.session.commit()
    seance_id = session.seances[0].id
    auth.login(walker)
    response = client.post(f"/emargement/{seance_id}/{checkin.make_token(seance_id)}")
    assert response.status_code == 303
    record = _record(walker.id)
    assert record.is_walk_in and record.enrolment_id is None


def test_outside_the_window_is_refused(client, auth):
    early, _, early_people = running_session(starts_in=timedelta(hours=2))
    late, _, late_people = running_session(starts_in=timedelta(hours=-5))
    closed, _, closed_people = running_session(status=SessionStatus.CLOSED)
    db.session.commit()
    cases = [
        (early, early_people[0], "L'émargement n'est pas encore ouvert"),
        (late, late_people[0], "La séance est terminée"),
        (closed, closed_people[0], "L'émargement de cette séance n'est pas ouvert."),
    ]
    for session, person, message in cases:
        seance_id = session.seances[0].id
        auth.login(person)
        response = client.post(f"/emargement/{seance_id}/{checkin.make_token(seance_id)}")
        assert response.status_code == 409
        assert message in response.text.replace("&#39;", "'")
        assert _record(person.id) is None
        auth.logout()


def test_within_the_margin_before_the_start(client, auth):
    session, _, people = running_session(starts_in=timedelta(minutes=20))
    db.session.commit()
    seance_id = session.seances[0].id
    auth.login(people[0])
    response = client.post(f"/emargement/{seance_id}/{checkin.make_token(seance_id)}")
    assert response.status_code == 303
    assert _record(people[0].id).status == AttendanceStatus.PRESENT


def test_forged_and_expired_links(client, auth, monkeypatch):
    session, _, people = running_session()
    other, _, _ = running_session()
    db.session.commit()
    seance_id = session.seances[0].id
    auth.login(people[0])
    forged = client.get(f"/emargement/{seance_id}/pas-un-vrai-jeton")
    assert forged.status_code == 400
    assert "Ce lien d&#39;émargement n&#39;est pas valable" in forged.text
    # A link of another séance does not open this one.
    other_token = checkin.make_token(other.seances[0].id)
    assert client.post(f"/emargement/{seance_id}/{other_token}").status_code == 400
    # A link signed 25 minutes ago has expired.
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 1500)
    old = checkin.make_token(seance_id)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    for method in (client.get, client.post):
        expired = method(f"/emargement/{seance_id}/{old}")
        assert expired.status_code == 400
        assert "Ce lien d&#39;émargement a expiré" in expired.text
    assert _record(people[0].id) is None
