"""The bilan's summary rows: what the operations keep equals what ``rebuild`` recomputes from
the enrolments and marks, after random sequences of enrolments, cancellations, decisions,
waiting-list moves, marks, séance and session changes (its kind alone too) and people
moving; and the bilan of a year read from them gives the figures the raw rows give."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from reseau.accounts.models import Category, User
from reseau.accounts.operations import update_person
from reseau.attendance import operations as attendance
from reseau.attendance import queries as attendance_queries
from reseau.attendance import rollups
from reseau.attendance.models import AttendanceStatus, BilanSessionCategory
from reseau.catalogue import operations as catalogue
from reseau.catalogue.models import PromotionMode, SeanceStatus, SessionKind, SessionStatus
from reseau.core.extensions import db
from reseau.core.periods import Period
from reseau.enrolment import operations as enrolment
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.reports import queries
from reseau.reports.exports import _centre_table
from tests.factories import make_centre, make_coordinator, make_department, make_session, make_user

CATEGORIES = [Category.BENEVOLE, Category.SALARIE, Category.ELU]
SUBS = ["", "élu municipal", "agent CAF"]
ERRORS = (enrolment.EnrolmentError, attendance.AttendanceError, catalogue.CatalogueError)
# Two years, so that first-timers and the year of a moved séance count.
STARTS = [datetime(2025, 11, 3, 8, tzinfo=UTC), datetime(2026, 3, 2, 8, tzinfo=UTC)]


def _world(rng):
    departments = [make_department() for _ in range(2)]
    centres = [make_centre(department=rng.choice(departments)) for _ in range(3)]
    people = [
        make_user(
            centre=rng.choice([*centres, None]),
            category=rng.choice(CATEGORIES),
            sub_category=rng.choice(SUBS),
        )
        for _ in range(9)
    ]
    sessions = [
        make_session(
            starts_at=rng.choice(STARTS) + timedelta(days=7 * n),
            seances=2,
            capacity=rng.randint(2, 4),
            kind=rng.choice(list(SessionKind)),
            requires_validation=rng.random() < 0.3,
        )
        for n in range(4)
    ]
    db.session.flush()
    return centres, people, sessions


def _before(session):
    return session.starts_at - timedelta(days=5)


def _enrolments(session, *statuses):
    return db.session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.session_id == session.id, Enrolment.status.in_(statuses))
        .order_by(Enrolment.id)
    ).all()


def _enrolment_step(rng, people, session, actor):
    roll = rng.random()
    if roll < 0.5:
        enrolment.enrol(
            rng.choice(people), session, actor=actor, confirm_overlap=True, now=_before(session)
        )
        return
    if roll < 0.7:
        active = _enrolments(session, *enrolment.ACTIVE)
        if active:
            enrolment.cancel(rng.choice(active), actor=actor, now=_before(session))
        return
    pending = _enrolments(session, EnrolmentStatus.PENDING)
    if roll < 0.8 and pending:
        decide = enrolment.approve if rng.random() < 0.5 else enrolment.decline
        kwargs = {} if decide is enrolment.approve else {"now": _before(session)}
        decide(rng.choice(pending), actor=actor, **kwargs)
        return
    waiting = _enrolments(session, EnrolmentStatus.WAITLISTED)
    if roll < 0.9 and waiting:
        enrolment.move_from_waitlist(rng.choice(waiting), actor=actor)
        return
    enrolment.change_capacity(session, session.capacity + 1, actor=actor, now=_before(session))


def _mark_step(rng, people, session, actor):
    seance = rng.choice(session.seances)
    roll = rng.random()
    if roll < 0.6:
        status = rng.choice(list(AttendanceStatus))
        attendance.set_status(seance, rng.choice(people), status, actor=actor)
    elif roll < 0.8:
        attendance.mark_all_present(seance, actor=actor)
    else:
        attendance.add_walk_in(seance, rng.choice(people), actor=actor)


def _feedback_step(rng, session):
    """Someone who came to a closed session gives their score (once)."""
    came = sorted(attendance_queries.hours_attended(session))
    if session.status == SessionStatus.CLOSED and came:
        person = db.session.get(User, rng.choice(came))
        attendance.give_feedback(session, person, satisfaction=rng.randint(1, 5))


def _session_step(rng, session, actor):
    seance = rng.choice(session.seances)
    roll = rng.random()
    if roll < 0.35:
        if seance.status == SeanceStatus.SCHEDULED:
            catalogue.cancel_seance(seance, actor=actor)
        else:
            catalogue.restore_seance(seance, actor=actor)
    elif roll < 0.75:
        # Moves may cross the new year: the session then counts in another year.
        shift = timedelta(days=rng.choice([-120, -7, 7, 120]), hours=rng.choice([0, 1]))
        catalogue.update_seance(
            seance, seance.starts_at + shift, seance.ends_at + shift + timedelta(hours=1),
            actor=actor,
        )  # fmt: skip
    elif roll < 0.85:
        # Only the kind changes: the session's people count under another kind of the year.
        kinds = [kind for kind in SessionKind if kind != session.kind]
        catalogue.update_session(session, _session_data(session, rng.choice(kinds)), actor=actor)
    elif roll < 0.94:
        catalogue.close_session(session, actor=actor)
    else:
        catalogue.cancel_session(session, actor=actor)


def _session_data(session, kind):
    """The session form's data for ``session`` as it is, with another ``kind``."""
    names = (
        "module_id", "theme_id", "title", "description", "objectives", "audience", "capacity",
        "centre_cap", "enrolment_deadline", "place_kind", "host_centre_id", "place_name",
        "address", "postcode", "town", "visio_url", "department_id", "requires_validation",
        "promotion_mode", "offer_hours", "what_to_bring",
    )  # fmt: skip
    data = {name: getattr(session, name) for name in names}
    data["trainer_ids"] = [trainer.id for trainer in session.trainers]
    return {**data, "kind": kind.value}


def _move_person(rng, centres, people, actor):
    person = rng.choice(people)
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "category": rng.choice(CATEGORIES).value,
        "sub_category": rng.choice(SUBS),
        "email": person.email,
        "centre": rng.choice([*centres, None]),
    }
    update_person(person, data, actor=actor)


def _step(rng, centres, people, sessions, actor):
    session = rng.choice(sessions)
    roll = rng.random()
    if roll < 0.4:
        _enrolment_step(rng, people, session, actor)
    elif roll < 0.75:
        _mark_step(rng, people, session, actor)
    elif roll < 0.86:
        _session_step(rng, session, actor)
    elif roll < 0.92:
        _feedback_step(rng, session)
    else:
        _move_person(rng, centres, people, actor)


def _table_rows(table):
    return table.rows, table.more


def _kept_and_rebuilt():
    kept = {model: rollups.stored_rows(model) for model in rollups.SUMMARIES}
    rollups.rebuild()
    rebuilt = {model: rollups.stored_rows(model) for model in rollups.SUMMARIES}
    return kept, rebuilt


def _distinct_figures(scope):
    bilan = queries.build_bilan(scope)
    subs = queries.sub_categories(scope, [], [], period=bilan.sub_category_counts)
    return (
        bilan.by_category,
        bilan.by_department,
        [(c.id, c.people) for c in bilan.centres],
        bilan.first_timers,
        bilan.waitlisted_people,
        subs.period,
    )


@pytest.mark.parametrize("seed", range(1, 31))
def test_kept_rows_equal_rebuilt_rows_after_random_operations(app, monkeypatch, seed):
    rng = random.Random(seed)
    centres, people, sessions = _world(rng)
    actor = make_coordinator()
    db.session.commit()
    done = 0
    for step in range(120):
        try:
            with db.session.begin_nested():
                _step(rng, centres, people, sessions, actor)
            done += 1
        except ERRORS:
            pass  # refused (full, closed, last séance…): nothing changed
        if step % 9 == 0:
            db.session.commit()
    db.session.commit()
    assert done > 60
    now = datetime(2027, 6, 1, tzinfo=UTC)  # every session started: held means the same
    scopes = [
        Period.year(year, centre_id, now=now, kind=kind)
        for year in (2025, 2026)
        for centre_id in [None, *(c.id for c in centres)]
        for kind in [None, SessionKind.FORMATION]
    ]
    read = [_distinct_figures(scope) for scope in scopes]
    kept, rebuilt = _kept_and_rebuilt()
    assert kept[BilanSessionCategory]  # the sequence did count something
    for model, rows in kept.items():
        assert rows == rebuilt[model], model.__tablename__
    # The page's bilan lists only the centres it shows (ties kept): the same first ones in
    # the same order, the same départements and counts as the whole list.
    for scope in scopes:
        full = queries.build_bilan(scope, events=False)
        for limit in (1, 2):
            page = queries.build_bilan(scope, events=False, centre_limit=limit)
            assert (page.reached, page.member_centres, page.by_department) == (
                full.reached, full.member_centres, full.by_department
            )  # fmt: skip
            shown = _centre_table(page, None, limit)
            assert (shown.rows, shown.more) == _table_rows(_centre_table(full, None, limit))
    # A calendar year read from the year rows gives what the attendance rows themselves give.
    monkeypatch.setattr(queries, "_year_counts", lambda scope: None)
    for scope, figures in zip(scopes, read, strict=True):
        assert figures == _distinct_figures(scope), scope


def test_a_cancelled_session_counts_nobody(app):
    person = make_user()
    session = make_session(starts_at=STARTS[1], seances=2)
    actor = make_coordinator()
    db.session.flush()
    enrolment.enrol(person, session, actor=actor, now=_before(session))
    attendance.set_status(session.seances[0], person, AttendanceStatus.PRESENT, actor=actor)
    year = Period.year(2026, now=datetime(2027, 1, 1, tzinfo=UTC))
    bilan = queries.build_bilan(year)
    assert (bilan.participants, bilan.first_timers, bilan.total.trainee_hours) == (1, 1, 3.0)
    catalogue.cancel_session(session, actor=actor)
    bilan = queries.build_bilan(year)
    assert (bilan.participants, bilan.first_timers, bilan.total.cancelled) == (0, 0, 1)
    assert bilan.total.trainee_hours == 0


def test_a_session_begun_in_december_is_last_years_for_first_timers(app):
    """Present only at the January séance of a session begun in December, then at a session
    in March: not a first-timer in the new year, whether the period is the calendar year
    (read from the year rows) or any other (read from the marks), as the period itself goes
    by the session's start."""
    person = make_user()
    actor = make_coordinator()
    winter = make_session(starts_at=datetime(2025, 12, 15, 8, tzinfo=UTC))
    start = datetime(2026, 1, 12, 8, tzinfo=UTC)
    january = catalogue.add_seance(winter, start, start + timedelta(hours=3), actor=actor)
    spring = make_session(starts_at=datetime(2026, 3, 2, 8, tzinfo=UTC))
    db.session.flush()
    for session in (winter, spring):
        enrolment.enrol(person, session, actor=actor, now=_before(session))
    attendance.set_status(january, person, AttendanceStatus.PRESENT, actor=actor)
    attendance.set_status(spring.seances[0], person, AttendanceStatus.PRESENT, actor=actor)
    now = datetime(2027, 1, 1, tzinfo=UTC)
    year = queries.build_bilan(Period.year(2026, now=now))
    spring_only = queries.build_bilan(Period(date(2026, 1, 1), date(2026, 6, 30), now=now))
    assert (year.participants, year.first_timers) == (1, 0)
    assert (spring_only.participants, spring_only.first_timers) == (1, 0)
    assert queries.build_bilan(Period.year(2025, now=now)).first_timers == 1


def test_seances_and_feedback_count_in_the_sessions_tally(app):
    """The bilan reads a session's séances, hours and feedback from its tally: kept by the
    séance operations (a draft's once published) and by the feedback given."""
    people = [make_user() for _ in range(2)]
    actor = make_coordinator()
    session = make_session(starts_at=STARTS[1], seances=2)
    draft = make_session(starts_at=STARTS[1], seances=1, status=SessionStatus.DRAFT)
    db.session.flush()
    for person in people:
        enrolment.enrol(person, session, actor=actor, now=_before(session))
        attendance.set_status(session.seances[0], person, AttendanceStatus.PRESENT, actor=actor)
    catalogue.close_session(session, actor=actor)
    for person, score in zip(people, (5, 3), strict=True):
        attendance.give_feedback(session, person, satisfaction=score)
    start = draft.starts_at + timedelta(days=1)
    catalogue.add_seance(draft, start, start + timedelta(hours=2), actor=actor)
    catalogue.publish_session(draft, actor=actor, confirmed=True)
    bilan = queries.build_bilan(Period.year(2026, now=datetime(2027, 1, 1, tzinfo=UTC)))
    assert (bilan.total.held, bilan.total.seances, bilan.total.hours) == (2, 4, 11.0)
    assert bilan.satisfaction == {5: 1, 4: 0, 3: 1, 2: 0, 1: 0}
    assert (bilan.expected, bilan.attended) == (4, 2)  # 2 confirmed × 2 séances, 2 marks
    kept, rebuilt = _kept_and_rebuilt()
    assert kept == rebuilt


def test_rebuild_rollups_command_writes_the_bilan_rows(app):
    person = make_user()
    session = make_session(starts_at=STARTS[1])
    actor = make_coordinator()
    db.session.flush()
    enrolment.enrol(person, session, actor=actor, now=_before(session))
    attendance.set_status(session.seances[0], person, AttendanceStatus.LATE, actor=actor)
    db.session.commit()
    kept = {model: rollups.stored_rows(model) for model in rollups.SUMMARIES}
    for model in rollups.SUMMARIES:
        db.session.execute(sa.delete(model))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rebuild-rollups"])
    assert result.exit_code == 0, result.output
    assert "bilan_year_count" in result.output
    db.session.remove()
    assert {model: rollups.stored_rows(model) for model in rollups.SUMMARIES} == kept


def test_a_new_sub_category_alone_moves_the_person(app):
    person = make_user(category=Category.ELU)
    session = make_session(starts_at=STARTS[1])
    actor = make_coordinator()
    db.session.flush()
    enrolment.enrol(person, session, actor=actor, now=_before(session))
    attendance.set_status(session.seances[0], person, AttendanceStatus.PRESENT, actor=actor)
    data = {"first_name": person.first_name, "last_name": person.last_name,
            "category": "elu", "sub_category": "élu municipal", "email": person.email}  # fmt: skip
    update_person(person, data, actor=actor)
    bilan = queries.build_bilan(Period.year(2026))
    subs = queries.sub_categories(bilan.scope, [], [], period=bilan.sub_category_counts)
    assert subs.period == {(Category.ELU, "élu municipal"): 1}
    kept, rebuilt = _kept_and_rebuilt()
    assert kept == rebuilt


def test_a_tap_reads_the_persons_part_of_the_session_only(app, count_queries):
    """A mark adds the difference it makes to the session's rows: the same statements, and
    the same rows read, in a session of 3 people or of 30."""
    actor = make_coordinator()
    centre = make_centre()
    session = make_session(starts_at=STARTS[1], seances=2, capacity=40)
    db.session.flush()
    people = [make_user(centre=centre) for _ in range(30)]
    db.session.flush()

    def tap(person):
        with count_queries() as log:
            attendance.set_status(session.seances[0], person, AttendanceStatus.PRESENT, actor=actor)
        return len(log)

    for person in people[:3]:
        enrolment.enrol(person, session, actor=actor, now=_before(session))
    attendance.mark_all_present(session.seances[1], actor=actor)
    small = tap(people[0])
    for person in people[3:]:
        enrolment.enrol(person, session, actor=actor, now=_before(session))
    attendance.mark_all_present(session.seances[1], actor=actor)
    assert tap(people[1]) == small  # present at the second séance before, as people[0] was
    kept = {model: rollups.stored_rows(model) for model in rollups.SUMMARIES}
    rollups.rebuild()
    assert {model: rollups.stored_rows(model) for model in rollups.SUMMARIES} == kept


def test_enrolments_add_their_difference_after_marks_offers_and_expiries(app):
    """An enrolment adds the difference its status makes (no recount of the session): also
    for someone marked before enrolling (not a no-show; their walk-in marks are not a
    confirmed person's), offers accepted or expired, a second enrolment after a cancelled
    one, and waiting lists joined and left in two sessions of one year and kind."""
    actor = make_coordinator()
    centre = make_centre()
    people = [make_user(centre=centre if n % 2 else None) for n in range(4)]
    sessions = [
        make_session(starts_at=STARTS[1] + timedelta(days=7 * n), seances=2, capacity=1,
                     promotion_mode=PromotionMode.OFFER, offer_hours=24)
        for n in range(2)
    ]  # fmt: skip
    db.session.flush()
    first, second = sessions
    attendance.add_walk_in(first.seances[0], people[0], actor=actor)
    enrolled = enrolment.enrol(people[0], first, actor=actor, now=_before(first))
    assert enrolled.status == EnrolmentStatus.CONFIRMED
    for person in people[1:3]:
        for session in sessions:
            enrolment.enrol(person, session, actor=actor, confirm_overlap=True,
                            now=_before(session))  # fmt: skip
    enrolment.cancel(enrolled, actor=actor, now=_before(first))  # people[1] is offered it
    offered = db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.session_id == first.id, Enrolment.status == EnrolmentStatus.OFFERED
        )
    )
    enrolment.accept_offer(offered, actor=offered.person, now=_before(first))
    again = enrolment.enrol(people[0], first, actor=actor, now=_before(first))
    assert again.id == enrolled.id and again.status == EnrolmentStatus.WAITLISTED
    enrolment.cancel(offered, actor=actor, now=_before(first))  # the next one is offered it
    enrolment.expire_offers(now=_before(first) + timedelta(days=2))
    third = make_session(starts_at=STARTS[1] + timedelta(days=21), seances=2)
    attendance.add_walk_in(third.seances[1], people[3], actor=actor)
    assert enrolment.enrol(people[3], third, actor=actor, now=_before(third)).status == (
        EnrolmentStatus.CONFIRMED
    )
    kept, rebuilt = _kept_and_rebuilt()
    assert kept == rebuilt


def test_an_enrolment_adds_the_same_statements_in_a_session_of_3_or_of_30(app, count_queries):
    """The bilan's part of an enrolment does not read the session's enrolments or marks."""
    actor = make_coordinator()
    session = make_session(starts_at=STARTS[1], seances=2, capacity=2)
    people = [make_user(centre=make_centre()) for _ in range(31)]
    db.session.flush()

    def enrol(person):
        with count_queries() as log:
            enrolment.enrol(person, session, actor=actor, now=_before(session))
        return [text for text in log.statements if "bilan_" in text or "FOR " in text]

    for person in people[:3]:
        enrol(person)
    attendance.mark_all_present(session.seances[0], actor=actor)
    small = enrol(people[3])
    for person in people[4:30]:
        enrol(person)
    large = enrol(people[30])
    assert len(small) == len(large) <= 7, "\n".join(large)
    assert not any(text.startswith(("DELETE", "UPDATE")) for text in large)
    kept, rebuilt = _kept_and_rebuilt()
    assert kept == rebuilt
