"""The people counts (issue 21): kept by every write of a person = rebuilt from the people."""

from __future__ import annotations

import random

import pytest

from reseau.accounts import counts, operations
from reseau.accounts.models import PeopleCount, UserStatus
from reseau.core.extensions import db
from reseau.main.queries import coordinator_summary
from reseau.privacy.operations import anonymise_person
from tests.factories import make_centre, make_coordinator, make_user


def _kept() -> set[tuple]:
    return counts.stored_rows()


def _rebuilt() -> set[tuple]:
    return {(r["status"], r["centre_id"], r["people"]) for r in counts.count_rows() if r["people"]}


def test_a_new_person_and_a_status_change_move_the_counts(app):
    centre = make_centre()
    coordinator = make_coordinator()
    person = make_user(centre=centre, status=UserStatus.PENDING)
    assert coordinator_summary()["pending_people"] == 1
    active = coordinator_summary()["people"]
    operations.approve_person(person, actor=coordinator)
    assert coordinator_summary()["pending_people"] == 0
    assert coordinator_summary()["people"] == active + 1
    assert _kept() == _rebuilt()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_counts_equal_rebuilt_after_random_writes(app, seed):
    rng = random.Random(seed)
    coordinator = make_coordinator()
    centres = [make_centre() for _ in range(3)]
    people = [
        make_user(
            centre=rng.choice([*centres, None]),
            status=rng.choice([UserStatus.ACTIVE, UserStatus.PENDING, UserStatus.INVITED]),
        )
        for _ in range(8)
    ]
    for _ in range(40):
        person = rng.choice(people)
        step = rng.randrange(8)
        if rng.random() < 0.3:
            db.session.expire_all()  # the old values are not loaded when they change
        if step == 0:
            operations.disable_person(person, actor=coordinator)
        elif step == 1:
            operations.enable_person(person, actor=coordinator)
        elif step == 2:
            operations.approve_person(person, actor=coordinator)
        elif step == 3:
            person.centre = rng.choice([*centres, None])
        elif step == 4:
            person.centre_id = rng.choice(centres).id
            person.status = rng.choice(list(UserStatus))
        elif step == 5:
            people.append(make_user(centre=rng.choice([*centres, None])))
        elif step == 6 and person is not coordinator:
            anonymise_person(person, actor=coordinator)
        else:
            person.status = person.status  # the same value: nothing moves
        db.session.flush()
        assert _kept() == _rebuilt()
    counts.rebuild()
    assert _kept() == _rebuilt()
    assert all(row.people >= 0 for row in db.session.scalars(db.select(PeopleCount)))


def test_deleting_a_person_takes_them_out(app):
    centre = make_centre()
    person = make_user(centre=centre)
    db.session.commit()
    db.session.delete(person)
    db.session.flush()
    assert _kept() == _rebuilt()
