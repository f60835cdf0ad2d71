"""Choice lists naming sessions, for the filters and forms of the rooms above the catalogue.

One label (« Titre (12 mars 2026) »), one order (latest first) and one cap for every list of
sessions a person picks from: the adjustments' and the complaints register's filters, the
complaint form. A room says which sessions (conditions, or a select of their ids); this module
says how they read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from reseau.catalogue.models import TrainingSession
from reseau.core.extensions import db
from reseau.core.i18n import date_fr

# A list longer than this is no longer a choice: the latest ones are kept.
LIMIT = 300


def session_label(title: str, starts_at: datetime | None) -> str:
    """« Accueillir un public exilé (12 mars 2026) », the title alone without a date."""
    return f"{title} ({date_fr(starts_at, 'd MMM y')})" if starts_at else title


def session_choices(
    *where, among: sa.Select | None = None, blank: str | None = None, limit: int = LIMIT
) -> list[tuple[int | str, str]]:
    """``(id, label)`` pairs of the sessions meeting the conditions ``where`` and, when
    ``among`` (a select of session ids) is given, among those; latest first, ``limit`` at most.
    ``blank`` puts ``("", blank)`` first (the filter's "all", the form's "none")."""
    query = sa.select(TrainingSession.id, TrainingSession.title, TrainingSession.starts_at)
    if among is not None:
        query = query.where(TrainingSession.id.in_(among))
    rows = db.session.execute(
        query.where(*where)
        .order_by(TrainingSession.starts_at.desc(), TrainingSession.id)
        .limit(limit)
    ).all()
    return with_blank(blank, ((row.id, session_label(row.title, row.starts_at)) for row in rows))


def with_blank(blank: str | None, pairs: Iterable[tuple]) -> list[tuple]:
    """``pairs`` as a list, after ``("", blank)`` when ``blank`` is given."""
    return ([("", blank)] if blank is not None else []) + list(pairs)
