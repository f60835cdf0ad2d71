"""Aggregated results of a campaign: every figure is a SQL GROUP BY, never a loop over answers.

Weighting of the ranked needs (like the vote ranking of the Moselle workshop, where each
participant's choices add up to a score): "oui, en priorité" counts **2**, "oui" counts **1**,
"non" counts 0. For a theme, a person counts once, with their strongest wish on its skills.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from reseau.accounts.models import Category, Centre, Department, User
from reseau.catalogue.models import Audience, SessionStatus, Theme, TrainingSession
from reseau.core import cache
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.http import RawQuery, session_reader
from reseau.diagnostic.models import (
    DiagnosticAudienceCount,
    DiagnosticCampaign,
    DiagnosticCentreCount,
    DiagnosticQuestion,
    DiagnosticRespondentCount,
    DiagnosticResponse,
    DiagnosticSkill,
    DiagnosticSkillCount,
    DiagnosticThemeCount,
    QuestionAnswer,
    SkillAnswer,
)
from reseau.diagnostic.operations import AUDIENCE_CATEGORIES
from reseau.diagnostic.queries import results_default_order
from reseau.diagnostic.rollups import NO_CENTRE, WANTS, WEIGHT, answers, wish_sums

FREE_TEXT_LIMIT = 50
CENTRE_LIMIT = 300

# The tables the results page reads (``core.cache.kept``: a write to one of them computes the
# page again): the network's needs from the summary rows, a centre's part from its people's
# answers. tests/diagnostic/test_kept_results.py checks them against what the page reads.
_READ_BY_BOTH = frozenset(
    {
        "centre", "department", "diagnostic_audience_count", "diagnostic_campaign",
        "diagnostic_centre_count", "diagnostic_question", "diagnostic_response",
        "diagnostic_skill", "question_answer", "theme", "training_session", "user",
    }
)  # fmt: skip
NETWORK_TABLES = _READ_BY_BOTH | {
    "diagnostic_respondent_count",
    "diagnostic_skill_count",
    "diagnostic_theme_count",
}
CENTRE_TABLES = _READ_BY_BOTH | {"skill_answer"}


def results_tables(centre_id: int | None) -> frozenset[str]:
    """The tables the results of the network (``centre_id`` None) or of a centre read."""
    return NETWORK_TABLES if centre_id is None else CENTRE_TABLES


def _campaign_query(chosen: bool, centre: bool) -> RawQuery:
    """The campaign's columns and the counters of the tables its results read, in one
    statement compiled once: the ``campaign_id`` given, or the latest one someone answered,
    else the latest one (``queries.results_default_order``)."""

    def build() -> sa.Select:
        tables = CENTRE_TABLES if centre else NETWORK_TABLES
        query = sa.select(
            DiagnosticCampaign.id,
            DiagnosticCampaign.title,
            DiagnosticCampaign.audience,
            cache.counters_column(tables).label("counters"),
        )
        if chosen:
            return query.where(DiagnosticCampaign.id == sa.bindparam("campaign_id"))
        return query.order_by(*results_default_order()).limit(1)

    return RawQuery(build)


_CAMPAIGN_QUERIES = {
    (chosen, centre): _campaign_query(chosen, centre)
    for chosen in (False, True)
    for centre in (False, True)
}


class ResultsCampaign(NamedTuple):
    """What the results read of their campaign (``Filters.campaign``)."""

    id: int
    title: str
    audience: Audience


def campaign_and_counters(
    campaign_id: int | None, centre_id: int | None
) -> tuple[ResultsCampaign | None, dict[str, int]]:
    """The results' campaign (``campaign_id``, else the default one; None: there is no
    such campaign) and the counters of ``results_tables(centre_id)``, read together on the
    request's own transaction (the snapshot the figures are then read in, on SQLite)."""
    query = _CAMPAIGN_QUERIES[campaign_id is not None, centre_id is not None]
    parameters = {} if campaign_id is None else {"campaign_id": campaign_id}
    row = session_reader().first(query, parameters)
    if row is None:
        return None, {}
    return ResultsCampaign(row.id, row.title, row.audience), cache.read_counters(row.counters)


@dataclass
class Filters:
    """What the results are restricted to; ``centre_id`` is forced for a referent. The
    campaign: a ``DiagnosticCampaign`` or its ``ResultsCampaign`` (its id, title, audience)."""

    campaign: DiagnosticCampaign | ResultsCampaign
    department_id: int | None = None
    category: Category | None = None
    centre_id: int | None = None

    def people_conditions(self) -> list:
        """Conditions on ``User`` and ``Centre`` (joined by the caller)."""
        conditions = []
        if self.department_id is not None:
            conditions.append(Centre.department_id == self.department_id)
        if self.category is not None:
            conditions.append(User.category == self.category)
        if self.centre_id is not None:
            conditions.append(User.centre_id == self.centre_id)
        return conditions


@dataclass
class Cell:
    people: int = 0
    priority: int = 0
    score: int = 0
    respondents: int = 0  # who answered in the cell's département (the rate's denominator)

    @property
    def percent(self) -> int:
        """Share of the département's respondents who ask for the theme, in %."""
        return round(100 * self.people / self.respondents) if self.respondents else 0


@dataclass
class ThemeNeed:
    theme: Theme
    people: int = 0
    priority: int = 0
    score: int = 0
    top_department_id: int | None = None
    covered: bool = False
    cells: dict = field(default_factory=dict)


def _answers(filters: Filters) -> sa.Select:
    """SELECT FROM answers joined to their response, person and centre, filtered."""
    return answers(
        DiagnosticResponse.campaign_id == filters.campaign.id, *filters.people_conditions()
    )


def theme_department_cells(filters: Filters) -> list[sa.Row]:
    """Rows (theme_id, department_id, people, priority, score): one per heat-map cell.

    A person counts once per theme, with the strongest wish they gave on its skills. Read from
    the summary rows (rollups.py); a centre's part, a few dozen people, from the answers.
    """
    if filters.centre_id is not None:
        return theme_department_cells_from_answers(filters)
    count = DiagnosticThemeCount
    department = sa.func.nullif(count.department_id, NO_CENTRE)
    return db.session.execute(
        sa.select(
            count.theme_id,
            department.label("department_id"),
            sa.func.sum(count.people).label("people"),
            sa.func.sum(count.priority).label("priority"),
            sa.func.sum(count.score).label("score"),
        )
        .where(*_count_conditions(count, filters), count.people > 0)
        .group_by(count.theme_id, department)
    ).all()


def _count_conditions(count, filters: Filters) -> list:
    """``filters`` (without a centre) on a summary table."""
    conditions = [count.campaign_id == filters.campaign.id]
    if filters.department_id is not None:
        conditions.append(count.department_id == filters.department_id)
    if filters.category is not None:
        conditions.append(count.category == filters.category.value)
    return conditions


def theme_department_cells_from_answers(filters: Filters) -> list[sa.Row]:
    """The same rows as ``theme_department_cells``, computed from the answers themselves."""
    per_person = (
        _answers(filters)
        .add_columns(
            DiagnosticSkill.theme_id.label("theme_id"),
            Centre.department_id.label("department_id"),
            DiagnosticResponse.id.label("response_id"),
            sa.func.max(WEIGHT).label("weight"),
        )
        .where(WANTS)
        .group_by(DiagnosticSkill.theme_id, Centre.department_id, DiagnosticResponse.id)
        .subquery()
    )
    return db.session.execute(
        sa.select(
            per_person.c.theme_id,
            per_person.c.department_id,
            *wish_sums(per_person.c.weight),
        ).group_by(per_person.c.theme_id, per_person.c.department_id)
    ).all()


def skill_ranking(filters: Filters) -> list[sa.Row]:
    """Rows (skill, theme_name, people, priority, score), best score first (summary rows)."""
    if filters.centre_id is not None:
        return skill_ranking_from_answers(filters)
    count = DiagnosticSkillCount
    return db.session.execute(
        sa.select(
            DiagnosticSkill,
            Theme.name.label("theme_name"),
            sa.func.sum(count.people).label("people"),
            sa.func.sum(count.priority).label("priority"),
            sa.func.sum(count.score).label("score"),
        )
        .select_from(count)
        .join(DiagnosticSkill, DiagnosticSkill.id == count.skill_id)
        .join(Theme, Theme.id == DiagnosticSkill.theme_id)
        .where(*_count_conditions(count, filters))
        .group_by(DiagnosticSkill.id, Theme.name)
        .having(sa.func.sum(count.people) > 0)
        .order_by(sa.desc("score"), sa.desc("priority"), DiagnosticSkill.title)
    ).all()


def skill_ranking_from_answers(filters: Filters) -> list[sa.Row]:
    return db.session.execute(
        _answers(filters)
        .add_columns(
            DiagnosticSkill,
            Theme.name.label("theme_name"),
            *wish_sums(WEIGHT),
        )
        .join(Theme, Theme.id == DiagnosticSkill.theme_id)
        .where(WANTS)
        .group_by(DiagnosticSkill.id, Theme.name)
        .order_by(sa.desc("score"), sa.desc("priority"), DiagnosticSkill.title)
    ).all()


def campaign_themes(campaign: DiagnosticCampaign) -> list[Theme]:
    """The themes of the campaign's questionnaire, in the catalogue's order."""
    return list(
        db.session.scalars(
            sa.select(Theme)
            .where(
                Theme.id.in_(
                    sa.select(DiagnosticSkill.theme_id).where(
                        DiagnosticSkill.campaign_id == campaign.id
                    )
                )
            )
            .order_by(Theme.position, Theme.name)
        )
    )


def covered_themes() -> dict[int, datetime | None]:
    """Themes that have a published session still to come ("besoin couvert"), each with
    when its first such session starts (the need is no longer covered by it from then)."""
    rows = db.session.execute(
        sa.select(TrainingSession.theme_id, sa.func.min(TrainingSession.starts_at))
        .where(
            TrainingSession.theme_id.is_not(None),
            TrainingSession.status == SessionStatus.PUBLISHED,
            sa.or_(TrainingSession.starts_at.is_(None), TrainingSession.starts_at >= utcnow()),
        )
        .group_by(TrainingSession.theme_id)
    )
    return dict(rows.all())


def theme_needs(
    filters: Filters, *, heat_map: bool = True, covered: dict | None = None
) -> tuple[list[ThemeNeed], list[Department | None]]:
    """Return the ranked needs per theme (with their heat-map cells) and the map's columns.

    ``heat_map=False`` (the bilan) skips the map's columns and the "besoin couvert" flags,
    two queries the bilan does not show. ``covered``: ``covered_themes()``, when the caller
    read it already.
    """
    themes = campaign_themes(filters.campaign)
    needs = {theme.id: ThemeNeed(theme=theme) for theme in themes}
    department_ids = set()
    for row in theme_department_cells(filters):
        need = needs.get(row.theme_id)
        if need is None:
            continue
        cell = Cell(people=row.people, priority=int(row.priority), score=int(row.score))
        need.cells[row.department_id] = cell
        need.people += cell.people
        need.priority += cell.priority
        need.score += cell.score
        department_ids.add(row.department_id)
    if covered is None:
        covered = covered_themes() if heat_map else {}
    for need in needs.values():
        need.covered = need.theme.id in covered
        if need.cells:
            best = max(need.cells.items(), key=lambda item: (item[1].score, item[1].people))
            need.top_department_id = best[0]
    columns = _department_columns(filters, department_ids) if heat_map else []
    ranked = sorted(needs.values(), key=lambda n: (-n.score, -n.priority, n.theme.name))
    return ranked, columns


def theme_totals(campaign_ids: list[int], centre_id: int | None = None) -> list[tuple]:
    """(theme, people, score) of several campaigns added up, in two queries: the themes of
    their questionnaires, and their needs (summary rows; a centre's from its answers)."""
    themes = list(
        db.session.scalars(
            sa.select(Theme)
            .where(
                Theme.id.in_(
                    sa.select(DiagnosticSkill.theme_id).where(
                        DiagnosticSkill.campaign_id.in_(campaign_ids)
                    )
                )
            )
            .order_by(Theme.position, Theme.name)
        )
    )
    if centre_id is None:
        count = DiagnosticThemeCount
        query = (
            sa.select(count.theme_id, sa.func.sum(count.people), sa.func.sum(count.score))
            .where(count.campaign_id.in_(campaign_ids))
            .group_by(count.theme_id)
        )
    else:
        per_person = (
            answers(
                DiagnosticResponse.campaign_id.in_(campaign_ids), User.centre_id == centre_id, WANTS
            )
            .add_columns(
                DiagnosticSkill.theme_id.label("theme_id"),
                sa.func.max(WEIGHT).label("weight"),
            )
            .group_by(DiagnosticSkill.theme_id, DiagnosticResponse.id)
            .subquery()
        )
        query = sa.select(
            per_person.c.theme_id, sa.func.count(), sa.func.sum(per_person.c.weight)
        ).group_by(per_person.c.theme_id)
    sums = {
        theme_id: (int(people or 0), int(score or 0))
        for theme_id, people, score in db.session.execute(query)
    }
    return [(theme, *sums.get(theme.id, (0, 0))) for theme in themes]


def _department_columns(filters: Filters, with_data: set) -> list[Department | None]:
    query = sa.select(Department).order_by(Department.code)
    if filters.department_id is not None:
        query = query.where(Department.id == filters.department_id)
    elif filters.centre_id is not None:
        query = query.where(
            Department.id
            == sa.select(Centre.department_id)
            .where(Centre.id == filters.centre_id)
            .scalar_subquery()
        )
    columns: list[Department | None] = list(db.session.scalars(query))
    if None in with_data:
        columns.append(None)  # people without a centre
    return columns


def max_cell(needs: list[ThemeNeed]) -> int:
    return max((cell.people for need in needs for cell in need.cells.values()), default=0)


def heat_level(value: int, maximum: int) -> int:
    """Return the colour step 0–4 of a cell (0 for an empty cell)."""
    if value <= 0 or maximum <= 0:
        return 0
    return max(1, min(4, -(-value * 4 // maximum)))


@dataclass
class Rate:
    label: str
    eligible: int
    answered: int
    submitted: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.eligible) if self.eligible else 0


def _rate_rows(filters: Filters) -> sa.Subquery:
    """Per centre and category: (centre_id, category, eligible, answered, submitted), from
    the summary rows (a few per centre), filtered.

    Eligible: everyone in the campaign's audience who may be asked (active, with an
    address), plus anyone else who answered anyway (outside the audience's categories, or
    no longer active).
    """
    campaign = filters.campaign
    audience = [category.value for category in AUDIENCE_CATEGORIES[campaign.audience]]
    people, answers = DiagnosticAudienceCount, DiagnosticCentreCount
    outside = sa.case((answers.category.in_(audience), answers.unlisted), else_=answers.respondents)
    zero = sa.literal(0)
    return sa.union_all(
        sa.select(
            people.centre_id,
            people.category,
            people.people.label("eligible"),
            zero.label("respondents"),
            zero.label("submitted"),
        ).where(people.category.in_(audience), *_centre_conditions(people, filters)),
        sa.select(
            answers.centre_id,
            answers.category,
            outside,
            answers.respondents,
            answers.submitted,
        ).where(answers.campaign_id == campaign.id, *_centre_conditions(answers, filters)),
    ).subquery()


def _centre_conditions(count, filters: Filters) -> list:
    conditions = []
    if filters.category is not None:
        conditions.append(count.category == filters.category.value)
    if filters.centre_id is not None:
        conditions.append(count.centre_id == filters.centre_id)
    if filters.department_id is not None:
        conditions.append(
            count.centre_id.in_(
                sa.select(Centre.id).where(Centre.department_id == filters.department_id)
            )
        )
    return conditions


def _rate_query(filters: Filters) -> sa.Select:
    """Rows (level, département code and name, centre name and id, eligible, answered,
    submitted): level 0 per département, level 1 for the first ``CENTRE_LIMIT`` centres in
    the order shown; from a few summary rows per centre, added up by centre id before the
    centres are named (no grouping on names)."""
    rows = _rate_rows(filters)
    eligible, answered = sa.func.sum(rows.c.eligible), sa.func.sum(rows.c.respondents)
    per_centre = (
        sa.select(
            rows.c.centre_id,
            eligible.label("eligible"),
            answered.label("answered"),
            sa.func.sum(rows.c.submitted).label("submitted"),
        )
        .group_by(rows.c.centre_id)
        .having(sa.or_(eligible > 0, answered > 0))
        .subquery()
    )
    named = (
        sa.select(
            Department.code,
            Department.name.label("department"),
            Centre.name.label("centre"),
            Centre.id.label("centre_id"),
            per_centre.c.eligible,
            per_centre.c.answered,
            per_centre.c.submitted,
        )
        .select_from(per_centre)
        .join(Centre, Centre.id == per_centre.c.centre_id)
        .join(Department, Department.id == Centre.department_id)
        .cte("named")
    )
    figures = (named.c.eligible, named.c.answered, named.c.submitted)
    departments = sa.select(
        sa.literal(0).label("level"),
        named.c.code,
        named.c.department,
        sa.cast(sa.null(), sa.String).label("centre"),
        sa.cast(sa.null(), sa.Integer).label("rank"),
        *(sa.func.sum(figure) for figure in figures),
    ).group_by(named.c.code, named.c.department)
    order = (named.c.code, named.c.department, named.c.centre, named.c.centre_id)
    # The union keeps no order: each centre carries its rank in the database's collation.
    first_centres = (
        sa.select(
            sa.literal(1),
            *order[:3],
            sa.func.row_number().over(order_by=order),
            *figures,
        )
        .order_by(*order)
        .limit(CENTRE_LIMIT)
        .subquery()
    )
    return sa.union_all(departments, sa.select(first_centres))


def rates(filters: Filters) -> tuple[list[Rate], list[Rate]]:
    """Response rates per département and per centre (the first ``CENTRE_LIMIT``, in order),
    in one statement over the summary rows (a few per centre, whatever the number of
    people): the départements' totals added up in the database, so that only the centres
    shown come back (not the thousands of a national network)."""
    departments, centres = [], []
    for level, code, name, centre, rank, *figures in db.session.execute(_rate_query(filters)):
        eligible, answered, submitted = (int(value or 0) for value in figures)
        if level == 0:
            rate = Rate(f"{code} – {name}", eligible, answered, submitted)
            departments.append((code, name, rate))
        else:
            centres.append((rank, Rate(f"{centre} ({code})", eligible, answered, submitted)))
    departments.sort(key=lambda row: row[:2])
    centres.sort(key=lambda row: row[0])
    return [row[-1] for row in departments], [row[-1] for row in centres]


def department_rates(filters: Filters) -> list[Rate]:
    return rates(filters)[0]


def centre_rates(filters: Filters) -> list[Rate]:
    return rates(filters)[1]


def free_texts(filters: Filters) -> list[sa.Row]:
    """The latest "other needs" and free-text answers (without names): (prompt, text, category, department)."""
    base = (
        sa.select()
        .select_from(DiagnosticResponse)
        .join(User, User.id == DiagnosticResponse.person_id)
        .outerjoin(Centre, Centre.id == User.centre_id)
        .outerjoin(Department, Department.id == Centre.department_id)
        .where(DiagnosticResponse.campaign_id == filters.campaign.id, *filters.people_conditions())
    )
    other = base.add_columns(
        sa.literal("Autres besoins").label("prompt"),
        DiagnosticResponse.other_needs.label("text"),
        User.category.label("category"),
        Department.code.label("department"),
        DiagnosticResponse.updated_at.label("at"),
    ).where(DiagnosticResponse.other_needs != "")
    answers = (
        base.add_columns(
            DiagnosticQuestion.prompt.label("prompt"),
            QuestionAnswer.text.label("text"),
            User.category.label("category"),
            Department.code.label("department"),
            DiagnosticResponse.updated_at.label("at"),
        )
        .join(QuestionAnswer, QuestionAnswer.response_id == DiagnosticResponse.id)
        .join(DiagnosticQuestion, DiagnosticQuestion.id == QuestionAnswer.question_id)
        .where(QuestionAnswer.text != "")
    )
    # The latest of each kind first (each an ordered, limited scan), then the latest of both:
    # a union sorted as a whole would sort every text of the campaign.
    rows = [
        *db.session.execute(other.order_by(sa.desc("at")).limit(FREE_TEXT_LIMIT)),
        *db.session.execute(answers.order_by(sa.desc("at")).limit(FREE_TEXT_LIMIT)),
    ]
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:FREE_TEXT_LIMIT]


def respondents_by_department(filters: Filters) -> dict[int | None, int]:
    """Respondents per département (None: people without a centre), for the map's rates."""
    if filters.centre_id is not None:
        rows = db.session.execute(
            sa.select(Centre.department_id, sa.func.count(DiagnosticResponse.id))
            .join(User, User.id == DiagnosticResponse.person_id)
            .outerjoin(Centre, Centre.id == User.centre_id)
            .where(
                DiagnosticResponse.campaign_id == filters.campaign.id,
                DiagnosticResponse.started_at.is_not(None),
                *filters.people_conditions(),
            )
            .group_by(Centre.department_id)
        )
    else:
        count = DiagnosticRespondentCount
        department = sa.func.nullif(count.department_id, NO_CENTRE)
        rows = db.session.execute(
            sa.select(department, sa.func.sum(count.respondents))
            .where(*_count_conditions(count, filters))
            .group_by(department)
        )
    return {department_id: int(n or 0) for department_id, n in rows}


def with_rates(needs: list[ThemeNeed], respondents: dict) -> int:
    """Give every cell its département's respondents; return the highest share (in %)."""
    highest = 0
    for need in needs:
        for department_id, cell in need.cells.items():
            cell.respondents = respondents.get(department_id, 0)
            highest = max(highest, cell.percent)
    return highest


def respondent_count(filters: Filters) -> int:
    if filters.centre_id is not None:
        return respondent_count_from_answers(filters)
    count = DiagnosticRespondentCount
    total = db.session.scalar(
        sa.select(sa.func.sum(count.respondents)).where(*_count_conditions(count, filters))
    )
    return int(total or 0)


def respondent_count_from_answers(filters: Filters) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(DiagnosticResponse.id))
        .join(User, User.id == DiagnosticResponse.person_id)
        .outerjoin(Centre, Centre.id == User.centre_id)
        .where(
            DiagnosticResponse.campaign_id == filters.campaign.id,
            DiagnosticResponse.started_at.is_not(None),
            *filters.people_conditions(),
        )
    )


def skill_department_rows(filters: Filters) -> list[sa.Row]:
    """Rows for the aggregated CSV: theme, skill, département, people, priority, score."""
    return db.session.execute(
        _answers(filters)
        .add_columns(
            Theme.name.label("theme"),
            DiagnosticSkill.title.label("skill"),
            Department.code.label("department_code"),
            Department.name.label("department_name"),
            *wish_sums(WEIGHT),
        )
        .join(Theme, Theme.id == DiagnosticSkill.theme_id)
        .outerjoin(Department, Department.id == Centre.department_id)
        .where(WANTS)
        .group_by(
            Theme.name,
            DiagnosticSkill.id,
            DiagnosticSkill.title,
            Department.code,
            Department.name,
        )
        .order_by(Theme.name, DiagnosticSkill.title, Department.code)
    ).all()


def raw_answer_rows(campaign: DiagnosticCampaign):
    """Yield the raw answers of ``campaign`` (coordinator's export), streamed from the database."""
    query = (
        answers(DiagnosticResponse.campaign_id == campaign.id)
        .add_columns(
            User.last_name,
            User.first_name,
            User.category,
            Centre.name.label("centre"),
            Department.code.label("department"),
            Theme.name.label("theme"),
            DiagnosticSkill.title.label("skill"),
            SkillAnswer.level,
            SkillAnswer.wants_training,
        )
        .outerjoin(Department, Department.id == Centre.department_id)
        .join(Theme, Theme.id == DiagnosticSkill.theme_id)
        .order_by(User.last_name, User.first_name, User.id, DiagnosticSkill.position)
        .execution_options(yield_per=500)
    )
    result = db.session.execute(query)
    try:
        yield from result
    finally:
        result.close()  # an abandoned download must not leave a server-side cursor open


def page_figures(filters: Filters) -> dict:
    """Everything the results page shows for ``filters`` (a fixed number of queries), and
    ``covered_until``: when the first session said to cover a need starts (None: none)."""
    covered = covered_themes()
    needs, columns = theme_needs(filters, covered=covered)
    by_department = respondents_by_department(filters)
    department_rows, centre_rows = rates(filters)
    return {
        "needs": needs,
        "columns": columns,
        "maximum": max_cell(needs),
        "maximum_percent": with_rates(needs, by_department),
        "respondents_by_department": by_department,
        "skills": skill_ranking(filters),
        "department_rates": department_rows,
        "centre_rates": centre_rows,
        "texts": free_texts(filters),
        "respondents": sum(by_department.values()),
        "covered_until": min(filter(None, covered.values()), default=None),
    }
