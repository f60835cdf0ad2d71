"""Who may reach every route of the attendance room.

Roles: anonymous, a participant (enrolled, attended the closed session), the trainer of the
sessions, another trainer, a centre referent and the coordinator. A new route makes
``test_every_route_has_expectations`` fail until it is added below.
"""

from __future__ import annotations

import pytest

from reseau.attendance import checkin
from reseau.catalogue.models import SessionStatus
from reseau.core.extensions import db
from tests.attendance.helpers import past_session, running_session
from tests.factories import enrol, make_centre, make_coordinator, make_referent, make_trainer

ROLES = ("anonymous", "participant", "trainer", "other_trainer", "referent", "coordinator")
LOGIN = 302
TRAINERS = (LOGIN, 403, 200, 404, 403, 200)  # the session's trainer and the coordinator
TRAINERS_POST = (LOGIN, 403, 303, 404, 403, 303)
ALL_TRAINERS = (LOGIN, 403, 200, 200, 403, 200)
ATTENDEE = (LOGIN, 200, 404, 404, 404, 404)  # the participant's own document or form
COORDINATOR = (LOGIN, 403, 403, 403, 403, 200)
LOGGED_IN = (LOGIN, 200, 200, 200, 200, 200)

EXPECTED = {
    ("GET", "attendance.my_sessions"): ("/mes-sessions", ALL_TRAINERS),
    ("GET", "attendance.session_page"): ("/mes-sessions/{session}", TRAINERS),
    ("GET", "attendance.seance_roster"): ("/mes-sessions/seances/{seance}", TRAINERS),
    ("POST", "attendance.seance_roster"): ("/mes-sessions/seances/{seance}", TRAINERS_POST),
    ("POST", "attendance.set_status"): (
        "/mes-sessions/seances/{seance}/personnes/{participant}",
        TRAINERS_POST,
    ),
    ("POST", "attendance.all_present"): (
        "/mes-sessions/seances/{seance}/tous-presents",
        TRAINERS_POST,
    ),
    ("GET", "attendance.walk_in"): ("/mes-sessions/seances/{seance}/sans-inscription", TRAINERS),
    ("POST", "attendance.walk_in"): (
        "/mes-sessions/seances/{seance}/sans-inscription",
        TRAINERS_POST,
    ),
    ("POST", "attendance.add_guest"): (
        "/mes-sessions/seances/{seance}/invite",
        (LOGIN, 403, 422, 404, 403, 422),
    ),
    ("GET", "attendance.seance_qr"): ("/mes-sessions/seances/{seance}/qr", TRAINERS),
    ("GET", "attendance.check_in"): ("/emargement/{seance}/{token}", LOGGED_IN),
    ("POST", "attendance.check_in"): ("/emargement/{seance}/{token}", (LOGIN,) + (303,) * 5),
    ("GET", "attendance.close_session"): ("/mes-sessions/{session}/cloturer", TRAINERS),
    ("POST", "attendance.close_session"): ("/mes-sessions/{session}/cloturer", TRAINERS_POST),
    ("GET", "attendance.sign_in_sheet"): (
        "/mes-sessions/seances/{seance}/feuille-emargement.pdf",
        TRAINERS,
    ),
    ("GET", "attendance.certificates"): ("/mes-sessions/{closed}/attestations.pdf", COORDINATOR),
    ("GET", "attendance.my_certificate"): ("/mes-formations/{closed}/attestation.pdf", ATTENDEE),
    ("GET", "attendance.feedback"): ("/mes-formations/{closed}/avis", ATTENDEE),
    ("POST", "attendance.feedback"): (
        "/mes-formations/{closed}/avis",
        (LOGIN, 422, 404, 404, 404, 404),
    ),
    ("GET", "attendance.feedback_results"): ("/mes-sessions/{closed}/avis", TRAINERS),
}


def test_every_route_has_expectations(app):
    routes = {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("attendance.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == set(EXPECTED)


@pytest.mark.parametrize("key", list(EXPECTED), ids=lambda key: f"{key[0]} {key[1]}")
def test_access(client, auth, key):
    trainer = make_trainer()
    session, _, people = running_session(trainer=trainer, people=1)
    participant = people[0]
    closed, _, _ = past_session(trainer=trainer, people=0, status=SessionStatus.CLOSED)
    enrol(closed, participant)
    from reseau.attendance.models import Attendance, AttendanceStatus

    db.session.add(
        Attendance(
            seance=closed.seances[0], person_id=participant.id, status=AttendanceStatus.PRESENT
        )
    )
    users = {
        "participant": participant,
        "trainer": trainer,
        "other_trainer": make_trainer(),
        "referent": make_referent(make_centre()),
        "coordinator": make_coordinator(),
    }
    db.session.commit()
    seance_id = session.seances[0].id
    values = {
        "session": session.id,
        "seance": seance_id,
        "participant": participant.id,
        "closed": closed.id,
        "token": checkin.make_token(seance_id),
    }
    method, _ = key
    url, expected = EXPECTED[key]
    url = url.format(**values)
    data = {"person_id": participant.id, f"status-{participant.id}": "present"}
    results = []
    for role in ROLES:
        if role != "anonymous":
            auth.login(users[role])
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        results.append(response.status_code)
        if role != "anonymous":
            auth.logout()
    assert tuple(results) == expected
