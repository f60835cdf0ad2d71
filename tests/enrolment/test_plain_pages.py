"""The session page and "Mes formations" read plain values (issue 21): they must say what the
models say (place, accessibility, programme, seats, séances, trainers, contacts, badges)."""

from __future__ import annotations

from datetime import timedelta

from reseau.accounts.models import UserStatus
from reseau.adjustments.models import AdjustmentRequest
from reseau.adjustments.queries import disability_contacts, requests_by_session
from reseau.catalogue.models import PlaceAccessibility, PlaceKind, SeanceStatus
from reseau.catalogue.programme import programme_sections
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.http import raw_reader
from reseau.enrolment import operations as ops
from reseau.enrolment import queries
from reseau.enrolment.models import OFFER_EXPIRED_REASON, EnrolmentStatus
from tests.factories import (
    enrol,
    make_centre,
    make_disability_referent,
    make_module,
    make_session,
    make_theme,
    make_trainer,
    make_user,
)


def _access(value):
    if value is None:
        return None
    return (value.features, value.is_described, value.step_free, value.notes)


def _read(session_id):
    with raw_reader() as reader:
        return queries.session_page(reader, session_id)


def _sessions():
    centre = make_centre(name="Centre social Saint-Jean", address="8 rue Albert Camus")
    db.session.add(
        PlaceAccessibility(centre_id=centre.id, step_free=True, notes="Rampe à l'entrée")
    )
    module = make_module(prerequisites="Aucun", content="Le projet social", cost="Repas offert")
    first, second = make_trainer(last_name="Leclerc"), make_trainer(last_name="Leclerc")
    in_centre = make_session(host_centre=centre, module=module, theme=make_theme(), seances=3)
    in_centre.trainers.extend([second, first, make_trainer(last_name="Albert")])
    in_centre.seances[1].status = SeanceStatus.CANCELLED
    elsewhere = make_session(
        place_kind=PlaceKind.ADDRESS, place_name="Salle des fêtes", postcode="04000", town="Digne"
    )
    db.session.add(PlaceAccessibility(session_id=elsewhere.id, hearing_loop=True))
    visio = make_session(
        place_kind=PlaceKind.VISIO, visio_url="https://visio.exemple.test/x", capacity=1
    )
    bare = make_session(seances=0, enrolment_deadline=utcnow() - timedelta(days=1))
    for person in (make_user(), make_user()):
        enrol(visio, person)
    enrol(in_centre, make_user(), EnrolmentStatus.WAITLISTED)
    enrol(in_centre, make_user(), EnrolmentStatus.PENDING)
    db.session.commit()
    return [in_centre, elsewhere, visio, bare]


def test_the_session_page_reads_what_the_model_says(app):
    now = utcnow()
    described = []
    for session in _sessions():
        page, _ = _read(session.id)
        described.append(page.accessibility is not None and page.accessibility.is_described)
        assert (page.id, page.title, page.kind, page.status) == (
            session.id,
            session.title,
            session.kind,
            session.status,
        )
        assert page.place_label == session.place_label
        assert _access(page.accessibility) == _access(session.accessibility)
        assert page.seats_left == ops.seats_left(session)
        assert [(s.starts_at, s.ends_at, s.status) for s in page.seances] == [
            (s.starts_at, s.ends_at, s.status) for s in session.seances
        ]
        assert sorted(t.full_name for t in page.trainers) == sorted(
            t.full_name for t in session.trainers
        )
        assert [t.last_name for t in page.trainers] == [t.last_name for t in session.trainers]
        assert (page.theme and page.theme.slug) == (session.theme and session.theme.slug)
        if session.module is None:
            assert page.module is None
        else:
            assert programme_sections(page.module) == programme_sections(session.module)
            assert page.module.cycle.title == session.module.cycle.title
        for moment in (now, session.starts_at or now, now + timedelta(days=400)):
            assert page.enrolment_open(moment) == session.enrolment_open(moment)
            assert page.has_started(moment) == session.has_started(moment)
            assert page.enrolment_deadline_passed(moment) == session.enrolment_deadline_passed(
                moment
            )
    assert described == [True, True, False, False]
    assert _read(10**9) == (None, [])


def test_the_session_page_shows_the_contacts_the_adjustments_room_shows(app):
    make_session()
    for n, status in enumerate(
        [UserStatus.ACTIVE] * 5 + [UserStatus.DISABLED] + [UserStatus.ACTIVE]
    ):
        make_disability_referent(last_name=f"Référente {n % 3}", status=status, phone=f"0{n}")
    make_disability_referent(email=None)
    make_user(last_name="Pas référente")
    session = make_session()
    db.session.commit()
    _, contacts = _read(session.id)
    expected = disability_contacts()
    assert len(contacts) == 5
    assert [(c.full_name, c.email, c.phone) for c in contacts] == [
        (c.full_name, c.email, c.phone) for c in expected
    ]


def test_mes_formations_lines_read_what_the_model_says(app):
    person = make_user()
    sessions = _sessions()
    statuses = [
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.OFFERED,
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.CANCELLED,
    ]
    enrolments = []
    for session, status in zip(sessions, statuses, strict=True):
        enrolment = enrol(session, person, status)
        enrolment.offer_expires_at = utcnow() + timedelta(days=1)
        enrolments.append(enrolment)
    enrolments[-1].waitlist_reason = OFFER_EXPIRED_REASON
    db.session.add(AdjustmentRequest(session_id=sessions[0].id, person_id=person.id, text="Rampe"))
    db.session.add(
        AdjustmentRequest(
            session_id=sessions[2].id,
            person_id=person.id,
            text="Sous-titres",
            arranged="Prévu",
            arranged_at=utcnow(),
        )
    )
    other = make_user()
    db.session.add(AdjustmentRequest(session_id=sessions[1].id, person_id=other.id, text="Autre"))
    db.session.commit()
    lines = {line.id: line for line in queries.my_enrolments(person.id)}
    assert set(lines) == {e.id for e in enrolments}
    for enrolment in enrolments:
        line = lines[enrolment.id]
        assert (line.status, line.offer_expires_at, line.session_id) == (
            enrolment.status,
            enrolment.offer_expires_at,
            enrolment.session_id,
        )
        assert line.offer_expired == enrolment.offer_expired
        assert line.shows_visio_link == enrolment.shows_visio_link
        assert line.session.place_label == enrolment.session.place_label
        assert line.seances == len(enrolment.session.seances)
        assert (line.session.title, line.session.status, line.session.starts_at) == (
            enrolment.session.title,
            enrolment.session.status,
            enrolment.session.starts_at,
        )
    requests = requests_by_session(person)
    adjustments = {line.session_id: line.adjustment for line in lines.values() if line.adjustment}
    assert adjustments == requests
    assert len(requests) == 2
    assert any(line.shows_visio_link for line in lines.values())
    assert any(line.offer_expired for line in lines.values())
