"""The diagnostic results kept between requests (reseau/core/cache.py): served again while
nothing they read changed, computed afresh after an answer, a renamed theme or a new session,
and when a session that covered a need starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reseau.catalogue.models import SessionStatus, Theme
from reseau.core import cache as kept_figures
from reseau.core import changes
from reseau.core.extensions import db
from reseau.diagnostic import operations, results, views
from reseau.diagnostic.models import DiagnosticResponse, TrainingWish
from tests.diagnostic.fixtures import build_world
from tests.factories import make_coordinator, make_referent, make_session
from tests.kept_pages import fresh_page, shown_page


def test_the_results_are_kept_until_an_answer_reaches_them(app, client, auth, count_queries):
    w = build_world()
    url = f"/diagnostic/resultats?campagne={w.campaign.id}"
    skill_id, person_id, theme_id = w.s3.id, w.people["p5"].id, w.t1.id
    campaign_id, campaign, person, skill = (
        w.campaign.id,
        type(w.campaign),
        type(w.people["p5"]),
        type(w.s3),
    )
    auth.login(make_coordinator())
    db.session.commit()
    first = count_queries.page(client, url)
    before = shown_page(client, url)
    kept = count_queries.page(client, url)
    assert kept < first
    assert before == fresh_page(app, client, url)
    # p5, invited, answers at last: wants training on S3.
    response = operations.get_or_create_response(
        db.session.get(campaign, campaign_id), db.session.get(person, person_id)
    )
    operations.save_skill_answer(
        response, db.session.get(skill, skill_id), wants_training=TrainingWish.PRIORITY
    )
    db.session.commit()
    after = shown_page(client, url)
    assert after != before
    assert after == fresh_page(app, client, url)
    assert db.session.query(DiagnosticResponse).count() >= 5
    # A theme renamed.
    db.session.get(Theme, theme_id).name = "Gouvernance associative"
    db.session.commit()
    renamed = shown_page(client, url)
    assert "Gouvernance associative" in renamed
    assert renamed == fresh_page(app, client, url)


def test_a_covered_need_is_uncovered_once_its_session_starts(app, client, auth, monkeypatch):
    w = build_world()
    url = f"/diagnostic/resultats?campagne={w.campaign.id}"
    now = datetime.now(UTC)
    make_session(theme=w.t1, starts_at=now + timedelta(hours=2), status=SessionStatus.PUBLISHED)
    auth.login(make_coordinator())
    db.session.commit()
    covered = shown_page(client, url)
    assert "Besoin couvert" in covered
    later = now + timedelta(hours=3)
    monkeypatch.setattr(kept_figures, "utcnow", lambda: later)
    monkeypatch.setattr("reseau.diagnostic.results.utcnow", lambda: later)
    uncovered = shown_page(client, url)
    assert "Besoin couvert" not in uncovered
    assert uncovered == fresh_page(app, client, url)


def test_the_kept_results_count_every_table_they_read(app, client, auth, monkeypatch):
    """The tables the results say they read (``results.results_tables``, whose counters are
    read with the campaign) hold every table their computation reads, for the network and
    for a centre's part: a write to any of them computes the page again."""
    w = build_world()
    url = f"/diagnostic/resultats?campagne={w.campaign.id}"
    seen = []

    def spy(key, compute, *, tables, counters):
        with changes.reading() as read:
            value = compute()[0]
        seen.append((set(tables), read - {"named"}))  # "named": a CTE of the rates
        return value

    monkeypatch.setattr(views, "kept", spy)
    coordinator, referent = make_coordinator(), make_referent(w.a)
    db.session.commit()
    for person, urls in (
        (
            coordinator,
            [url, f"{url}&departement={w.d36.id}&categorie=agent", "/diagnostic/resultats"],
        ),
        (referent, [url]),
    ):
        auth.login(person)
        for page in urls:
            assert client.get(page).status_code == 200
        auth.logout()
    assert len(seen) == 4
    for tables, read in seen:
        assert read <= tables, read - tables
    assert seen[0][0] == results.NETWORK_TABLES
    assert seen[-1][0] == results.CENTRE_TABLES
