"""The diagnostic's summary rows: what the operations keep equals what ``rebuild`` recomputes
from the answers, after random sequences of answers, people moving and centres moving, and
the results page reads from them the same figures the answers give."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from reseau.accounts.models import Category, Centre, Department, User, UserStatus
from reseau.accounts.operations import disable_person, enable_person, update_person
from reseau.accounts.signals import centre_regrouped
from reseau.core.extensions import db
from reseau.diagnostic import operations, results, rollups
from reseau.diagnostic.models import (
    AUDIENCE_CATEGORIES,
    DiagnosticResponse,
    DiagnosticSkillCount,
    SkillLevel,
    TrainingWish,
)
from reseau.privacy.operations import anonymise_person
from tests.diagnostic.fixtures import add_skill, make_campaign
from tests.factories import make_centre, make_coordinator, make_department, make_theme, make_user

CATEGORIES = [Category.BENEVOLE, Category.SALARIE, Category.ELU]
WISHES = [None, TrainingWish.NO, TrainingWish.YES, TrainingWish.PRIORITY]


def _world(rng):
    departments = [make_department() for _ in range(3)]
    centres = [make_centre(department=rng.choice(departments)) for _ in range(4)]
    themes = [make_theme() for _ in range(3)]
    campaigns = [make_campaign(title=f"Diagnostic {n}") for n in range(2)]
    skills = {
        campaign.id: [
            add_skill(campaign, rng.choice(themes), f"Compétence {n}", n) for n in range(5)
        ]
        for campaign in campaigns
    }
    people = [
        make_user(centre=rng.choice([*centres, None]), category=rng.choice(CATEGORIES))
        for _ in range(10)
    ]
    db.session.flush()
    return departments, centres, campaigns, skills, people


def _answer(rng, campaigns, skills, people):
    campaign = rng.choice(campaigns)
    response = operations.get_or_create_response(campaign, rng.choice(people))
    chosen = rng.sample(skills[campaign.id], rng.randint(1, 3))
    answers = [(skill, rng.choice([None, *SkillLevel]), rng.choice(WISHES)) for skill in chosen]
    if len(answers) == 1:
        skill, level, wish = answers[0]
        operations.save_skill_answer(response, skill, level=level, wants_training=wish)
    else:
        operations.save_answers(response, answers)


def _move_person(rng, centres, people, actor):
    person = rng.choice([person for person in people if person.email])
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "category": rng.choice(CATEGORIES).value,
        "email": person.email,
        "centre": rng.choice([*centres, None]),
    }
    update_person(person, data, actor=actor)


def _change_person(rng, centres, people, actor):
    """A person joins, leaves, comes back or is anonymised: who may be asked changes."""
    roll = rng.random()
    if roll < 0.3:
        status = rng.choice([UserStatus.ACTIVE, UserStatus.ACTIVE, UserStatus.INVITED])
        people.append(
            make_user(
                centre=rng.choice([*centres, None]),
                category=rng.choice(CATEGORIES),
                status=status,
            )
        )
    elif roll < 0.6:
        disable_person(rng.choice(people), actor=actor)
    elif roll < 0.85:
        enable_person(rng.choice(people), actor=actor)
    else:
        anonymise_person(rng.choice(people), actor=actor)


def _submit(rng, campaigns, people):
    response = operations.get_or_create_response(rng.choice(campaigns), rng.choice(people))
    operations.submit_response(response)


def _move_centre(rng, departments, centres):
    centre = rng.choice(centres)
    before = centre.department_id
    centre.department_id = rng.choice(departments).id
    db.session.flush()
    if centre.department_id != before:
        centre_regrouped.send(centre, department_id=before)


def _kept_and_rebuilt():
    kept = {model: rollups.stored_rows(model) for model, _ in rollups.SUMMARIES}
    rollups.rebuild()
    rebuilt = {model: rollups.stored_rows(model) for model, _ in rollups.SUMMARIES}
    return kept, rebuilt


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_rows_equal_rebuilt_rows_after_random_operations(app, seed):
    rng = random.Random(seed)
    departments, centres, campaigns, skills, people = _world(rng)
    actor = make_coordinator()
    db.session.commit()
    for step in range(100):
        roll = rng.random()
        if roll < 0.6:
            _answer(rng, campaigns, skills, people)
        elif roll < 0.68:
            _submit(rng, campaigns, people)
        elif roll < 0.8:
            _move_person(rng, centres, people, actor)
        elif roll < 0.92:
            _change_person(rng, centres, people, actor)
        else:
            _move_centre(rng, departments, centres)
        if step % 7 == 0:
            db.session.commit()
    db.session.commit()
    filters = [
        results.Filters(campaign, department_id=department, category=category)
        for campaign in campaigns
        for department in [None, *(d.id for d in departments)]
        for category in [None, *CATEGORIES]
    ]
    read = [_figures(f) for f in filters]
    kept, rebuilt = _kept_and_rebuilt()
    assert any(kept.values())  # the sequence did count something
    for model, rows in kept.items():
        assert rows == rebuilt[model], model.__tablename__
    # The page reads from the rows what the answers themselves give.
    for f, figures in zip(filters, read, strict=True):
        assert figures == _figures_from_answers(f)


def _figures(filters):
    cells = {tuple(row) for row in results.theme_department_cells(filters)}
    skills = {(row[0].id, *row[2:]) for row in results.skill_ranking(filters)}
    return cells, skills, results.respondent_count(filters), results.rates(filters)


def _figures_from_answers(filters):
    cells = {tuple(row) for row in results.theme_department_cells_from_answers(filters)}
    skills = {(row[0].id, *row[2:]) for row in results.skill_ranking_from_answers(filters)}
    return (
        cells,
        skills,
        results.respondent_count_from_answers(filters),
        _rates_from_people(filters),
    )


def _rates_from_people(filters):
    """The response rates computed from the people and responses themselves."""
    audience = AUDIENCE_CATEGORIES[filters.campaign.audience]
    people = db.session.scalars(
        sa.select(User).join(Centre).where(*filters.people_conditions())
    ).all()
    responses = {
        response.person_id: response
        for response in db.session.scalars(
            sa.select(DiagnosticResponse).where(
                DiagnosticResponse.campaign_id == filters.campaign.id
            )
        )
    }
    counts = {}
    for person in people:
        response = responses.get(person.id)
        answered = response is not None and response.started_at is not None
        listed = person.status == UserStatus.ACTIVE and person.email is not None
        eligible = (listed and person.category in audience) or answered
        if not (eligible or answered):
            continue
        centre = person.centre
        department = db.session.get(Department, centre.department_id)
        row = counts.setdefault(
            (department.code, department.name, centre.name, centre.id), [0, 0, 0]
        )
        row[0] += eligible
        row[1] += answered
        row[2] += answered and response.submitted_at is not None
    departments = {}
    for (code, name, _, _), (eligible, answered, submitted) in sorted(counts.items()):
        total = departments.setdefault((code, name), results.Rate(f"{code} – {name}", 0, 0, 0))
        total.eligible += eligible
        total.answered += answered
        total.submitted += submitted
    centres = [
        results.Rate(f"{centre} ({code})", *values)
        for (code, _, centre, _), values in sorted(counts.items())
    ]
    return list(departments.values()), centres


def test_rebuild_rollups_command_counts_rows_written_directly(app):
    rng = random.Random(7)
    _, _, campaigns, skills, people = _world(rng)
    for person in people[:4]:
        response = operations.get_or_create_response(campaigns[0], person)
        operations.save_skill_answer(
            response, skills[campaigns[0].id][0], wants_training=TrainingWish.PRIORITY
        )
    db.session.commit()
    kept = rollups.stored_rows(DiagnosticSkillCount)
    db.session.execute(sa.delete(DiagnosticSkillCount))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rebuild-rollups"])
    assert result.exit_code == 0, result.output
    assert "diagnostic_skill_count" in result.output
    db.session.remove()
    assert rollups.stored_rows(DiagnosticSkillCount) == kept
