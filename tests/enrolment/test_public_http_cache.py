"""Anonymous visitors' catalogue pages are cached by HTTP (ETag, Cache-Control: public), not by
the application: they carry no CSRF token, a revalidation costs one query and answers 304, and
any change the page shows moves the ETag. Signed-in people keep ``no-store`` pages."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.factories import make_session, make_user


def _statements(client, url, **headers):
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    db.session.remove()
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        answer = client.get(url, headers=headers)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return answer, [s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "ROLLBACK"))]


def test_an_anonymous_session_page_is_public_and_revalidates_with_one_query(app):
    session = make_session(title="Les fondamentaux du centre social", capacity=3)
    db.session.commit()
    url = f"/catalogue/sessions/{session.id}"
    client = app.test_client()
    answer = client.get(url)
    assert answer.status_code == 200
    assert "Les fondamentaux du centre social" in answer.text
    assert answer.headers["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in answer.headers["Vary"] and "HX-Request" in answer.headers["Vary"]
    assert "csrf" not in answer.text.lower()
    assert "Set-Cookie" not in answer.headers  # nothing personal: a proxy may share it
    etag = answer.headers["ETag"]
    again, queries = _statements(app.test_client(), url, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert len(queries) == 1  # the fingerprint, nothing rendered


def test_an_enrolment_moves_the_etag(app):
    session = make_session(capacity=3)
    person = make_user()
    db.session.commit()
    client = app.test_client()
    url = f"/catalogue/sessions/{session.id}"
    first = client.get(url)
    catalogue = client.get("/catalogue")
    assert "3 places" in first.text
    db.session.add(Enrolment(session=session, person=person, status=EnrolmentStatus.CONFIRMED))
    db.session.commit()
    db.session.remove()
    fresh = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert fresh.status_code == 200 and "2 places" in fresh.text
    listing = client.get("/catalogue", headers={"If-None-Match": catalogue.headers["ETag"]})
    assert listing.status_code == 200


def test_the_fragment_and_the_page_have_different_etags(app, htmx_headers):
    make_session()
    db.session.commit()
    client = app.test_client()
    page = client.get("/catalogue")
    fragment = client.get("/catalogue", headers=htmx_headers)
    assert page.headers["ETag"] != fragment.headers["ETag"]
    other = client.get("/catalogue?type=formation")
    assert other.headers["ETag"] != page.headers["ETag"]


def test_signed_in_people_get_private_pages_with_their_token(app, auth, client):
    session = make_session()
    person = make_user()
    db.session.commit()
    url = f"/catalogue/sessions/{session.id}"
    etag = app.test_client().get(url).headers["ETag"]
    auth.login(person)
    page = client.get(url, headers={"If-None-Match": etag})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "ETag" not in page.headers
    assert 'name="csrf-token"' in page.text
    auth.logout()
    # The logout message is waiting: that page is not shared either.
    message = client.get(url)
    assert "flash" in message.text and message.headers["Cache-Control"] == "no-store"


def test_an_unknown_session_is_a_plain_404(app):
    answer = app.test_client().get("/catalogue/sessions/999999")
    assert answer.status_code == 404 and "ETag" not in answer.headers


def test_a_renamed_theme_or_a_new_seance_moves_the_session_etag(app):
    from datetime import timedelta

    from reseau.catalogue.models import Seance
    from tests.factories import make_theme

    theme = make_theme(name="Accueil")
    other = make_session(theme=theme)
    session = make_session(theme=theme)
    db.session.commit()
    client = app.test_client()
    url = f"/catalogue/sessions/{session.id}"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    theme.name = "Accueil et écoute"
    db.session.commit()
    renamed = client.get(url, headers={"If-None-Match": etag})
    assert renamed.status_code == 200 and "Accueil et écoute" in renamed.text
    etag = renamed.headers["ETag"]
    start = session.seances[0].starts_at + timedelta(days=7)
    db.session.add(Seance(session=session, starts_at=start, ends_at=start + timedelta(hours=2)))
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
    assert other.id != session.id


def test_every_form_of_if_none_match_naming_the_page_revalidates_it(app):
    """The ETag sent back as it came (the common case, matched without parsing), in a list,
    with the encoding Flask-Compress appends, or ``*``: a 304. Another page's ETag, or the
    full page's for its htmx fragment: the page."""
    session = make_session()
    db.session.commit()
    client = app.test_client()
    url = f"/catalogue/sessions/{session.id}"
    etag = client.get(url).headers["ETag"].strip('"')
    fragment = client.get(url, headers={"HX-Request": "true"}).headers["ETag"].strip('"')
    assert fragment != etag
    for sent in (f'"{etag}"', f'"other", "{etag}"', f'"{etag}:gzip"', "*"):
        assert client.get(url, headers={"If-None-Match": sent}).status_code == 304, sent
    for sent in ('"other"', f'"{etag}x"', f'"x{etag}"'):
        assert client.get(url, headers={"If-None-Match": sent}).status_code == 200, sent
    answer = client.get(url, headers={"If-None-Match": f'"{etag}"', "HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.headers["Vary"].count("HX-Request") == 1
