"""The bilan kept between requests (reseau/core/cache.py): served again while nothing it read
changed, computed afresh after any write that reaches it — after random sequences of the
operations that move its figures it is the page computed without any cache — and when time
alone makes a published session count as held."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from reseau import create_app
from reseau.core import cache as kept_figures
from reseau.core.extensions import db
from reseau.membership.models import Membership
from tests.databases import IN_CI
from tests.factories import make_coordinator, make_referent, make_session
from tests.kept_pages import fresh_page, shown_page
from tests.reports import test_rollups as operations
from tests.reports.fixtures import build_year

URL = "/bilan?annee=2011"


def test_the_bilan_is_kept_until_a_write_reaches_what_it_read(app, client, auth, count_queries):
    world = build_year()
    centre_id = world.x.id
    email = make_coordinator().email
    db.session.commit()
    auth.login(email)
    first = count_queries.page(client, URL)
    page = shown_page(client, URL)
    kept = count_queries.page(client, URL)
    assert kept <= 4 < first  # the person, the counters, and nothing of the bilan
    assert page == fresh_page(app, client, URL)
    # A write the bilan does not read keeps it (a person signing in writes their login time).
    auth.logout()
    auth.login(email)
    assert count_queries.page(client, URL) == kept
    # A centre renamed: its line in the bilan follows at once.
    db.session.get(type(world.x), centre_id).name = "Centre social du Clos Gaultier"
    db.session.commit()
    assert count_queries.page(client, URL) >= first
    page = shown_page(client, URL)
    assert "Centre social du Clos Gaultier" in page
    assert page == fresh_page(app, client, URL)


def test_the_same_bilan_is_kept_apart_for_each_role_and_centre(app, client, auth):
    world = build_year()
    coordinator, referent = make_coordinator(), make_referent(world.x)
    db.session.commit()
    auth.login(coordinator)
    network = shown_page(client, URL)
    of_x = shown_page(client, f"{URL}&centre={world.x.id}")
    auth.logout()
    auth.login(referent)
    own = shown_page(client, URL)
    assert network != of_x
    assert own == fresh_page(app, client, URL)
    assert 'href="/bilan?centre=' not in own  # a coordinator's links to each centre's bilan


def test_a_new_membership_reaches_the_kept_bilan(app, client, auth):
    world = build_year()
    db.session.commit()
    auth.login(make_coordinator())
    db.session.commit()
    client.get(URL)
    db.session.add(Membership(centre=world.y, year=2011, is_member=True))
    db.session.commit()
    assert shown_page(client, URL) == fresh_page(app, client, URL)


def test_a_published_session_counts_once_it_has_started(app, client, auth, monkeypatch):
    """No write happens when a session starts: the kept bilan holds until that moment."""
    now = datetime.now(UTC)
    starts = now + timedelta(hours=2)
    make_session(starts_at=starts, seances=1)
    db.session.commit()
    auth.login(make_coordinator())
    db.session.commit()
    url = f"/bilan?annee={starts.year}"
    stored = []
    keep = kept_figures.figures.set
    monkeypatch.setattr(
        kept_figures.figures, "set", lambda key, value: stored.append(value) or keep(key, value)
    )
    before = shown_page(client, url)
    ((_, _, until, _),) = stored
    assert until == starts
    later = now + timedelta(hours=3)
    monkeypatch.setattr(kept_figures, "utcnow", lambda: later)
    monkeypatch.setattr("reseau.core.periods.utcnow", lambda: later)
    after = shown_page(client, url)
    assert after != before
    assert after == fresh_page(app, client, url)


@pytest.mark.parametrize("seed", [4, 5])
def test_after_random_operations_the_kept_bilan_is_the_bilan(app, client, auth, seed):
    rng = random.Random(seed)
    centres, people, sessions = operations._world(rng)
    actor = make_coordinator()
    db.session.commit()
    auth.login(actor)
    db.session.commit()
    urls = [
        f"/bilan?annee={year}{centre}"
        for year in (2025, 2026)
        for centre in ("", f"&centre={centres[0].id}")
    ]
    compared = 0
    for step in range(60):
        try:
            with db.session.begin_nested():
                operations._step(rng, centres, people, sessions, actor)
        except operations.ERRORS:
            pass
        if step % 6 == 0:
            db.session.commit()
            url = rng.choice(urls)
            assert shown_page(client, url) == fresh_page(app, client, url), step
            compared += 1
    assert compared == 10


REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, emptied by the test


@pytest.fixture
def shared_cache(app_config):
    """The kept figures in Redis (CI must have it; elsewhere the test is skipped without)."""
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"Redis is not reachable on {REDIS_URL}: {error}", pytrace=False)
        pytest.skip(f"Redis is not reachable on {REDIS_URL}")
    server.flushdb()
    app_config["CACHE_REDIS_URL"] = REDIS_URL
    yield server
    server.flushdb()


def test_two_workers_share_the_kept_bilan_through_redis(shared_cache, app, client, auth):
    """What one worker computed, another serves."""
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    email = coordinator.email
    auth.login(email)
    page = shown_page(client, URL)
    assert shared_cache.keys("reseau:*bilan:*")
    other = create_app(app.config)
    other_client = other.test_client()
    with other.app_context():
        auth.__class__(other_client).login(email)
        statements = []
        sa.event.listen(
            db.engine,
            "before_cursor_execute",
            lambda conn, cursor, sql, *rest: statements.append(sql),
        )
        try:
            assert shown_page(other_client, URL) == page
        finally:
            db.session.remove()
            db.engine.dispose()  # the other worker's connections closed here, not by the GC
    # Only the person (and their roles) and the counters: nothing of the bilan itself.
    read = {re.search(r"FROM \"?(\w+)", sql).group(1) for sql in statements}
    assert "table_change" in read and read <= {"user", "user_role", "table_change"}, statements
