"""What one enrolment costs the database: nothing read twice, nothing after the commit."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.calendars.feeds import uid_host
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment
from reseau.outbox import OutboxMail
from tests.factories import (
    make_centre,
    make_module,
    make_session,
    make_theme,
    make_trainer,
    make_user,
)


def _statements_of(client, url: str, **kwargs) -> tuple[int, list[str], list[str]]:
    """The answer's status, the statements before the commit and those after it."""
    before, after, committed = [], [], []

    def statement(conn, cursor, text, parameters, context, executemany):
        (after if committed else before).append(text)

    def commit(session):
        committed.append(True)

    sa.event.listen(db.engine, "before_cursor_execute", statement)
    sa.event.listen(so.Session, "after_commit", commit)
    try:
        answer = client.post(url, **kwargs)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", statement)
        sa.event.remove(so.Session, "after_commit", commit)
    return answer.status_code, before, after


def _full_session(capacity: int):
    session = make_session(
        capacity=capacity,
        seances=2,
        theme=make_theme(),
        module=make_module(),
        host_centre=make_centre(),
        place_kind="centre",
    )
    session.trainers.append(make_trainer())
    return session


def test_an_enrolment_reads_nothing_twice_and_nothing_after_its_commit(
    app, client, auth, htmx_headers
):
    session = _full_session(capacity=1)
    first, second = make_user(), make_user()
    db.session.commit()
    uid_host()  # fixed once per site, at first use: not a cost of any enrolment
    db.session.commit()
    url = f"/catalogue/sessions/{session.id}/inscription"
    people = [(p.id, p.email, s) for p, s in ((first, "confirmed"), (second, "waitlisted"))]
    for person_id, email, status in people:
        auth.login(email)
        db.session.remove()  # the request pays for all it reads
        code, before, after = _statements_of(client, url, headers=htmx_headers)
        assert code == 200
        # The bilan's rows take the difference of one enrolment (not a recount of the
        # session): 31 and 27 statements before, with a trainer's invitation when confirmed;
        # then 21 and 16. A new enrolment has no adjustment request to follow (no UPDATE),
        # and on PostgreSQL the bilan's upserts are one statement (four fewer waiting).
        limits = {"confirmed": 20, "waitlisted": 15}
        if db.engine.dialect.name == "postgresql":
            limits = {"confirmed": 16, "waitlisted": 11}
        assert len(before) <= limits[status], "\n".join(before)
        assert not any(text.startswith("UPDATE adjustment_request") for text in before)
        # The component is rendered from what the enrolment counted and wrote: on SQLite a
        # read after the commit would take the write lock a second time.
        assert after == [], "\n".join(s.split("\n")[0][:90] for s in after)
        # The séances are read once, with the session (not again after the session's lock).
        assert sum(1 for text in before if "FROM seance" in text and "JOIN" not in text) == 1
        # The e-mail is inserted once, with its calendar part.
        assert not any(text.startswith("UPDATE outbox_mail") for text in before)
        enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.person_id == person_id))
        assert enrolment.status == status
        auth.logout()
    mail = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.recipient == people[0][1]).order_by(OutboxMail.id)
    ).first()
    assert mail.ics_method == "REQUEST" and "BEGIN:VEVENT" in mail.ics


def test_enrolling_again_shows_the_earlier_adjustment_request(app, client, auth, htmx_headers):
    session = make_session()
    person = make_user()
    db.session.commit()
    auth.login(person)
    url = f"/catalogue/sessions/{session.id}/inscription"
    answer = client.post(url, data={"adjustment": "Une rampe d'accès"}, headers=htmx_headers)
    assert answer.status_code == 200 and "Une rampe d" in answer.get_data(as_text=True)
    cancelled = client.post(
        f"/catalogue/sessions/{session.id}/desinscription", headers=htmx_headers
    )
    assert cancelled.status_code == 200
    again = client.post(url, headers=htmx_headers)
    assert again.status_code == 200
    assert "Votre demande d'aménagement" in again.get_data(as_text=True)
    # A first enrolment without a request shows none (and reads none).
    other = make_session(starts_at=utcnow() + timedelta(days=40))
    db.session.commit()
    plain = client.post(f"/catalogue/sessions/{other.id}/inscription", headers=htmx_headers)
    assert plain.status_code == 200
    assert "Votre demande d'aménagement" not in plain.get_data(as_text=True)
