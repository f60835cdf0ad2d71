"""Issue 23: publishing an incomplete session asks first; the sessions list shows places
taken / capacity and the waitlist."""

from __future__ import annotations

import re

import pytest

from reseau.catalogue.models import PlaceKind, SessionStatus, TrainingSession
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.factories import make_centre, make_session, make_trainer, make_user


def _status(session_id: int) -> SessionStatus:
    db.session.expire_all()
    return db.session.get(TrainingSession, session_id).status


def test_complete_session_publishes_at_once(client, coordinator):
    session = make_session(
        status=SessionStatus.DRAFT,
        trainers=[make_trainer()],
        place_kind=PlaceKind.CENTRE,
        host_centre=make_centre(),
    )
    db.session.commit()
    assert session.missing_for_publication == []
    page = client.get(f"/admin/sessions/{session.id}").text
    assert f'<form method="post" action="/admin/sessions/{session.id}/publier">' in page
    response = client.post(f"/admin/sessions/{session.id}/publier")
    assert response.status_code == 303
    assert _status(session.id) == SessionStatus.PUBLISHED


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({"place_kind": PlaceKind.CENTRE, "with_centre": True}, "aucun·e formateur·rice"),
        ({"trainer": True, "place_kind": PlaceKind.ADDRESS}, "aucun lieu"),
        ({"trainer": True, "place_kind": PlaceKind.VISIO}, "aucun lien de visio"),
        ({"trainer": True, "with_centre": True, "seances": 0}, "aucune séance"),
    ],
)
def test_incomplete_session_asks_before_publishing(client, coordinator, overrides, missing):
    values = {"status": SessionStatus.DRAFT, "place_kind": PlaceKind.CENTRE}
    if overrides.pop("trainer", False):
        values["trainers"] = [make_trainer()]
    if overrides.pop("with_centre", False):
        values["host_centre"] = make_centre()
    values.update(overrides)
    session = make_session(**values)
    db.session.commit()
    assert session.missing_for_publication == [missing]
    detail = client.get(f"/admin/sessions/{session.id}").text
    # The button is a link to the question (a page without JavaScript, a dialog with it).
    link = re.search(
        rf'<a role="button"[^>]*href="/admin/sessions/{session.id}/publier"[^>]*>', detail
    )
    assert link and 'data-hx-target="#confirm-dialog"' in link.group(0)
    # Without JavaScript: the GET is the confirmation page.
    page = client.get(f"/admin/sessions/{session.id}/publier")
    assert page.status_code == 200
    assert "Publier « " in page.text and missing in page.text
    assert 'name="confirme" value="oui"' in page.text
    assert _status(session.id) == SessionStatus.DRAFT
    # With htmx: the same question, alone, for the dialog.
    fragment = client.get(f"/admin/sessions/{session.id}/publier", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and missing in fragment.text
    # A POST from a page that did not know asks too.
    response = client.post(f"/admin/sessions/{session.id}/publier")
    assert response.status_code == 200 and missing in response.text
    assert _status(session.id) == SessionStatus.DRAFT
    # Yes: published.
    response = client.post(f"/admin/sessions/{session.id}/publier", data={"confirme": "oui"})
    assert response.status_code == 303
    assert _status(session.id) == SessionStatus.PUBLISHED
    assert "publiée" in client.get(response.headers["Location"]).text


def test_publish_operation_refuses_without_confirmation(app, coordinator):
    from reseau.catalogue import operations as ops

    session = make_session(status=SessionStatus.DRAFT, seances=0)
    db.session.commit()
    with pytest.raises(ops.CatalogueError, match="aucune séance"):
        ops.publish_session(session, actor=coordinator)
    ops.publish_session(session, actor=coordinator, confirmed=True)
    assert session.status == SessionStatus.PUBLISHED


def test_sessions_list_shows_places_taken_and_waitlist(client, coordinator):
    full = make_session(title="Session pleine", capacity=2)
    roomy = make_session(title="Session avec de la place", capacity=10)
    statuses = [EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING] + [
        EnrolmentStatus.WAITLISTED
    ] * 3
    for status in [*statuses, EnrolmentStatus.CANCELLED]:
        db.session.add(Enrolment(session=full, person=make_user(), status=status))
    db.session.add(Enrolment(session=roomy, person=make_user(), status=EnrolmentStatus.CONFIRMED))
    db.session.commit()
    page = client.get("/admin/sessions").text
    rows = {
        title: row
        for row in page.split("<tr>")[1:]
        for title in ("Session pleine", "Session avec de la place")
        if title in row
    }
    assert "2 / 2" in rows["Session pleine"] and "3 en attente" in rows["Session pleine"]
    assert "1 / 10" in rows["Session avec de la place"]
    assert "en attente" not in rows["Session avec de la place"]
    # The htmx fragment (live filters) carries them too.
    fragment = client.get("/admin/sessions?q=pleine", headers={"HX-Request": "true"}).text
    assert "2 / 2" in fragment and "3 en attente" in fragment
