"""The roster of a séance: one tap (htmx), the whole form, "Tous présents", walk-ins."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.accounts.models import User, UserStatus
from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.core.extensions import db
from tests.attendance.helpers import running_session
from tests.factories import make_centre, make_trainer, make_user


def statuses(seance_id):
    rows = db.session.execute(
        sa.select(Attendance.person_id, Attendance.status).where(Attendance.seance_id == seance_id)
    ).all()
    return {person_id: status for person_id, status in rows}


def test_my_sessions_lists_today_first(client, auth):
    from tests.attendance.helpers import past_session
    from tests.factories import make_session

    session, trainer, people = running_session()
    ended, _, _ = past_session(trainer=trainer, people=0, title="Session passée à clôturer")
    later = make_session(trainers=[trainer], title="Session à venir")
    db.session.commit()
    auth.login(trainer)
    page = client.get("/mes-sessions")
    assert page.status_code == 200
    today, rest = page.text.split('id="today-title"')[1].split('id="upcoming-title"')
    upcoming, past = rest.split('id="past-title"')
    assert session.title in today
    assert later.title in upcoming and later.title not in today + past
    assert ended.title in past and "À clôturer" in past
    roster = client.get(f"/mes-sessions/seances/{session.seances[0].id}")
    assert roster.status_code == 200
    for person in people:
        assert person.sort_name in roster.text
    assert "Les Œillets" in roster.text


def test_tap_saves_one_status_and_answers_the_fragment(client, auth, htmx_headers):
    session, trainer, people = running_session()
    db.session.commit()
    seance_id, person_id = session.seances[0].id, people[0].id
    auth.login(trainer)
    response = client.post(
        f"/mes-sessions/seances/{seance_id}/personnes/{person_id}",
        data={f"status-{person_id}": "late"},
        headers=htmx_headers,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<fieldset id="attendee-{person_id}"')
    assert "<html" not in response.text
    assert "Enregistré : En retard" in response.text
    assert 'value="late" checked' in response.text
    assert statuses(seance_id) == {person_id: AttendanceStatus.LATE}
    record = db.session.scalar(sa.select(Attendance))
    assert record.recorded_by_id == trainer.id and record.enrolment_id is not None
    assert not record.is_walk_in
    # Changing it again updates the same row.
    client.post(
        f"/mes-sessions/seances/{seance_id}/personnes/{person_id}",
        data={"status": "present"},
        headers=htmx_headers,
    )
    db.session.expire_all()
    assert statuses(seance_id) == {person_id: AttendanceStatus.PRESENT}
    # A bad status: French message in the fragment, nothing changed.
    response = client.post(
        f"/mes-sessions/seances/{seance_id}/personnes/{person_id}",
        data={"status": "bof"},
        headers=htmx_headers,
    )
    assert response.status_code == 422 and "Choisissez un statut." in response.text
    # Someone not on the roster: 404.
    stranger = make_user()
    db.session.commit()
    response = client.post(
        f"/mes-sessions/seances/{seance_id}/personnes/{stranger.id}",
        data={"status": "present"},
        headers=htmx_headers,
    )
    assert response.status_code == 404


def test_full_form_saves_the_whole_roster_without_javascript(client, auth):
    session, trainer, people = running_session()
    db.session.commit()
    seance_id = session.seances[0].id
    a, b, c = (p.id for p in people)
    auth.login(trainer)
    response = client.post(
        f"/mes-sessions/seances/{seance_id}",
        data={f"status-{a}": "present", f"status-{b}": "absent", f"status-{c}": "excused"},
    )
    assert response.status_code == 303
    assert statuses(seance_id) == {
        a: AttendanceStatus.PRESENT,
        b: AttendanceStatus.ABSENT,
        c: AttendanceStatus.EXCUSED,
    }
    page = client.get(response.headers["Location"])
    assert "Émargement enregistré (3 changements)." in page.text
    # A tap without htmx (plain form post) answers 303 too.
    response = client.post(
        f"/mes-sessions/seances/{seance_id}/personnes/{b}", data={f"status-{b}": "late"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert statuses(seance_id)[b] == AttendanceStatus.LATE


def test_all_present_marks_only_the_unmarked(client, auth):
    session, trainer, people = running_session()
    db.session.commit()
    seance_id = session.seances[0].id
    auth.login(trainer)
    client.post(f"/mes-sessions/seances/{seance_id}", data={f"status-{people[0].id}": "absent"})
    response = client.post(f"/mes-sessions/seances/{seance_id}/tous-presents")
    assert response.status_code == 303
    assert statuses(seance_id) == {
        people[0].id: AttendanceStatus.ABSENT,
        people[1].id: AttendanceStatus.PRESENT,
        people[2].id: AttendanceStatus.PRESENT,
    }
    assert "2 personnes marquées présentes." in client.get(response.headers["Location"]).text


def test_walk_in_from_the_directory_and_as_a_guest(client, auth):
    session, trainer, people = running_session(people=1)
    centre = make_centre(name="Centre social de Châteauroux")
    walker = make_user(first_name="Zoé", last_name="Dupré-Lœuvre", centre=centre)
    db.session.commit()
    seance_id = session.seances[0].id
    auth.login(trainer)
    page = client.get(f"/mes-sessions/seances/{seance_id}/sans-inscription?q=lœuv")
    assert page.status_code == 200 and "Dupré-Lœuvre Zoé" in page.text
    response = client.post(
        f"/mes-sessions/seances/{seance_id}/sans-inscription", data={"person_id": walker.id}
    )
    assert response.status_code == 303
    record = db.session.scalar(sa.select(Attendance).where(Attendance.person_id == walker.id))
    assert record.is_walk_in and record.enrolment_id is None
    assert record.status == AttendanceStatus.PRESENT
    # A guest: no e-mail, status guest, counted in attendance.
    response = client.post(
        f"/mes-sessions/seances/{seance_id}/invite",
        data={"first_name": "", "last_name": "Mercier", "centre": centre.id, "category": ""},
    )
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in response.text and 'value="Mercier"' in response.text
    response = client.post(
        f"/mes-sessions/seances/{seance_id}/invite",
        data={
            "first_name": "Loïc",
            "last_name": "Mercier",
            "centre": centre.id,
            "category": "elu",
        },
    )
    assert response.status_code == 303
    guest = db.session.scalar(sa.select(User).where(User.last_name == "Mercier"))
    assert guest.status == UserStatus.GUEST and guest.email is None
    assert guest.centre_id == centre.id and guest.category.value == "elu"
    assert statuses(seance_id)[guest.id] == AttendanceStatus.PRESENT
    roster = client.get(f"/mes-sessions/seances/{seance_id}").text
    assert "Mercier Loïc" in roster and "Dupré-Lœuvre Zoé" in roster
    # Walk-ins are on the roster of the session's other séances too, and count in hours.
    from reseau.attendance.queries import hours_attended

    assert hours_attended(session) == {walker.id: 3.0, guest.id: 3.0}


def test_a_trainer_cannot_touch_another_trainers_session(client, auth, htmx_headers):
    session, trainer, people = running_session()
    other = make_trainer()
    db.session.commit()
    seance_id, session_id = session.seances[0].id, session.id
    auth.login(other)
    assert session.title not in client.get("/mes-sessions").text
    for url in (
        f"/mes-sessions/{session_id}",
        f"/mes-sessions/seances/{seance_id}",
        f"/mes-sessions/seances/{seance_id}/qr",
        f"/mes-sessions/seances/{seance_id}/sans-inscription",
        f"/mes-sessions/seances/{seance_id}/feuille-emargement.pdf",
        f"/mes-sessions/{session_id}/avis",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/mes-sessions/seances/{seance_id}/personnes/{people[0].id}",
        f"/mes-sessions/seances/{seance_id}",
        f"/mes-sessions/seances/{seance_id}/tous-presents",
        f"/mes-sessions/{session_id}/cloturer",
    ):
        assert client.post(url, data={"status": "present"}).status_code == 404, url
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0


def test_two_writers_at_once_keep_one_row(app, monkeypatch):
    """The trainer's tap and the person's check-in insert the same row: no error, one row."""
    from reseau.attendance import operations

    session, trainer, people = running_session(people=1)
    seance = session.seances[0]
    db.session.add(
        Attendance(seance=seance, person_id=people[0].id, status=AttendanceStatus.ABSENT)
    )
    db.session.commit()
    real_find = operations._find
    calls = []

    def find_late(seance, person):
        # The first look happens before the other writer's row exists.
        calls.append(1)
        return None if len(calls) == 1 else real_find(seance, person)

    monkeypatch.setattr(operations, "_find", find_late)
    record = operations.set_status(seance, people[0], AttendanceStatus.PRESENT, actor=trainer)
    db.session.commit()
    assert record.status == AttendanceStatus.PRESENT
    assert statuses(seance.id) == {people[0].id: AttendanceStatus.PRESENT}


def test_roster_page_queries_do_not_grow_with_the_roster(client, auth, count_queries):
    small, trainer, _ = running_session(people=2)
    big, _, _ = running_session(trainer=trainer, people=8)
    db.session.commit()
    auth.login(trainer)
    client.get("/")  # the first page after login loads the person once: not per row
    counts = []
    for session in (small, big):
        url = f"/mes-sessions/seances/{session.seances[0].id}"
        with count_queries() as statements:
            assert client.get(url).status_code == 200
            assert client.get(f"/mes-sessions/{session.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def _shown(roster) -> list[tuple]:
    """What the roster page shows of each line."""
    return [
        (
            line.person.id,
            line.person.sort_name,
            line.person.full_name,
            line.person.centre.name if line.person.centre else None,
            line.person.category,
            line.status,
            line.is_walk_in,
        )
        for line in roster.lines
    ]


def test_roster_page_rows_are_the_rosters_lines(app):
    """The page's plain rows (queries.roster_rows) give operations.roster's people, order,
    statuses and walk-ins: enrolled people, marked or not, walk-ins marked at another séance,
    people without a centre; a cancelled enrolment is not on it."""
    from reseau.attendance import operations
    from reseau.attendance.queries import roster_rows
    from reseau.enrolment.models import Enrolment, EnrolmentStatus
    from tests.factories import enrol

    session, _, people = running_session(people=3, seances=2)
    first, second = session.seances
    loner = make_user(first_name="Aïcha", last_name="sans centre", centre=None)
    walker = make_user(first_name="Zoé", last_name="Dupré", centre=make_centre())
    gone = make_user(first_name="Jean", last_name="Parti")
    enrol(session, loner)
    cancelled = enrol(session, gone)
    db.session.flush()
    cancelled.status = EnrolmentStatus.CANCELLED
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.person_id == people[0].id))
    db.session.add_all(
        [
            Attendance(
                seance=first,
                person_id=people[0].id,
                enrolment_id=enrolment.id,
                status=AttendanceStatus.LATE,
            ),
            Attendance(seance=second, person_id=people[1].id, status=AttendanceStatus.ABSENT),
            Attendance(
                seance=second, person_id=walker.id, status=AttendanceStatus.PRESENT, is_walk_in=True
            ),
        ]
    )
    db.session.commit()
    for seance in (first, second):
        expected = operations.roster(seance)
        found = roster_rows(seance)
        assert _shown(found) == _shown(expected)
        assert found.counts() == expected.counts()
    assert gone.id not in {line.person.id for line in roster_rows(first).lines}
    assert walker.id in {line.person.id for line in roster_rows(first).lines}
