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


def test_the_raw_filtered_pages_are_the_orms(app):
    """Every filter, alone and together, read raw (its values bound into a statement
    compiled once per set of filters) gives the ORM's cards and total; searched words keep
    ``%``, ``_`` and ``/`` as plain characters."""
    from reseau.catalogue.models import Audience, SessionKind
    from reseau.core.i18n import to_local
    from tests.factories import make_cycle, make_department, make_module, make_theme

    with app.app_context():
        theme, department = make_theme(), make_department()
        cycle = make_cycle(theme=theme)
        module = make_module(cycle=cycle)
        start = utcnow() + timedelta(days=3)
        sessions = [
            make_session(
                starts_at=start + timedelta(days=20 * i),
                capacity=1 + i % 2,
                title=title,
                description="Remise à 50% pour les bénévoles" if i == 1 else "",
                town="Issoudun" if i % 3 == 0 else "",
                theme=theme if i % 2 else None,
                module=module if i % 4 == 0 else None,
                department=department if i % 3 else None,
                kind=SessionKind.FORMATION if i % 2 else SessionKind.RENCONTRE_REGIONALE,
                audience=Audience.BENEVOLES if i % 3 == 1 else Audience.TOUS,
            )
            for i, title in enumerate(
                ["Accueil a_b", "Accueil aXb", "Chemin c/d", "Chemin cd", "Écoute", "Accueil"]
            )
        ]
        enrol(sessions[1], make_user(), EnrolmentStatus.CONFIRMED)
        enrol(sessions[1], make_user(), EnrolmentStatus.CONFIRMED)
        db.session.commit()
        now = utcnow()
        month = to_local(sessions[2].starts_at).strftime("%Y-%m")
        choices = [
            {"q": "accueil"},
            {"q": "a_b"},
            {"q": "c/d"},
            {"q": "50%"},
            {"q": "issoudun"},
            {"theme": theme.id},
            {"cycle": cycle.id},
            {"type": SessionKind.FORMATION.value},
            {"departement": department.id},
            {"mois": month},
            {"public": Audience.BENEVOLES.value},
            {"places": True},
            {"fauteuil": True},
            {"q": "accueil", "theme": theme.id, "departement": department.id},
            {"type": SessionKind.FORMATION.value, "public": Audience.SALARIES.value},
            {"places": True, "mois": month, "q": "chemin"},
        ]
        for choice in choices:
            filters = {**NO_FILTER, **choice}
            expected = catalogue_cards(filters, now, 1, PAGE_SIZE)
            with raw_reader() as reader:
                read = catalogue_cards(filters, now, 1, PAGE_SIZE, reader=reader)
            assert read == expected, choice
        by_search = catalogue_cards({**NO_FILTER, "q": "a_b"}, now, 1, PAGE_SIZE)[0]
        assert [card.id for card in by_search] == [sessions[0].id]
        with raw_reader() as reader:
            cards, total = catalogue_cards(
                {**NO_FILTER, "q": "accueil", "theme": theme.id}, now, 1, PAGE_SIZE, reader=reader
            )
        assert [card.id for card in cards] == [sessions[1].id, sessions[5].id] and total == 2
