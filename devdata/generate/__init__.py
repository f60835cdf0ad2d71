"""Generated data at scale: ``flask --app reseau generate --scale regional|national``.

Unlike the demo (a few hundred rows, idempotent, written object by object), the generator
fills an EMPTY database with a realistic network of any size, fast: every table is written
with bulk ``INSERT``s of plain rows in batches, with ids assigned here (1, 2, 3…), in one
transaction. The data is a pure function of the seed and of today's date (Europe/Paris):
sessions spread over the past twelve months and the next six, with their séances,
trainers, enrolments, attendance, feedback, and diagnostic campaigns with answers. The
vocabulary (départements, themes, cycles, skills, comments) is the demo's, from the seeds.

One module per stage, run in this order with one ``random.Random(seed)`` (the order of the
draws is the data): ``places``, ``people``, ``catalogue``, ``sessions`` (planned),
``enrolments`` (planned), ``sessions`` (written), ``enrolments`` (written), ``attendance``,
``feedback``, ``diagnostic``, ``calendars``. What a stage leaves for the next ones is in
``build.Build``.

A few "landmark" accounts get pages worth looking at (see ``LANDMARK_EMAILS`` and
``landmarks()``): the trainer runs a session today with a full roster, the participant has
past enrolments with attendance and upcoming ones, the referent's centre has people,
enrolments and a centre calendar address.
"""

from __future__ import annotations

import random

from devdata.generate import (
    adjustments,
    attendance,
    calendars,
    catalogue,
    diagnostic,
    enrolments,
    feedback,
    people,
    places,
    sessions,
)
from devdata.generate.build import (
    GENERATED_PASSWORD,
    LANDMARK_EMAILS,
    Build,
    GenerationError,
    Progress,
    Scale,
    is_empty,
    reset_sequences,
)
from devdata.generate.landmarks import landmarks
from reseau.accounts import counts as people_counts
from reseau.attendance import rollups as bilan_rollups
from reseau.core.extensions import db
from reseau.core.i18n import today_paris
from reseau.diagnostic import rollups

__all__ = [
    "GENERATED_PASSWORD",
    "GENERATOR_VERSION",
    "LANDMARK_EMAILS",
    "SCALES",
    "GenerationError",
    "Scale",
    "generate",
    "is_empty",
    "landmarks",
]

SCALES: dict[str, Scale] = {
    "tiny": Scale(2, 4, 60, 8, 24, 120, 200, 2, 30, 20),
    "regional": Scale(6, 80, 3_000, 300, 900, 6_000, 15_000, 2, 1_200, 900),
    "national": Scale(100, 3_600, 100_000, 10_000, 30_000, 200_000, 500_000, 2, 40_000, 30_000),
}

# Bumped when the generated data changes shape: cached benchmark data sets are then rebuilt.
# 3: no session in the Christmas break (devdata.days, the demo's rule).
GENERATOR_VERSION = 3

STAGES = [
    places.write_departments,
    places.write_centres,
    people.write_people,
    catalogue.write_catalogue,
    sessions.plan_sessions,
    enrolments.plan_enrolments,
    sessions.write_sessions,
    enrolments.write_enrolments,
    attendance.write_attendance,
    feedback.write_feedback,
    diagnostic.write_diagnostic,
    calendars.write_calendar_tokens,
    adjustments.write_adjustments,
]


def generate(scale: Scale, seed: int = 1, progress: Progress | None = None) -> dict[str, int]:
    """Fill an EMPTY database with generated data; return the row count of each table.

    Raises ``GenerationError`` when the database already holds data. Commits once at the end
    (nothing is left behind when it fails). ``progress(step, done, total)`` is called as each
    table is written.
    """
    if not is_empty():
        raise GenerationError(
            "La base de données n'est pas vide : le générateur ne remplit qu'une base vide. "
            "/ The database is not empty: the generator only fills an empty database."
        )
    build = Build(
        scale=scale,
        rng=random.Random(seed),
        today=today_paris(),
        progress=progress or (lambda label, done, total: None),
    )
    try:
        for stage in STAGES:
            stage(build)
        # Written as bulk rows, not through the operations: the summary rows are counted here.
        people_counts.rebuild()
        rollups.rebuild()
        bilan_rollups.rebuild()
        reset_sequences()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return build.counts
