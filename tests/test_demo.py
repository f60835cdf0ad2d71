"""The demo data: idempotent, reproducible, and faithful to the seeds' 2011 figures."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from devdata.cli import demo_command
from devdata.demo import DEMO_ACCOUNTS, build_plan, load_demo
from reseau.accounts.models import Category, Centre, Department, Role, User, UserStatus
from reseau.attendance.models import Attendance, AttendanceStatus, Feedback
from reseau.catalogue.models import Seance, SessionKind, SessionStatus, TrainingSession
from reseau.core.extensions import db
from reseau.core.i18n import from_local, to_local
from reseau.enrolment.models import Enrolment, EnrolmentStatus

TODAY = date(2026, 3, 18)  # a Wednesday; the loader's "today" is a parameter

EVENTS_2011 = {
    # date: (kind, centres, {category: participants})
    date(2011, 3, 24): (
        SessionKind.RENCONTRE_REGIONALE,
        27,
        {Category.SALARIE: 28, Category.BENEVOLE: 12, Category.ELU: 1, Category.PARTENAIRE: 7},
    ),
    date(2011, 6, 20): (
        SessionKind.JOURNEE_DEPARTEMENTALE,
        10,
        {Category.BENEVOLE: 29, Category.SALARIE: 22},
    ),
    date(2011, 11, 22): (SessionKind.RENCONTRE_REGIONALE, 21, None),
    date(2011, 6, 9): (SessionKind.RENCONTRE_REGIONALE, 19, None),
    date(2011, 4, 14): (SessionKind.JOURNEE_DEPARTEMENTALE, 25, None),
}


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def session_on(day: date) -> TrainingSession:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return db.session.scalars(
        sa.select(TrainingSession).where(
            TrainingSession.starts_at >= start, TrainingSession.starts_at < start + timedelta(1)
        )
    ).one()


def confirmed(session: TrainingSession):
    return (
        sa.select(User)
        .join(Enrolment, Enrolment.person_id == User.id)
        .where(Enrolment.session_id == session.id, Enrolment.status == EnrolmentStatus.CONFIRMED)
    )


def test_second_run_changes_nothing(app):
    first = load_demo(today=TODAY)
    assert first["centres"] >= 35 and first["people"] >= 300 and first["sessions"] >= 20
    before = row_counts()
    assert before["department"] == 6
    second = load_demo(today=TODAY)
    assert set(second.values()) == {0}
    assert row_counts() == before
    # Another day: sessions are keyed by title, not by date, so still nothing new.
    assert set(load_demo(today=TODAY + timedelta(days=3)).values()) == {0}
    assert row_counts() == before


def test_plan_is_reproducible():
    one, two = build_plan(TODAY), build_plan(TODAY)
    assert [p.email for p in one.people] == [p.email for p in two.people]
    assert [(s.title, s.enrolments) for s in one.sessions] == [
        (s.title, s.enrolments) for s in two.sessions
    ]


def test_plan_does_not_depend_on_the_hash_seed():
    """Sets of strings iterate in another order in every process: the plan must not care."""
    script = (
        "from datetime import date; from devdata.demo import build_plan; "
        "plan = build_plan(date(2026, 3, 18)); "
        "print([(s.title, [e for e, _ in s.enrolments]) for s in plan.sessions])"
    )
    # This process has a random hash seed; the other one a fixed one.
    other = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONHASHSEED": "1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    plan = build_plan(TODAY)
    assert other == f"{[(s.title, [e for e, _ in s.enrolments]) for s in plan.sessions]}\n"


def test_demo_accounts_log_in_with_their_roles(app, client, auth):
    load_demo(today=TODAY)
    expected = {
        "coordination@demo.reseau.test": Role.COORDINATOR,
        "referent@demo.reseau.test": Role.REFERENT,
        "formatrice@demo.reseau.test": Role.TRAINER,
        "benevole@demo.reseau.test": Role.PARTICIPANT,
        "handicap@demo.reseau.test": Role.DISABILITY,
    }
    assert [account[0] for account in DEMO_ACCOUNTS] == list(expected)
    for email, role in expected.items():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        assert role in user.roles
        assert user.status == UserStatus.ACTIVE
        response = auth.login(email, "demo")
        assert response.status_code == 303, email
        assert f"Bonjour {user.first_name}" in client.get("/").text
        auth.logout()
    referent = db.session.scalars(
        sa.select(User).where(User.email == "referent@demo.reseau.test")
    ).one()
    volunteer = db.session.scalars(
        sa.select(User).where(User.email == "benevole@demo.reseau.test")
    ).one()
    assert referent.centre.name == "Centre social du Blanc"
    assert referent.centre.address == "1, rue Jean Giraudoux"
    assert volunteer.centre_id == referent.centre_id
    assert volunteer.category == Category.BENEVOLE
    # Every other generated person has no password: only the demo accounts log in.
    with_password = db.session.scalars(
        sa.select(User.email).where(
            User.password_hash.is_not(None), User.status == UserStatus.ACTIVE
        )
    ).all()
    assert sorted(with_password) == sorted(expected)
    assert auth.login("benevole@demo.reseau.test", "pas-le-bon").status_code == 422


def test_pending_registrations_wait_for_the_referent_of_le_blanc(app, auth):
    load_demo(today=TODAY)
    blanc = db.session.scalars(sa.select(Centre).where(Centre.town == "Le Blanc")).one()
    pending = db.session.scalars(sa.select(User).where(User.status == UserStatus.PENDING)).all()
    assert len(pending) == 3
    assert {user.centre_id for user in pending} == {blanc.id}
    response = auth.login(pending[0].email, "demo")
    assert response.status_code == 422
    assert "attend la validation" in response.text


def test_2011_events_reproduce_the_seeds_figures(app):
    load_demo(today=TODAY)
    for day, (kind, centres, by_category) in EVENTS_2011.items():
        session = session_on(day)
        assert (session.kind, session.status) == (kind, SessionStatus.CLOSED), day
        people = confirmed(session).subquery()
        assert (
            db.session.scalar(sa.select(sa.func.count(sa.distinct(people.c.centre_id)))) == centres
        ), day
        if by_category:
            rows = db.session.execute(
                sa.select(people.c.category, sa.func.count(sa.distinct(people.c.id))).group_by(
                    people.c.category
                )
            ).all()
            assert dict(rows) == by_category, day
        # Everyone counted was there, at every séance.
        enrolled = db.session.scalar(sa.select(sa.func.count()).select_from(people))
        present = db.session.execute(
            sa.select(Attendance.seance_id, sa.func.count(Attendance.person_id))
            .join(Seance, Seance.id == Attendance.seance_id)
            .where(Seance.session_id == session.id, Attendance.status == AttendanceStatus.PRESENT)
            .group_by(Attendance.seance_id)
        ).all()
        assert [count for _, count in present] == [enrolled] * len(session.seances), day
        # Séances are Europe/Paris wall-clock times stored in UTC.
        first = to_local(session.seances[0].starts_at)
        assert first.strftime("%d/%m/%Y %H:%M") == f"{day:%d/%m/%Y} 09:30"


def test_2011_network_figures(app):
    load_demo(today=TODAY)
    members_end_2011 = db.session.scalar(
        sa.select(sa.func.count(Centre.id)).where(Centre.member_since <= date(2011, 12, 31))
    )
    assert members_end_2011 == 27  # "27 adhérents fin 2011"
    regional = [
        session_on(day) for day in (date(2011, 3, 24), date(2011, 6, 9), date(2011, 11, 22))
    ]
    reached = set()
    for session in regional:
        reached |= {user.centre_id for user in db.session.scalars(confirmed(session))}
    reached.discard(None)
    assert len(reached) == 30  # "30 centres sociaux qui ont participé aux rencontres"
    # 22 November was open to members only.
    november = db.session.scalars(confirmed(regional[2])).all()
    assert all(user.centre.is_member for user in november if user.centre)
    # The 20 June day: every centre of the Cher and of the Indre.
    june = {user.centre_id for user in db.session.scalars(confirmed(session_on(date(2011, 6, 20))))}
    cher_indre = db.session.scalars(
        sa.select(Centre.id).join(Department).where(Department.code.in_(["18", "36"]))
    ).all()
    assert june == set(cher_indre)


def test_catalogue_around_today(app):
    load_demo(today=TODAY)
    trainer = db.session.scalars(
        sa.select(User).where(User.email == "formatrice@demo.reseau.test")
    ).one()
    volunteer = db.session.scalars(
        sa.select(User).where(User.email == "benevole@demo.reseau.test")
    ).one()
    sessions = db.session.scalars(sa.select(TrainingSession)).all()
    mine = [s for s in sessions if trainer in s.trainers]
    assert len(mine) >= 5
    # A séance today, a closed past session the demo volunteer attended, upcoming sessions.
    assert any(to_local(seance.starts_at).date() == TODAY for s in mine for seance in s.seances)
    closed = [
        s for s in mine if s.status == SessionStatus.CLOSED and to_local(s.starts_at).year == 2026
    ]
    assert len(closed) == 1
    attended = db.session.scalars(
        sa.select(Attendance.status)
        .join(Seance, Seance.id == Attendance.seance_id)
        .where(Seance.session_id == closed[0].id, Attendance.person_id == volunteer.id)
    ).all()
    assert attended and set(attended) == {AttendanceStatus.PRESENT}
    assert not db.session.scalar(
        sa.select(Feedback.id).where(
            Feedback.session_id == closed[0].id, Feedback.person_id == volunteer.id
        )
    )
    end_of_today = from_local(datetime.combine(TODAY, time(23, 59)))
    upcoming = [
        s for s in sessions if s.starts_at > end_of_today and s.status == SessionStatus.PUBLISHED
    ]
    assert len(upcoming) >= 8
    themes = {s.theme.slug for s in upcoming if s.theme}
    assert {"fondamentaux", "fonction-employeur", "strategie-partenaires"} <= themes
    # Nobody is enrolled in an upcoming session yet (the enrolment rules add those).
    assert not db.session.scalar(
        sa.select(sa.func.count(Enrolment.id))
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .where(TrainingSession.starts_at > end_of_today)
    )
    # The sessions' dates follow their séances.
    for session in sessions:
        assert session.starts_at == session.seances[0].starts_at
        assert session.ends_at == session.seances[-1].ends_at


def test_cli_command_prints_the_accounts(app, runner):
    result = runner.invoke(demo_command)
    assert result.exit_code == 0, result.output
    for email, *_ in DEMO_ACCOUNTS:
        assert email in result.output
    assert "mot de passe « demo »" in result.output
    counts = row_counts()
    assert counts["user"] > 300
    again = runner.invoke(demo_command)
    assert again.exit_code == 0
    assert "rien à ajouter" in again.output
    assert "coordination@demo.reseau.test" in again.output
    assert row_counts() == counts
