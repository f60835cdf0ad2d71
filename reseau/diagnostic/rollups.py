"""The diagnostic's summary rows, kept where the answers change and rebuilt from them.

The results page (heat map, ranked needs, skills, respondents) reads
``DiagnosticThemeCount``, ``DiagnosticSkillCount`` and ``DiagnosticRespondentCount``: a few
rows per theme or skill, département and category, whatever the number of answers.

- The answering operations (``operations.save_answers``, ``_mark_started``) call
  ``record_answers`` / ``record_started`` in the same transaction as the answers: they read
  the response's wishes before (the response row is locked by then, so nobody else changes
  them meanwhile), work out those after from the answers given, and add the difference to the rows of the person's key (their
  centre's département, 0 without a centre, and their category).
- A transaction changes the rows in one order (who may be asked, the person's responses,
  the centre rows, respondents, then themes, then skills, each sorted), so two transactions
  that touch the same rows wait for each other, never deadlock.
- When a person changes category or centre, or a centre changes département (accounts
  signals), ``move_person`` takes their contribution from the old key to the new one.
- The response rates read ``DiagnosticAudienceCount`` (who may be asked, per centre and
  category) and ``DiagnosticCentreCount`` (who answered, per campaign, centre and category):
  ``record_people`` keeps them when the accounts room flushes people created, deleted, or
  whose status, address, centre or category changed (``accounts.signals.people_changed``).
- ``rebuild()`` recomputes every row from the answers (``flask rebuild-rollups``); a test
  checks that it finds what the operations kept after random sequences of answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from reseau.accounts.models import Centre, User, UserStatus
from reseau.accounts.signals import PersonGroup
from reseau.core.extensions import db
from reseau.diagnostic.models import (
    DiagnosticAudienceCount,
    DiagnosticCentreCount,
    DiagnosticRespondentCount,
    DiagnosticResponse,
    DiagnosticSkill,
    DiagnosticSkillCount,
    DiagnosticThemeCount,
    SkillAnswer,
    TrainingWish,
)

PRIORITY_WEIGHT = 2
YES_WEIGHT = 1
WEIGHTS = {TrainingWish.PRIORITY: PRIORITY_WEIGHT, TrainingWish.YES: YES_WEIGHT}
NO_CENTRE = 0  # the département key of people without a centre


@dataclass
class Wishes:
    """A response's training wishes: weight per skill and (strongest) per theme, weights > 0."""

    skills: dict[int, int] = field(default_factory=dict)
    themes: dict[int, int] = field(default_factory=dict)


def wishes_of(response_id: int) -> Wishes:
    """The wishes of a response as the database holds them now (one query)."""
    return wishes_from(answered_weights(response_id))


def answered_weights(response_id: int) -> dict[int, tuple[int, int]]:
    """{skill id: (theme id, weight)} of a response's answers, as the database holds them."""
    rows = db.session.execute(
        sa.select(SkillAnswer.skill_id, DiagnosticSkill.theme_id, SkillAnswer.wants_training)
        .join(DiagnosticSkill, DiagnosticSkill.id == SkillAnswer.skill_id)
        .where(SkillAnswer.response_id == response_id)
    )
    return {skill_id: (theme_id, weight_of(wish)) for skill_id, theme_id, wish in rows}


def weight_of(wish) -> int:
    return WEIGHTS.get(TrainingWish(wish), 0) if wish is not None else 0


def wishes_from(weights: dict[int, tuple[int, int]]) -> Wishes:
    wishes = Wishes()
    for skill_id, (theme_id, weight) in weights.items():
        if weight:
            wishes.skills[skill_id] = weight
            wishes.themes[theme_id] = max(weight, wishes.themes.get(theme_id, 0))
    return wishes


def person_key(person_id: int) -> tuple[int, str]:
    """(département id or 0, category) of a person, as the rows group them."""
    return person_keys(person_id)[0]


def person_keys(person_id: int) -> tuple[tuple[int, str], CentreKey | None]:
    """The person's key in the département rows, and in the centre rows (None without a
    centre), in one query."""
    row = db.session.execute(
        sa.select(
            User.category,
            User.centre_id,
            User.status,
            User.email.is_not(None).label("has_email"),
            Centre.department_id,
        )
        .outerjoin(Centre, Centre.id == User.centre_id)
        .where(User.id == person_id)
    ).one()
    category = category_value(row.category)
    group = PersonGroup(row.centre_id, category, category_value(row.status), bool(row.has_email))
    return (row.department_id or NO_CENTRE, category), centre_key(group)


def category_value(category) -> str:
    """A category as the rows store it (its value)."""
    return getattr(category, "value", category)


def _insert(table):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _add(model, keys: dict, deltas: dict) -> None:
    """Add ``deltas`` to the row of ``keys`` (created at zero if missing): one statement."""
    table = model.__table__
    statement = _insert(table).values(**keys, **deltas)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in deltas},
    )
    db.session.execute(statement)


def _differences(before: dict[int, int], after: dict[int, int]) -> list[tuple[int, dict]]:
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, 0), after.get(key, 0)
        if old == new:
            continue
        changes.append(
            (
                key,
                {
                    "people": (new > 0) - (old > 0),
                    "priority": (new == PRIORITY_WEIGHT) - (old == PRIORITY_WEIGHT),
                    "score": new - old,
                },
            )
        )
    return changes


def _apply(campaign_id: int, key: tuple[int, str], before: Wishes, after: Wishes) -> None:
    department_id, category = key
    common = {"campaign_id": campaign_id, "department_id": department_id, "category": category}
    for theme_id, deltas in _differences(before.themes, after.themes):
        _add(DiagnosticThemeCount, {**common, "theme_id": theme_id}, deltas)
    for skill_id, deltas in _differences(before.skills, after.skills):
        _add(DiagnosticSkillCount, {**common, "skill_id": skill_id}, deltas)


def record_answers(
    response: DiagnosticResponse, before: Wishes, after: Wishes, *, keys=None
) -> None:
    """The response's wishes changed from ``before`` to ``after``: bring the rows up to
    date (a single ``UPDATE … SET n = n + :d`` per row, through an upsert, never a read).
    ``keys``: ``person_keys`` of its person, if the caller read them already."""
    if after != before:
        department_key = (keys or person_keys(response.person_id))[0]
        _apply(response.campaign_id, department_key, before, after)


def record_started(response: DiagnosticResponse, count: int = 1, *, keys=None) -> None:
    """The response got its first answer (``count=-1``: it lost it)."""
    (department_id, category), centre = keys or person_keys(response.person_id)
    keys = {
        "campaign_id": response.campaign_id,
        "department_id": department_id,
        "category": category,
    }
    if centre is not None:
        _add_centre(response.campaign_id, centre, respondents=count)
    _add(DiagnosticRespondentCount, keys, {"respondents": count})


def record_submitted(response: DiagnosticResponse) -> None:
    """The response was submitted for the first time."""
    centre = person_keys(response.person_id)[1]
    if centre is not None:
        _add_centre(response.campaign_id, centre, respondents=0, submitted=1)


# --- who may be asked, and who answered, per centre (the response rates) ----------------------


@dataclass(frozen=True)
class CentreKey:
    """Where a person counts in the centre rows: centre, category, and whether they may be
    asked (active, with an address) or count only because they answered (``listed=False``)."""

    centre_id: int
    category: str
    listed: bool


def centre_key(group: PersonGroup | None) -> CentreKey | None:
    if group is None or group.centre_id is None:
        return None
    listed = group.status == UserStatus.ACTIVE.value and group.has_email
    return CentreKey(group.centre_id, group.category, listed)


def _add_centre(campaign_id: int, key: CentreKey, *, respondents: int, submitted: int = 0):
    deltas = {"respondents": respondents, "submitted": submitted}
    deltas["unlisted"] = 0 if key.listed else respondents
    keys = {"campaign_id": campaign_id, "centre_id": key.centre_id, "category": key.category}
    _add(DiagnosticCentreCount, keys, deltas)


def record_people(changes: list[tuple[int, PersonGroup | None, PersonGroup | None]]) -> None:
    """People were created, deleted or changed status, address, centre or category
    (``accounts.signals.people_changed``): move them in the audience rows, and their
    started responses in the centre rows. A few statements per person changed."""
    moved = [
        (person_id, centre_key(before), centre_key(after), before is not None)
        for person_id, before, after in changes
        if centre_key(before) != centre_key(after)
    ]
    for _, old, new, _ in moved:
        for key, count in ((old, -1), (new, 1)):
            if key is not None and key.listed:
                keys = {"centre_id": key.centre_id, "category": key.category}
                _add(DiagnosticAudienceCount, keys, {"people": count})
    existing = [person_id for person_id, _, _, existed in moved if existed]
    if not existing:
        return  # new people have no response yet
    # Locked, as the answering operations lock them: an answer being saved now is counted
    # before it is moved, never lost.
    responses = db.session.execute(
        sa.select(
            DiagnosticResponse.person_id,
            DiagnosticResponse.campaign_id,
            DiagnosticResponse.started_at,
            DiagnosticResponse.submitted_at,
        )
        .where(DiagnosticResponse.person_id.in_(existing))
        .order_by(DiagnosticResponse.id)
        .with_for_update()
    ).all()
    keys = {person_id: (old, new) for person_id, old, new, _ in moved}
    for person_id, campaign_id, started_at, submitted_at in responses:
        if started_at is None:
            continue
        submitted = int(submitted_at is not None)
        for key, count in zip(keys[person_id], (-1, 1), strict=True):
            if key is not None:
                _add_centre(campaign_id, key, respondents=count, submitted=count * submitted)


def move_person(person_id: int, before: tuple[int, str]) -> None:
    """The person's key changed from ``before`` (category or centre): move what they count."""
    after = person_key(person_id)
    if after == before:
        return
    responses = db.session.execute(
        sa.select(
            DiagnosticResponse.id, DiagnosticResponse.campaign_id, DiagnosticResponse.started_at
        )
        .where(DiagnosticResponse.person_id == person_id)
        .order_by(DiagnosticResponse.campaign_id)
        .with_for_update()
    ).all()
    for response_id, campaign_id, started_at in responses:
        wishes = wishes_of(response_id)
        _apply(campaign_id, before, wishes, Wishes())
        _apply(campaign_id, after, Wishes(), wishes)
        if started_at is not None:
            for key, count in ((before, -1), (after, 1)):
                keys = {"campaign_id": campaign_id, "department_id": key[0], "category": key[1]}
                _add(DiagnosticRespondentCount, keys, {"respondents": count})


# --- rebuilding from the answers -------------------------------------------------------------


# An answer's weight in a score, and the answers that wish a training.
WEIGHT = sa.case(
    (SkillAnswer.wants_training == TrainingWish.PRIORITY, PRIORITY_WEIGHT),
    (SkillAnswer.wants_training == TrainingWish.YES, YES_WEIGHT),
    else_=0,
)
WANTS = SkillAnswer.wants_training.in_([TrainingWish.YES, TrainingWish.PRIORITY])


def _department():
    return sa.func.coalesce(Centre.department_id, NO_CENTRE)


def _of(campaign_id: int | None) -> list:
    return [] if campaign_id is None else [DiagnosticResponse.campaign_id == campaign_id]


def answers(*conditions) -> sa.Select:
    """SELECT FROM the skill answers joined to their response, person, centre (if any) and
    skill, WHERE ``conditions``; the caller adds its columns."""
    return (
        sa.select()
        .select_from(SkillAnswer)
        .join(DiagnosticResponse, DiagnosticResponse.id == SkillAnswer.response_id)
        .join(User, User.id == DiagnosticResponse.person_id)
        .outerjoin(Centre, Centre.id == User.centre_id)
        .join(DiagnosticSkill, DiagnosticSkill.id == SkillAnswer.skill_id)
        .where(*conditions)
    )


def _answers(campaign_id: int | None) -> sa.Select:
    return answers(WANTS, *_of(campaign_id))


def wish_sums(weight):
    """people, priority and score of rows of wishes weighing ``weight`` (WEIGHT, or a
    person's strongest wish)."""
    return (
        sa.func.count().label("people"),
        sa.func.sum(sa.case((weight == PRIORITY_WEIGHT, 1), else_=0)).label("priority"),
        sa.func.sum(weight).label("score"),
    )


def computed_theme_rows(campaign_id: int | None = None) -> sa.Select:
    """(campaign, theme, département, category, people, priority, score) from the answers."""
    per_person = (
        _answers(campaign_id)
        .add_columns(
            DiagnosticResponse.campaign_id.label("campaign_id"),
            DiagnosticSkill.theme_id.label("theme_id"),
            _department().label("department_id"),
            User.category.label("category"),
            sa.func.max(WEIGHT).label("weight"),
        )
        .group_by(
            DiagnosticResponse.campaign_id,
            DiagnosticSkill.theme_id,
            Centre.department_id,
            User.category,
            DiagnosticResponse.id,
        )
        .subquery()
    )
    c = per_person.c
    return sa.select(
        c.campaign_id, c.theme_id, c.department_id, c.category, *wish_sums(c.weight)
    ).group_by(c.campaign_id, c.theme_id, c.department_id, c.category)


def computed_skill_rows(campaign_id: int | None = None) -> sa.Select:
    return (
        _answers(campaign_id)
        .add_columns(
            DiagnosticResponse.campaign_id,
            SkillAnswer.skill_id,
            _department().label("department_id"),
            User.category,
            *wish_sums(WEIGHT),
        )
        .group_by(
            DiagnosticResponse.campaign_id,
            SkillAnswer.skill_id,
            Centre.department_id,
            User.category,
        )
    )


def computed_respondent_rows(campaign_id: int | None = None) -> sa.Select:
    return (
        sa.select(
            DiagnosticResponse.campaign_id,
            _department().label("department_id"),
            User.category,
            sa.func.count().label("respondents"),
        )
        .select_from(DiagnosticResponse)
        .join(User, User.id == DiagnosticResponse.person_id)
        .outerjoin(Centre, Centre.id == User.centre_id)
        .where(DiagnosticResponse.started_at.is_not(None), *_of(campaign_id))
        .group_by(DiagnosticResponse.campaign_id, Centre.department_id, User.category)
    )


def _listed():
    return sa.and_(User.status == UserStatus.ACTIVE, User.email.is_not(None))


def computed_centre_rows(campaign_id: int | None = None) -> sa.Select:
    """(campaign, centre, category, respondents, submitted, unlisted) from the responses."""
    return (
        sa.select(
            DiagnosticResponse.campaign_id,
            User.centre_id,
            User.category,
            sa.func.count().label("respondents"),
            sa.func.count(DiagnosticResponse.submitted_at).label("submitted"),
            sa.func.sum(sa.case((_listed(), 0), else_=1)).label("unlisted"),
        )
        .select_from(DiagnosticResponse)
        .join(User, User.id == DiagnosticResponse.person_id)
        .where(
            DiagnosticResponse.started_at.is_not(None),
            User.centre_id.is_not(None),
            *_of(campaign_id),
        )
        .group_by(DiagnosticResponse.campaign_id, User.centre_id, User.category)
    )


def computed_audience_rows(campaign_id: int | None = None) -> sa.Select | None:
    """(centre, category, people) of the people who may be asked (not per campaign: None
    when one campaign is rebuilt)."""
    if campaign_id is not None:
        return None
    return (
        sa.select(User.centre_id, User.category, sa.func.count().label("people"))
        .where(_listed(), User.centre_id.is_not(None))
        .group_by(User.centre_id, User.category)
    )


SUMMARIES = (
    (DiagnosticThemeCount, computed_theme_rows),
    (DiagnosticSkillCount, computed_skill_rows),
    (DiagnosticRespondentCount, computed_respondent_rows),
    (DiagnosticCentreCount, computed_centre_rows),
    (DiagnosticAudienceCount, computed_audience_rows),
)


def rebuild(campaign_id: int | None = None) -> dict[str, int]:
    """Recompute the summary rows (of one campaign, or all) from the answers.

    Return the rows written per table.
    """
    written = {}
    for model, computed in SUMMARIES:
        table = model.__table__
        query = computed(campaign_id)
        if query is None:
            continue
        delete = sa.delete(table)
        if campaign_id is not None:
            delete = delete.where(table.c.campaign_id == campaign_id)
        db.session.execute(delete)
        names = [column.name for column in query.selected_columns]
        result = db.session.execute(sa.insert(table).from_select(names, query))
        written[table.name] = result.rowcount
    db.session.flush()
    return written


def stored_rows(model) -> set[tuple]:
    """The rows of a summary table that count something (zero rows are as good as none)."""
    table = model.__table__
    values = [column for column in table.columns if not column.primary_key]
    rows = db.session.execute(sa.select(table).where(sa.or_(*(c != 0 for c in values))))
    return {tuple(category_value(v) for v in row) for row in rows}
