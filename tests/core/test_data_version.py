"""The data's version changes with every write that reports can show, and only then."""

from __future__ import annotations

import re

import sqlalchemy as sa

from reseau.accounts.models import User
from reseau.core.data_version import cached, current_token, figure_cache
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.outbox.models import OutboxMail
from tests.factories import make_coordinator, make_session, make_user
from tests.reports.fixtures import build_year
from tests.reports.fixtures import figure as _figure


def test_a_write_changes_the_version_once_per_transaction(app, count_queries):
    assert current_token() == ""
    person = make_user()
    db.session.commit()
    first = current_token()
    assert len(first) == 32
    with count_queries() as log:
        session = make_session()  # flushes
        db.session.add(Enrolment(session=session, person=person, status=EnrolmentStatus.CONFIRMED))
        db.session.flush()
        db.session.commit()
    writes = [statement for statement in log.statements if "data_version" in statement]
    assert len(writes) == 1
    assert current_token() not in ("", first)


def test_bulk_statements_change_the_version(app):
    make_user()
    db.session.commit()
    before = current_token()
    db.session.execute(sa.update(User).values(phone="02 54 00 00 00"))
    db.session.commit()
    assert current_token() != before


def test_bookkeeping_does_not_change_the_version(client, auth):
    person = make_user()
    db.session.commit()
    before = current_token()
    assert auth.login(person).status_code in (302, 303)  # sets last_login_at
    db.session.add(OutboxMail(recipient="x@example.org", subject="s", body_text="b", dedup_key="k"))
    db.session.commit()
    assert current_token() == before
    person.first_name = "Renommée"
    db.session.commit()
    assert current_token() != before


def test_a_rolled_back_write_changes_nothing(app):
    make_user()
    db.session.commit()
    before = current_token()
    make_user()
    db.session.rollback()
    assert current_token() == before


def test_cached_figures_follow_the_version(app):
    figure_cache().clear()
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cached(("test",), compute) == 1
    assert cached(("test",), compute) == 1
    make_user()
    db.session.commit()
    assert cached(("test",), compute) == 2
    app.config["CACHE_SECONDS"] = 0
    assert cached(("test",), compute) == 3
    assert cached(("test",), compute) == 4


def _without_tokens(html: str) -> str:
    # A CSRF token is signed with the time: two answers a second apart differ there only.
    return re.sub(r'(content|data-token|value)="[\w.-]{40,}"', r'\1="…"', html)


def test_the_bilan_is_served_from_the_cache_until_the_data_changes(app, client, auth):
    figure_cache().clear()
    world = build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    client.get("/")  # the welcome message is shown once
    first = _without_tokens(client.get("/bilan?annee=2011").get_data(as_text=True))
    db.session.remove()
    second = _without_tokens(client.get("/bilan?annee=2011").get_data(as_text=True))
    assert first == second  # the cached figures render as the computed ones
    # An attendance corrected through the app: the bilan shows it at once.
    enrolment = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.session_id == world.sessions["s1"].id).limit(1)
    )
    db.session.delete(enrolment)
    db.session.commit()
    db.session.remove()
    third = _without_tokens(client.get("/bilan?annee=2011").get_data(as_text=True))
    assert third != first


def test_a_cached_bilan_renders_again_for_another_address_of_the_same_period(app, client, auth):
    # Same period, other parameters: the page is rendered anew from the cached figures, whose
    # objects are detached from the request that loaded them.
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    client.get("/")
    first = client.get("/bilan?annee=2011")
    db.session.remove()
    second = client.get("/bilan?du=2011-01-01&au=2011-12-31")
    db.session.remove()
    third = client.get("/bilan.xlsx?annee=2011")
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 200)
    assert _figure(second.get_data(as_text=True), "fig-participants") == "5"
