"""The data generator: exact counts, valid rows, landmarks, reproducibility, the CLI."""

from __future__ import annotations

import hashlib
import random
from datetime import date

import pytest
import sqlalchemy as sa

from devdata.cli import generate_command
from devdata.days import is_working_day
from devdata.generate import (
    GENERATED_PASSWORD,
    LANDMARK_EMAILS,
    SCALES,
    GenerationError,
    generate,
    landmarks,
    sessions,
)
from devdata.generate.build import Build
from reseau.accounts.models import Centre, Department, Role, User, UserRole
from reseau.attendance.models import Attendance, Feedback
from reseau.catalogue.models import Seance, SessionStatus, TrainingSession, session_trainer
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.diagnostic.models import DiagnosticCampaign, DiagnosticResponse
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.databases import empty_all_tables

TINY = SCALES["tiny"]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def digest() -> str:
    """A fingerprint of the generated rows that matter (ids included)."""
    h = hashlib.sha256()
    for table, order in [
        (User.__table__, "id"),
        (TrainingSession.__table__, "id"),
        (Seance.__table__, "id"),
        (Enrolment.__table__, "id"),
        (Attendance.__table__, "id"),
        (Feedback.__table__, "id"),
        (DiagnosticResponse.__table__, "id"),
    ]:
        # Password hashes are salted at random: everything else must be identical.
        columns = [c for c in table.c if c.name != "password_hash"]
        for row in db.session.execute(sa.select(*columns).order_by(table.c[order])):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_tiny_scale_counts_and_constraints(app):
    steps = []
    counts = generate(TINY, seed=7, progress=lambda label, done, total: steps.append(label))
    assert steps and "inscriptions" in steps
    expected = {
        Department: TINY.departments,
        Centre: TINY.centres,
        User: TINY.people,
        TrainingSession: TINY.sessions,
        Seance: TINY.seances,
        Enrolment: TINY.enrolments,
        Attendance: TINY.attendance_marks,
        DiagnosticCampaign: TINY.campaigns,
        DiagnosticResponse: TINY.responses,
        Feedback: TINY.feedback,
    }
    for model, wanted in expected.items():
        assert count(model) == wanted, model
        assert counts[model.__tablename__] == wanted
    # Every person is a participant; marks are for confirmed enrolments of the same session.
    assert (
        count(UserRole.__table__.select().where(UserRole.role == Role.PARTICIPANT).subquery())
        == TINY.people
    )
    wrong = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Attendance)
        .join(Seance, Seance.id == Attendance.seance_id)
        .join(Enrolment, Enrolment.id == Attendance.enrolment_id)
        .where(
            sa.or_(
                Enrolment.session_id != Seance.session_id,
                Enrolment.person_id != Attendance.person_id,
                Enrolment.status != EnrolmentStatus.CONFIRMED,
            )
        )
    )
    assert wrong == 0
    # Seats held never exceed capacity; sessions' dates match their séances.
    for session in db.session.scalars(sa.select(TrainingSession)):
        held = db.session.scalar(
            sa.select(sa.func.count()).where(
                Enrolment.session_id == session.id,
                Enrolment.status.in_([EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING]),
            )
        )
        assert held <= session.capacity
        assert session.starts_at == min(s.starts_at for s in session.seances)
        assert session.ends_at == max(s.ends_at for s in session.seances)
    statuses = set(db.session.scalars(sa.select(TrainingSession.status)))
    assert {SessionStatus.PUBLISHED, SessionStatus.CLOSED} <= statuses


def test_landmarks_are_consistent(app):
    generate(TINY, seed=1)
    marks = landmarks()
    assert None not in marks.values()
    users = {key: db.session.get(User, marks[key]) for key in LANDMARK_EMAILS}
    for key, email in LANDMARK_EMAILS.items():
        assert users[key].email == email
        assert users[key].check_password(GENERATED_PASSWORD)
    assert users["coordinator"].is_coordinator
    assert users["trainer"].is_trainer
    assert users["referent"].is_referent
    assert users["referent"].centre_id == marks["referent_centre"]
    # The roster séance is today's, in a session of the trainer, nearly full.
    seance = db.session.get(Seance, marks["roster_seance"])
    assert to_local(seance.starts_at).date() == to_local(utcnow()).date()
    assert users["trainer"] in seance.session.trainers
    confirmed = db.session.scalar(
        sa.select(sa.func.count()).where(
            Enrolment.session_id == seance.session_id,
            Enrolment.status == EnrolmentStatus.CONFIRMED,
        )
    )
    assert confirmed == seance.session.capacity
    # The public session: published, upcoming, with seats left and séances.
    session = db.session.get(TrainingSession, marks["session"])
    assert session.status == SessionStatus.PUBLISHED and session.starts_at > utcnow()
    assert session.seances and session.theme_id == marks["theme"]
    # The participant: past sessions with attendance, upcoming ones.
    participant = marks["participant"]
    mine = db.session.scalars(
        sa.select(TrainingSession)
        .join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .where(Enrolment.person_id == participant)
    ).all()
    assert sum(s.ends_at < utcnow() for s in mine) >= 2
    assert sum(s.starts_at > utcnow() for s in mine) >= 2
    assert count(sa.select(Attendance).where(Attendance.person_id == participant).subquery()) >= 3
    # The referent's centre has people and enrolments; the campaign has responses.
    centre_people = sa.select(User.id).where(User.centre_id == marks["referent_centre"])
    assert count(sa.select(Enrolment).where(Enrolment.person_id.in_(centre_people)).subquery())
    assert count(
        sa.select(DiagnosticResponse)
        .where(DiagnosticResponse.campaign_id == marks["campaign"])
        .subquery()
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(session_trainer)
            .where(session_trainer.c.user_id == marks["trainer"])
        )
        >= 4
    )


def test_same_seed_same_data_and_ids_stay_usable(app):
    generate(TINY, seed=3)
    first = digest()
    db.session.remove()
    empty_all_tables(db)
    generate(TINY, seed=3)
    assert digest() == first
    # The id sequences were moved past the generated rows: the app can still insert.
    department = Department(code="99", name="Département ajouté")
    db.session.add(department)
    db.session.commit()
    assert department.id == TINY.departments + 1


def test_a_database_with_data_is_refused(app, runner):
    generate(TINY)
    try:
        generate(TINY)
    except GenerationError as error:
        assert "vide" in str(error)
    else:
        raise AssertionError("a second generation must be refused")
    result = runner.invoke(generate_command, ["--scale", "tiny"])
    assert result.exit_code == 1
    assert "pas vide" in result.output


def test_cli_generates_and_reports(app, runner):
    result = runner.invoke(generate_command, ["--scale", "tiny", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "Terminé en" in result.output
    assert count(User) == TINY.people


def test_times_multiplies_every_figure():
    assert TINY.times(10).people == 600 and TINY.times(10).attendance_marks == 2000


def test_sessions_are_planned_on_working_days():
    """Weekends, public holidays and the Christmas break are skipped (devdata.days), except
    by the landmark trainer's session of today, whatever day today is."""
    today = date(2026, 12, 10)
    build = Build(SCALES["regional"], random.Random(1), today, lambda *args: None)
    build.departments, build.centre_dept = [("36", "Indre", "Châteauroux")], [0]
    build.trainers, build.everyone = [2, 5], list(range(10, 100))
    sessions.plan_sessions(build)
    special = {plan.special: plan for plan in build.plans if plan.special}
    assert special["landmark"].day == date(2027, 1, 4)  # today + 15 is Christmas Day
    days = {to_local(start).date() for plan in build.plans for _, start, _ in plan.seances}
    assert len(days) > 200
    assert [day for day in sorted(days) if not is_working_day(day) and day != today] == []


def test_rows_name_only_columns_of_their_model(app):
    build = Build(TINY, random.Random(1), utcnow().date(), lambda *args: None)
    with pytest.raises(GenerationError, match="department has no column region"):
        build.insert("départements", Department, [{"id": 1, "code": "18", "region": "x"}], 1)
    build.insert("départements", Department, [{"id": 1, "code": "18", "name": "Cher"}], 1)
    assert count(Department) == 1 and build.counts == {"department": 1}
