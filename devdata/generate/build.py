"""What the stages of a generation share: the scale, the random draws, what earlier stages
made, and one way of writing rows.

Rows are written straight into the models' own tables (``Model.__table__``), in batches of
bulk ``INSERT``s. A row names only what the generator decides; every other column takes the
model's own default (``default=``, or NULL), so a new column with a default needs no change
here, and a row naming a column the model does not have is refused (SQLAlchemy would drop it
silently).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from reseau.accounts.models import Category, Role
from reseau.catalogue.models import Audience
from reseau.core.extensions import db

if TYPE_CHECKING:
    from devdata.generate.sessions import PlannedSession

Progress = Callable[[str, int, int], None]

BATCH = 5_000
PAST_DAYS = 365
FUTURE_DAYS = 182
DOMAIN = "generated.example"
GENERATED_PASSWORD = "generated password 2026"  # noqa: S105 (documented, generated data only)
# The landmark people have the first ids: their pages are worth looking at at every scale.
COORDINATOR_ID, TRAINER_ID, REFERENT_ID, PARTICIPANT_ID = 1, 2, 3, 4
LANDMARK_EMAILS = {
    "coordinator": f"coordination@{DOMAIN}",
    "trainer": f"formateur@{DOMAIN}",
    "referent": f"referent@{DOMAIN}",
    "participant": f"participant@{DOMAIN}",
}


class GenerationError(Exception):
    """The database cannot receive generated data (it is not empty), or the scale is off."""


@dataclass(frozen=True)
class Scale:
    """How many rows of each kind to generate."""

    departments: int
    centres: int
    people: int
    sessions: int
    seances: int
    enrolments: int
    attendance_marks: int
    campaigns: int
    responses: int
    feedback: int

    def times(self, factor: int) -> Scale:
        """Return this scale with every figure multiplied by ``factor``."""
        return Scale(**{f.name: getattr(self, f.name) * factor for f in fields(self)})


@dataclass
class Build:
    """One generation: its scale and draws, and what each stage leaves for the next ones."""

    scale: Scale
    rng: random.Random
    today: date
    progress: Progress
    counts: dict[str, int] = field(default_factory=dict)
    since: datetime = datetime(2011, 1, 3, 8, 0, tzinfo=UTC)
    # places: (code, name, chef-lieu); by centre id - 1, its département's index and its town
    departments: list[tuple[str, str, str]] = field(default_factory=list)
    centre_dept: list[int] = field(default_factory=list)
    centre_town: list[str] = field(default_factory=list)
    # people: staff roles beyond participant, trainers, active people who may enrol (not
    # staff) in all and by département index, everyone's centre and category
    roles: dict[int, Role] = field(default_factory=dict)
    trainers: list[int] = field(default_factory=list)
    everyone: list[int] = field(default_factory=list)
    pools: list[list[int]] = field(default_factory=list)
    person_centre: dict[int, int | None] = field(default_factory=dict)
    person_category: dict[int, Category] = field(default_factory=dict)
    # catalogue: theme ids and descriptions by slug; modules by year as
    # (module id, theme slug, title, objectives, audience)
    theme_id: dict[str, int] = field(default_factory=dict)
    theme_description: dict[str, str] = field(default_factory=dict)
    modules: dict[int, list[tuple[int, str, str, str, Audience]]] = field(default_factory=dict)
    # sessions in id order; confirmed people of past sessions by session id
    plans: list[PlannedSession] = field(default_factory=list)
    confirmed_past: dict[int, int] = field(default_factory=dict)
    # attendance: (session id, person id) of the people who came to closed sessions
    came: list[tuple[int, int]] = field(default_factory=list)

    def insert(self, label: str, model, rows: Iterable[dict], total: int) -> int:
        """Insert ``rows`` into ``model``'s table in batches, reporting progress."""
        table = model if isinstance(model, sa.Table) else model.__table__
        done, batch = 0, []
        self.progress(label, 0, total)
        for row in rows:
            if not done and not batch:
                _check_columns(table, row)
            batch.append(row)
            if len(batch) >= BATCH:
                db.session.execute(sa.insert(table), batch)
                done += len(batch)
                batch = []
                self.progress(label, done, max(total, done))
        if batch:
            db.session.execute(sa.insert(table), batch)
            done += len(batch)
        self.progress(label, done, max(total, done))
        self.counts[table.name] = self.counts.get(table.name, 0) + done
        return done


def _check_columns(table: sa.Table, row: dict) -> None:
    unknown = set(row) - set(table.c.keys())
    if unknown:
        raise GenerationError(f"{table.name} has no column {', '.join(sorted(unknown))}")


def is_empty() -> bool:
    """Return whether every table of the application is empty (the counters of writes,
    bookkeeping of reseau/core/changes.py, do not count)."""
    for table in db.metadata.sorted_tables:
        if table.name == "table_change":
            continue
        if db.session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            return False
    return True


def reset_sequences() -> None:
    """PostgreSQL: move every id sequence past the ids written here, for later inserts."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.primary_key:
            continue
        name = f'"{table.name}"'
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {name}"
            )
        )
