"""Anonymous visitors' catalogue pages come from the cache, and never carry stale or foreign
data: each visitor gets their own CSRF token, a write shows at once, signed-in people and
pending messages bypass the cache."""

from __future__ import annotations

import re

from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.factories import make_session, make_user

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _statements(count_queries, client, url):
    with count_queries(fresh=True) as log:
        answer = client.get(url)
    return answer, log.statements


def test_each_visitor_gets_the_cached_page_with_their_own_token(app, count_queries):
    session = make_session(title="Les fondamentaux du centre social", capacity=3)
    db.session.commit()
    url = f"/catalogue/sessions/{session.id}"
    first, second = app.test_client(), app.test_client()
    answer, _ = _statements(count_queries, first, url)
    assert answer.status_code == 200
    again, queries = _statements(count_queries, second, url)
    assert len(queries) == 1 and "data_version" in queries[0]  # the version, nothing else
    assert "Les fondamentaux du centre social" in again.text
    tokens = {TOKEN.search(page.text).group(1) for page in (answer, again)}
    assert len(tokens) == 2  # the second visitor's own token, not the first one's


def test_an_enrolment_shows_at_once(app):
    session = make_session(capacity=3)
    person = make_user()
    db.session.commit()
    client = app.test_client()
    url = f"/catalogue/sessions/{session.id}"
    assert "3 places" in client.get(url).text
    db.session.add(Enrolment(session=session, person=person, status=EnrolmentStatus.CONFIRMED))
    db.session.commit()
    db.session.remove()
    assert "2 places" in client.get(url).text


def test_signed_in_people_and_pending_messages_bypass_the_cache(app, auth, client, count_queries):
    session = make_session()
    person = make_user()
    db.session.commit()
    url = f"/catalogue/sessions/{session.id}"
    app.test_client().get(url)  # cached for anonymous visitors
    auth.login(person)
    _, queries = _statements(count_queries, client, url)
    assert len(queries) > 1  # rendered for this person
    auth.logout()
    # The logout message is waiting: the page that shows it is not the cached one.
    page = client.get(url)
    assert "flash" in page.text


def test_the_cache_can_be_switched_off(app, count_queries):
    session = make_session()
    db.session.commit()
    app.config["CACHE_SECONDS"] = 0
    client = app.test_client()
    client.get(f"/catalogue/sessions/{session.id}")
    _, queries = _statements(count_queries, client, f"/catalogue/sessions/{session.id}")
    assert len(queries) > 1
