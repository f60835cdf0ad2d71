"""Serving feeds: headers, conditional GET, HEAD, tokens, "Mes agendas" and access."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from reseau.calendars import feeds
from reseau.calendars.models import CalendarToken, FeedKind
from reseau.calendars.tokens import FETCH_WRITE_INTERVAL, feed_token, hash_token, issue_token
from reseau.catalogue import operations as catalogue
from reseau.core.database import utcnow
from reseau.core.extensions import db
from tests.calendars.helpers import events, get, parse_both
from tests.factories import (
    PASSWORD,
    enrol,
    make_centre,
    make_coordinator,
    make_referent,
    make_session,
    make_trainer,
    make_user,
)


def _token(user, kind=FeedKind.PERSON) -> tuple[CalendarToken, str]:
    row = issue_token(kind, user, actor=user)
    url = f"/agenda/prive/{feed_token(row)}.ics"
    db.session.commit()
    return row, url


def test_feed_headers_conditional_get_and_head(app, client):
    person = make_user()
    session = make_session()
    enrol(session, person)
    _, url = _token(person)
    first = get(client, url)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert "private" in first.headers["Cache-Control"]

    again = get(client, url)
    assert again.data == first.data  # byte-for-byte identical while nothing changes
    assert again.headers["ETag"] == first.headers["ETag"]

    etag = first.headers["ETag"]
    not_modified = get(client, url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.data == b""
    since = get(client, url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304

    head = client.head(url)
    db.session.rollback()
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == etag
    assert int(head.headers["Content-Length"]) == len(first.data)


def test_304_is_answered_without_building_the_calendar(app, client, monkeypatch):
    session = make_session()
    db.session.commit()
    first = get(client, "/agenda/catalogue.ics")

    def fail(*args, **kwargs):
        raise AssertionError("built")

    monkeypatch.setattr("reseau.calendars.feeds.build", fail)
    response = get(
        client, "/agenda/catalogue.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert response.status_code == 304
    assert session.id


def test_a_built_feed_is_reused_until_its_etag_changes(app, client, monkeypatch):
    session = make_session()
    db.session.commit()
    first = get(client, "/agenda/catalogue.ics")
    built = []
    original = feeds.build
    monkeypatch.setattr(
        "reseau.calendars.feeds.build", lambda *a, **k: built.append(1) or original(*a, **k)
    )
    assert get(client, "/agenda/catalogue.ics").data == first.data
    assert built == []
    session.title = "Autre titre"
    db.session.commit()
    assert b"Autre titre" in get(client, "/agenda/catalogue.ics").data
    assert built == [1]
    app.config["CALENDAR_FEED_CACHE_ENTRIES"] = 0
    get(client, "/agenda/catalogue.ics")
    get(client, "/agenda/catalogue.ics")
    assert built == [1, 1, 1]


def test_etag_changes_exactly_when_the_content_changes(app, client):
    session = make_session(seances=2)
    db.session.commit()
    url = "/agenda/catalogue.ics"
    first = get(client, url)
    # Something outside the feed changes: same bytes, same ETag.
    make_user()
    make_session(status=feeds.SessionStatus.DRAFT)
    db.session.commit()
    second = get(client, url)
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    # The session changes: new bytes, new ETag, Last-Modified not earlier.
    session.title = "Nouveau titre"
    db.session.commit()
    third = get(client, url, headers={"If-None-Match": first.headers["ETag"]})
    assert third.status_code == 200
    assert third.data != first.data
    assert b"Nouveau titre" in third.data
    assert third.headers["ETag"] != first.headers["ETag"]
    assert third.last_modified >= first.last_modified
    # A séance moves.
    seance = session.seances[1]
    seance.starts_at += timedelta(days=1)
    seance.ends_at += timedelta(days=1)
    seance.sequence += 1
    db.session.commit()
    fourth = get(client, url)
    assert fourth.headers["ETag"] != third.headers["ETag"]
    assert fourth.data != third.data


def test_wrong_or_malformed_token_is_404_and_revoked_is_410(app, client):
    person = make_user()
    row, url = _token(person)
    assert get(client, url).status_code == 200
    assert get(client, "/agenda/prive/" + "A" * 43 + ".ics").status_code == 404
    assert get(client, "/agenda/prive/court.ics").status_code == 404
    assert get(client, url[:-6] + "x.ics").status_code == 404
    # Only the hash is stored.
    token = url.removeprefix("/agenda/prive/").removesuffix(".ics")
    assert row.token_hash == hash_token(token)
    assert token not in str(db.session.execute(sa.select(CalendarToken.__table__)).all())
    row.revoked_at = utcnow()
    db.session.commit()
    assert get(client, url).status_code == 410


def test_regenerate_invalidates_the_old_address(app, client, auth):
    person = make_user()
    _, old_url = _token(person)
    auth.login(person)
    response = client.post("/agendas/person")
    db.session.rollback()
    assert response.status_code == 303
    assert get(client, old_url).status_code == 410
    rows = db.session.scalars(sa.select(CalendarToken).where(CalendarToken.user_id == person.id))
    active = [row for row in rows if row.revoked_at is None]
    assert len(active) == 1
    new_url = f"/agenda/prive/{feed_token(active[0])}.ics"
    assert new_url != old_url
    assert get(client, new_url).status_code == 200
    page = get(client, "/agendas")
    assert new_url.encode() in page.data
    assert old_url.encode() not in page.data


@pytest.fixture
def csrf_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def _form_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_regenerate_needs_the_csrf_token(csrf_config, client):
    person = make_user()
    db.session.commit()
    token = _form_token(client.get("/connexion").text)
    login = {"email": person.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/connexion", data=login).status_code == 303
    assert client.post("/agendas/person").status_code == 400
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarToken)) == 0
    page = get(client, "/agendas").text
    response = client.post("/agendas/person", data={"csrf_token": _form_token(page)})
    db.session.rollback()
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarToken)) == 1


def test_last_fetched_is_recorded_at_most_every_few_minutes(app, client):
    person = make_user()
    row, url = _token(person)
    get(client, url)
    db.session.refresh(row)
    first = row.last_fetched_at
    assert first is not None
    get(client, url)
    db.session.refresh(row)
    assert row.last_fetched_at == first
    row.last_fetched_at = utcnow() - FETCH_WRITE_INTERVAL - timedelta(seconds=1)
    db.session.commit()
    get(client, url)
    db.session.refresh(row)
    assert row.last_fetched_at > first


def test_my_calendars_page_shows_addresses_qr_and_instructions(app, client, auth):
    centre = make_centre(name="Centre des Rives")
    referent = make_referent(centre)
    db.session.commit()
    auth.login(referent)
    page = get(client, "/agendas")
    assert page.status_code == 200
    text = page.data.decode()
    assert "Mes agendas" in text
    assert "Agenda du centre – Centre des Rives" in text
    assert 'action="/agendas/centre"' in text
    assert "/agenda/catalogue.ics" in text
    for client_name in ("Google", "Outlook", "Apple", "Thunderbird"):
        assert client_name in text
    client.post("/agendas/centre")
    client.post("/agendas/person")
    db.session.rollback()
    text = get(client, "/agendas").data.decode()
    assert text.count("webcal://localhost/agenda/prive/") == 2
    assert text.count('src="data:image/svg+xml') == 2
    assert 'readonly value="http://localhost/agenda/prive/' in text
    assert "Aucune application agenda" in text
    assert "<script>" not in text and 'style="' not in text


def test_access_to_every_route(app, client, auth):
    centre = make_centre()
    other_centre = make_centre()
    participant = make_user(centre=centre, directory_consent=True)
    trainer = make_trainer()
    referent = make_referent(centre)
    other_referent = make_referent(other_centre)
    coordinator = make_coordinator()
    session = make_session(host_centre=centre)
    session.trainers.append(trainer)
    enrol(session, participant)
    db.session.commit()

    # Anonymous: public feeds and the download, never the page nor a POST.
    for url in ("/agenda/catalogue.ics", f"/sessions/{session.id}/agenda.ics"):
        assert get(client, url).status_code == 200
    assert get(client, "/agendas").status_code in (302, 401)
    assert client.post("/agendas/person").status_code in (302, 401)

    allowed = {
        participant: {"person"},
        trainer: {"person", "trainer"},
        referent: {"person", "centre"},
        other_referent: {"person", "centre"},
        coordinator: {"person"},
    }
    for user, kinds in allowed.items():
        auth.login(user)
        assert get(client, "/agendas").status_code == 200
        for kind in ("person", "trainer", "centre", "nimporte"):
            status = client.post(f"/agendas/{kind}").status_code
            db.session.rollback()
            assert status == (303 if kind in kinds else 404), (user, kind)
        auth.logout()

    # A referent's centre feed is their own centre's: the other referent's does not list it.
    rows = {
        row.user_id: row
        for row in db.session.scalars(
            sa.select(CalendarToken).where(
                CalendarToken.kind == FeedKind.CENTRE, CalendarToken.revoked_at.is_(None)
            )
        )
    }
    assert rows[referent.id].centre_id == centre.id
    assert rows[other_referent.id].centre_id == other_centre.id
    mine = get(client, f"/agenda/prive/{feed_token(rows[referent.id])}.ics")
    theirs = get(client, f"/agenda/prive/{feed_token(rows[other_referent.id])}.ics")
    assert f"seance-{session.seances[0].id}@" in mine.data.decode()
    assert participant.last_name in mine.data.decode()
    assert events(parse_both(theirs.data)[0]) == {}

    # A referent who leaves the role loses the centre feed at once (for good: 410).
    referent.set_roles([])
    db.session.commit()
    assert get(client, f"/agenda/prive/{feed_token(rows[referent.id])}.ics").status_code == 410


def test_a_304_costs_one_query_and_a_build_a_fixed_number(app, client, count_queries):
    person = make_user()
    for _ in range(2):
        enrol(make_session(seances=2), person)
    row, url = _token(person)
    first = get(client, url)
    with count_queries() as public:
        get(client, "/agenda/catalogue.ics", headers={"If-None-Match": '"nope"'})
    etag = get(client, "/agenda/catalogue.ics").headers["ETag"]
    with count_queries() as not_modified:
        assert (
            get(client, "/agenda/catalogue.ics", headers={"If-None-Match": etag}).status_code == 304
        )
    assert len(not_modified.statements) == 1  # the fingerprint, from the rows themselves
    with count_queries() as private:
        response = get(client, url, headers={"If-None-Match": first.headers["ETag"]})
    assert response.status_code == 304
    # The token with its owner, the centre and the counters of the tables the feed reads:
    # nothing written since, so the fingerprint kept with those counters holds.
    assert len(private.statements) == 1
    for _ in range(5):
        enrol(make_session(seances=3), person)
    app.config["CALENDAR_FEED_CACHE_ENTRIES"] = 0
    get(client, "/agenda/catalogue.ics")  # its fingerprint kept again, after the writes
    with count_queries() as small:
        get(client, "/agenda/catalogue.ics")
    db.session.commit()
    with count_queries() as large:
        get(client, "/agenda/catalogue.ics")
    assert len(large.statements) == len(small.statements) <= len(public.statements) + 1


def _etags(app, client, url: str) -> tuple[str, str]:
    """The feed's ETag as served (the fingerprint kept) and computed afresh (cache off)."""
    kept = get(client, url).headers["ETag"]
    app.config["FIGURES_CACHE_SECONDS"], seconds = 0, app.config["FIGURES_CACHE_SECONDS"]
    try:
        return kept, get(client, url).headers["ETag"]
    finally:
        app.config["FIGURES_CACHE_SECONDS"] = seconds


def test_a_kept_fingerprint_is_the_fresh_one_after_each_write_and_each_day(app, client):
    """A centre's feed: its fingerprint is kept while none of the tables it reads is
    written; after each write (a name, a title, an enrolment, a séance cancelled) and on a
    later day (a cancellation leaves the feed) the kept one is the one computed afresh."""
    centre = make_centre()
    referent = make_referent(centre)
    member = make_user(centre=centre)
    trainer = make_trainer()
    session = make_session(seances=2)
    session.trainers.append(trainer)
    enrol(session, member)
    _, url = _token(referent, FeedKind.CENTRE)
    coordinator = make_coordinator()
    seen = [_etags(app, client, url)]

    def write(change):
        change()
        db.session.commit()
        kept, fresh = _etags(app, client, url)
        assert kept == fresh
        assert kept != seen[-1][0], change
        seen.append((kept, fresh))

    write(lambda: setattr(member, "last_name", "Renommée"))
    write(lambda: setattr(session, "title", "Un autre titre"))
    write(lambda: setattr(trainer, "first_name", "Formatrice"))
    write(lambda: enrol(make_session(seances=1), make_user(centre=centre)))
    write(lambda: catalogue.cancel_seance(session.seances[1], actor=coordinator))
    assert len({kept for kept, _ in seen}) == len(seen)

    # Time alone: sixty days on, the cancelled séance has left the feed.
    feed = feeds.Feed(feeds.Scope.CENTRE, centre.id, f"Agenda du centre – {centre.name}")
    later = utcnow() + feeds.CANCELLED_KEPT + timedelta(days=2)
    with app.test_request_context():
        context = feeds.feed_context()
        kept_now = feeds.fingerprint(feed, context).etag
        kept_later = feeds.fingerprint(feed, context, later).etag
        app.config["FIGURES_CACHE_SECONDS"], seconds = 0, app.config["FIGURES_CACHE_SECONDS"]
        try:
            assert feeds.fingerprint(feed, context, later).etag == kept_later
        finally:
            app.config["FIGURES_CACHE_SECONDS"] = seconds
    assert kept_later != kept_now
