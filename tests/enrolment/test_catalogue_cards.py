"""The catalogue's cards: the unfiltered pages read raw (``RawReader``) are the ORM's, total
included, and an empty page still counts what matches."""

from __future__ import annotations

from datetime import timedelta

from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.http import raw_reader
from reseau.core.lists import PAGE_SIZE
from reseau.enrolment.models import EnrolmentStatus
from reseau.enrolment.queries import catalogue_cards
from tests.factories import enrol, make_session, make_user

NO_FILTER = {
    "q": None,
    "theme": None,
    "cycle": None,
    "type": None,
    "departement": None,
    "mois": None,
    "public": None,
    "places": False,
    "fauteuil": False,
}


def _catalogue(count: int):
    start = utcnow() + timedelta(days=3)
    sessions = [make_session(starts_at=start + timedelta(days=i), capacity=2) for i in range(count)]
    full = sessions[1]
    for _ in range(3):  # one more than its capacity: no seat left, never fewer than none
        enrol(full, make_user(), EnrolmentStatus.CONFIRMED)
    db.session.commit()
    return sessions


def test_the_raw_pages_are_the_orms(app):
    with app.app_context():
        sessions = _catalogue(PAGE_SIZE + 3)
        now = utcnow()
        for page in (1, 2, 3):
            expected = catalogue_cards(NO_FILTER, now, page, PAGE_SIZE)
            with raw_reader() as reader:
                read = catalogue_cards(NO_FILTER, now, page, PAGE_SIZE, reader=reader)
            assert read == expected
        first, total = catalogue_cards(NO_FILTER, now, 1, PAGE_SIZE)
        assert total == len(sessions) and len(first) == PAGE_SIZE
        assert [card.id for card in first] == [s.id for s in sessions[:PAGE_SIZE]]
        assert first[1].seats_left == 0 and first[0].seats_left == 2
        assert first[0].kind == sessions[0].kind and first[0].starts_at == sessions[0].starts_at
        second, total = catalogue_cards(NO_FILTER, now, 2, PAGE_SIZE)
        assert [card.id for card in second] == [s.id for s in sessions[PAGE_SIZE:]]
        assert total == len(sessions)


def test_a_page_beyond_the_last_or_a_filter_matching_nothing_still_counts(app):
    with app.app_context():
        sessions = _catalogue(3)
        now = utcnow()
        with raw_reader() as reader:
            assert catalogue_cards(NO_FILTER, now, 2, PAGE_SIZE, reader=reader) == ([], 3)
            nothing = {**NO_FILTER, "q": "aucune session ne porte ce titre"}
            assert catalogue_cards(nothing, now, 1, PAGE_SIZE, reader=reader) == ([], 0)
            titled = {**NO_FILTER, "q": sessions[2].title}
            cards, total = catalogue_cards(titled, now, 1, PAGE_SIZE, reader=reader)
        assert [card.id for card in cards] == [sessions[2].id] and total == 1
