"""What the attendance room does when the catalogue, the enrolment room or the accounts announce
something: the bilan's summary rows (``rollups``) follow, in the same transaction."""

from __future__ import annotations

from reseau.accounts.signals import person_regrouped
from reseau.attendance import rollups
from reseau.catalogue.signals import (
    session_cancelled,
    session_changed,
    session_published,
    session_regrouped,
)
from reseau.enrolment.signals import enrolments_changed


@enrolments_changed.connect
def count_enrolments(session, person_ids=(), moves=None, **extra) -> None:
    """Enrolments changed status: the session's rows and those of the people (the difference
    the ``moves`` make when the operation tells them, else recounted)."""
    if moves is not None:
        rollups.enrolments_moved(session, [rollups.Move(*move) for move in moves])
    else:
        rollups.refresh([session.id], person_ids)


@session_published.connect
@session_changed.connect
@session_cancelled.connect
@session_regrouped.connect
def count_session(session, **extra) -> None:
    """Séances moved, cancelled or added, the session cancelled or of another kind: hours,
    marks that count and the session's year and kind change for everyone in it. Published:
    its séances, edited while a draft without a signal, are counted from then on."""
    rollups.refresh_session(session.id)


@person_regrouped.connect
def count_person(person, **extra) -> None:
    """A person changed centre, category or sub-category: their rows and their sessions'."""
    rollups.refresh_person(person.id)
