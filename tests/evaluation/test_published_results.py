"""The results a cycle's public page publishes, from Réseau's own records of last year."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from reseau.attendance.models import Attendance, AttendanceStatus, Feedback
from reseau.catalogue.models import SessionKind, SessionStatus
from reseau.core.extensions import db
from reseau.core.i18n import from_local, today_paris
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.evaluation.models import ColdAnswer, UseLevel
from reseau.evaluation.results import cycle_results
from tests.factories import make_cycle, make_module, make_session, make_theme, make_user

P, A, L = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.LATE


def _held(module, year: int, marks: dict, *, status=SessionStatus.CLOSED, **overrides):
    """A session of ``module`` in March of ``year``, two séances; ``marks`` gives each
    confirmed person's two attendance marks (None: not recorded)."""
    session = make_session(
        starts_at=from_local(datetime(year, 3, 10, 9, 0)),
        seances=2,
        status=status,
        kind=overrides.pop("kind", SessionKind.FORMATION),
        module=module,
        theme=module.cycle.theme,
        **overrides,
    )
    for name, statuses in marks.items():
        person = make_user(first_name=name)
        enrolment = Enrolment(session=session, person=person, status=EnrolmentStatus.CONFIRMED)
        db.session.add(enrolment)
        for seance, mark in zip(session.seances, statuses, strict=True):
            if mark is not None:
                db.session.add(
                    Attendance(seance=seance, person=person, enrolment=enrolment, status=mark)
                )
    db.session.flush()
    return session


def _fixture():
    last_year = today_paris().year - 1
    theme = make_theme(name="La fonction employeur", slug="fonction-employeur")
    old = make_cycle(theme=theme, title="Cycle de formation", year=last_year)
    current = make_cycle(theme=theme, title="Cycle de formation", year=last_year + 1)
    module = make_module(cycle=old, title="Les responsabilités de l'employeur associatif")
    held = _held(module, last_year, {"Anne": (P, P), "Bruno": (L, A), "Chloé": (A, A)})
    walk_in = make_user(first_name="Denis")  # came without enrolling: trained, not in the rate
    db.session.add(Attendance(seance=held.seances[0], person=walk_in, status=P, is_walk_in=True))
    db.session.add_all(
        [
            Feedback(session_id=held.id, satisfaction=5),
            Feedback(session_id=held.id, satisfaction=4),
        ]
    )
    started = from_local(datetime(last_year, 6, 10, 9, 0))
    for used in (UseLevel.OFTEN, UseLevel.SOMETIMES, UseLevel.NO, None):
        db.session.add(ColdAnswer(session_id=held.id, used=used, started_at=started))
    db.session.add(ColdAnswer(session_id=held.id))  # sent, never answered
    # Not counted: this year's session, a cancelled one, a regional day, another theme's.
    this_year = make_module(cycle=current)
    _held(this_year, last_year + 1, {"Eve": (P, P)})
    _held(module, last_year, {"Fred": (P, P)}, status=SessionStatus.CANCELLED)
    _held(module, last_year, {"Gil": (P, P)}, kind=SessionKind.RENCONTRE_REGIONALE)
    _held(make_module(), last_year, {"Hugo": (P, P)})
    db.session.flush()
    return current, last_year


def test_the_published_results_against_a_fixture(app, count_queries):
    current, last_year = _fixture()
    db.session.commit()
    assert current.theme_id  # loaded again after the commit, before counting
    with count_queries() as log:
        results = cycle_results(current)
    assert len(log) == 1  # last year's figures read with the latest start
    assert results.year == last_year
    assert results.sessions == 1
    assert results.people == 3  # Anne, Bruno, Denis
    assert results.attendance_percent == 50  # 3 half-days of 6 expected
    assert (results.feedback_count, results.satisfaction) == (2, 4.5)
    assert (results.cold_answers, results.useful_percent) == (3, 67)


def test_the_cycle_page_shows_them(client, app):
    current, last_year = _fixture()
    db.session.commit()
    page = client.get(f"/catalogue/cycles/{current.id}")
    assert page.status_code == 200
    assert f"Résultats {last_year}" in page.text
    text = " ".join(page.text.split())
    assert "<dt>Personnes formées</dt> <dd>3</dd>" in text
    assert "50 %" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "4,5 / 5 (2 avis)" in text
    assert "(3 réponses)" in text


def test_a_training_without_a_past_year_says_so(client, app):
    cycle = make_cycle(year=today_paris().year)
    make_module(cycle=cycle)
    db.session.commit()
    assert cycle_results(cycle) is None
    assert "Pas encore de résultats" in client.get(f"/catalogue/cycles/{cycle.id}").text


def test_the_latest_year_with_records_when_last_year_had_none(app, count_queries):
    theme = make_theme()
    old = make_cycle(theme=theme, year=2012)
    module = make_module(cycle=old)
    _held(module, 2012, {"Anne": (P, P)})
    current = make_cycle(theme=theme, year=today_paris().year)
    db.session.commit()
    assert current.theme_id  # loaded again after the commit, before counting
    with count_queries() as log:
        results = cycle_results(current)
    assert len(log) == 2  # last year read empty, then 2012's figures
    assert (results.year, results.people, results.attendance_percent) == (2012, 1, 100)
    assert results.satisfaction is None and results.useful_percent is None


def test_the_cycle_pages_etag_moves_with_its_published_results(client, app):
    """A late feedback, a cold answer or an attendance corrected after closing changes the
    results the page shows: its ETag moves at once (it used to wait for the next day)."""
    from reseau.core.audit import record_audit

    current, last_year = _fixture()
    db.session.commit()
    url = f"/catalogue/cycles/{current.id}"
    held = db.session.scalar(sa.select(Feedback.session_id).order_by(Feedback.id).limit(1))
    tags = [client.get(url).headers["ETag"]]

    def changes_the_tag(change):
        change()
        db.session.commit()
        again = client.get(url, headers={"If-None-Match": tags[-1]})
        assert again.status_code == 200
        tags.append(again.headers["ETag"])

    changes_the_tag(lambda: db.session.add(Feedback(session_id=held, satisfaction=1)))
    answer = db.session.scalar(sa.select(ColdAnswer).where(ColdAnswer.used.is_(None)).limit(1))
    changes_the_tag(lambda: setattr(answer, "used", UseLevel.OFTEN))
    coordinator = make_user(first_name="Coord")
    changes_the_tag(lambda: record_audit(coordinator, "attendance.correct", summary="Anne"))
    assert len(set(tags)) == 4
    # Nothing changed: a 304.
    assert client.get(url, headers={"If-None-Match": tags[-1]}).status_code == 304
