"""Every main page makes a fixed number of SQL queries, whatever the size of the database.

The generator's "tiny" data set and the same data set ten times larger are rendered page by
page, as the person each page is for; the number of statements sent to the database must be the
same on both (no query per row: no N+1) and stay under ``QUERY_LIMIT``. Transaction control
(``BEGIN``, ``COMMIT``…) is not counted: SQLite sends an explicit ``BEGIN`` that PostgreSQL's
driver does not, and it costs no round trip to a table.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for

from devdata.generate import GENERATED_PASSWORD, LANDMARK_EMAILS, SCALES, generate, landmarks
from reseau.calendars.feeds import uid_host
from reseau.calendars.models import CalendarToken
from reseau.calendars.tokens import feed_token
from reseau.catalogue.models import Theme
from reseau.core.extensions import db
from tests.databases import QueryLog, empty_all_tables

QUERY_LIMIT = 15


@dataclass(frozen=True)
class Page:
    name: str
    account: str | None  # a key of LANDMARK_EMAILS, or None for an anonymous visitor
    url: Callable[[dict], str]
    conditional: bool = False  # asked again with the ETag of a first answer: 304 expected


def _centre_feed(marks: dict) -> str:
    return url_for("calendars.private_feed", token=marks["centre_feed_token"])


PAGES = [
    Page("catalogue", None, lambda m: url_for("enrolment.public_catalogue")),
    Page(
        "catalogue filtered",
        None,
        lambda m: url_for(
            "enrolment.public_catalogue",
            q="a",
            theme=m["theme"],
            departement=m["department"],
            places="1",
        ),
    ),
    Page("session", None, lambda m: url_for("enrolment.public_session", session_id=m["session"])),
    Page("cycle", None, lambda m: url_for("enrolment.public_cycle", cycle_id=m["cycle"])),
    Page("theme", None, lambda m: url_for("enrolment.public_theme", slug=m["theme_slug"])),
    Page("catalogue feed", None, lambda m: url_for("calendars.catalogue_feed")),
    Page("home, participant", "participant", lambda m: url_for("main.home")),
    Page("mes formations", "participant", lambda m: url_for("enrolment.my_enrolments")),
    Page("diagnostic, participant", "participant", lambda m: url_for("diagnostic.home")),
    Page("mes agendas", "participant", lambda m: url_for("calendars.my_calendars")),
    Page("mes données", "participant", lambda m: url_for("privacy.my_data")),
    Page("mon parcours", "participant", lambda m: url_for("parcours.my_parcours")),
    Page("home, trainer", "trainer", lambda m: url_for("main.home")),
    Page("mes sessions", "trainer", lambda m: url_for("attendance.my_sessions")),
    Page(
        "roster",
        "trainer",
        lambda m: url_for("attendance.seance_roster", seance_id=m["roster_seance"]),
    ),
    Page("home, referent", "referent", lambda m: url_for("main.home")),
    Page("centre enrolments", "referent", lambda m: url_for("enrolment.centre_enrolments")),
    Page("people, referent", "referent", lambda m: url_for("accounts.person_list")),
    Page("parcours partagés, referent", "referent", lambda m: url_for("parcours.shared_list")),
    Page("centre feed", None, _centre_feed),
    Page("centre feed 304", None, _centre_feed, conditional=True),
    Page("home, coordinator", "coordinator", lambda m: url_for("main.home")),
    Page("people", "coordinator", lambda m: url_for("accounts.person_list")),
    Page("sessions admin", "coordinator", lambda m: url_for("catalogue.session_list")),
    Page(
        "session admin",
        "coordinator",
        lambda m: url_for("catalogue.session_detail", session_id=m["session"]),
    ),
    Page(
        "session enrolments",
        "coordinator",
        lambda m: url_for("enrolment.roster", session_id=m["session"]),
    ),
    Page("centres", "coordinator", lambda m: url_for("accounts.centre_list")),
    Page(
        "diagnostic results",
        "coordinator",
        lambda m: url_for("diagnostic.results_page", campagne=m["campaign"]),
    ),
    Page("bilan", "coordinator", lambda m: url_for("reports.bilan")),
    Page("bilan sessions", "coordinator", lambda m: url_for("reports.bilan_sessions")),
    Page("journal", "coordinator", lambda m: url_for("privacy.audit_log")),
    Page("adhésions", "coordinator", lambda m: url_for("membership.membership_list")),
    Page("valorisation", "coordinator", lambda m: url_for("valuation.valuation_page")),
    Page("valorisation, referent", "referent", lambda m: url_for("valuation.valuation_page")),
    Page("complaint form", None, lambda m: url_for("complaints.complaint_form")),
    Page("complaints register", "coordinator", lambda m: url_for("complaints.register")),
    Page(
        "parcours, coordinator",
        "coordinator",
        lambda m: url_for("parcours.person_parcours", person_id=m["participant"]),
    ),
    # Issue 18: the adjustment requests, and the catalogue's wheelchair filter.
    Page("adjustments", "coordinator", lambda m: url_for("adjustments.request_list")),
    Page(
        "catalogue wheelchair",
        None,
        lambda m: url_for("enrolment.public_catalogue", fauteuil="1"),
    ),
]


def _landmarks() -> dict:
    marks = dict(landmarks())
    # The generator gives the landmark referent a centre calendar address.
    marks["centre_feed_token"] = feed_token(db.session.get(CalendarToken, marks["centre_feed"]))
    marks["theme_slug"] = db.session.get(Theme, marks["theme"]).slug
    uid_host()  # fixed once per site, at first use: not a cost of any page
    return marks


def measure_pages(app) -> dict[str, tuple[int, int]]:
    """Render every page once as its person; return ``{name: (status, queries)}``."""
    marks = _landmarks()
    clients = {}
    for account in {page.account for page in PAGES}:
        client = app.test_client()
        if account is not None:
            answer = client.post(
                "/connexion",
                data={"email": LANDMARK_EMAILS[account], "password": GENERATED_PASSWORD},
            )
            assert answer.status_code in (302, 303), f"{account} cannot log in"
        clients[account] = client
    counter = QueryLog()
    results = {}
    sa.event.listen(db.engine, "before_cursor_execute", counter)
    try:
        for page in PAGES:
            client = clients[page.account]
            url = page.url(marks)
            headers = {}
            if page.conditional:
                first = client.get(url)
                headers["If-None-Match"] = first.headers["ETag"]
            # Nothing remembered from an earlier request: each page pays for what it loads.
            db.session.remove()
            counter.statements = []
            answer = client.get(url, headers=headers)
            results[page.name] = (answer.status_code, counter.count)
            if os.environ.get("RESEAU_SHOW_QUERIES") == page.name:
                print(f"--- {page.name}", *counter.statements, sep="\n")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)
    return results


def _generate(scale) -> None:
    generate(scale, seed=7)
    db.session.remove()


def test_query_counts_do_not_grow_with_the_data(app):
    small_scale = SCALES["tiny"]
    _generate(small_scale)
    small = measure_pages(app)

    db.session.remove()
    empty_all_tables(db)
    _generate(small_scale.times(10))
    large = measure_pages(app)

    table = "\n".join(
        f"  {name:28} small {small[name][1]:3} ({small[name][0]})  "
        f"large {large[name][1]:3} ({large[name][0]})"
        for name in small
    )
    expected_status = {page.name: 304 if page.conditional else 200 for page in PAGES}
    for name, status in expected_status.items():
        assert small[name][0] == status, f"{name} answered {small[name][0]}\n{table}"
        assert large[name][0] == status, f"{name} answered {large[name][0]}\n{table}"
    grew = [name for name in small if small[name][1] != large[name][1]]
    assert not grew, f"query count depends on the data size for {grew}\n{table}"
    too_many = [name for name in large if large[name][1] >= QUERY_LIMIT]
    assert not too_many, f"{QUERY_LIMIT} queries or more for {too_many}\n{table}"
