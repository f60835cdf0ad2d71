"""Issue 23: the roster's counter follows each tap; the walk-in search never nests."""

from __future__ import annotations

import re

from reseau.core.extensions import db
from tests.attendance.helpers import running_session
from tests.factories import make_user


def _summary(html: str) -> str:
    match = re.search(r'<p id="roster-summary"[^>]*>(.*?)</p>', html, re.S)
    assert match, html
    return " ".join(match.group(1).split())


def test_each_tap_sends_the_counter_out_of_band(client, auth, htmx_headers):
    session, trainer, people = running_session(people=3)
    db.session.commit()
    seance_id = session.seances[0].id
    auth.login(trainer)
    page = client.get(f"/mes-sessions/seances/{seance_id}").text
    assert page.count('id="roster-summary"') == 1
    assert "Présent·e : 0" in _summary(page) and "Non marqué·es : 3" in _summary(page)
    assert "data-hx-swap-oob" not in page
    for marked, person in enumerate(people, start=1):
        response = client.post(
            f"/mes-sessions/seances/{seance_id}/personnes/{person.id}",
            data={f"status-{person.id}": "present"},
            headers=htmx_headers,
        )
        assert response.status_code == 200
        assert f'id="attendee-{person.id}"' in response.text
        assert re.search(r'<p id="roster-summary"[^>]*data-hx-swap-oob="true"', response.text)
        summary = _summary(response.text)
        assert f"Présent·e : {marked}" in summary
        assert f"Non marqué·es : {3 - marked}" in summary
    # A refused tap still answers the counter as it stands.
    response = client.post(
        f"/mes-sessions/seances/{seance_id}/personnes/{people[0].id}",
        data={"status": "bof"},
        headers=htmx_headers,
    )
    assert response.status_code == 422
    assert "Présent·e : 3" in _summary(response.text)


def test_walk_in_results_replace_themselves(client, auth, htmx_headers):
    session, trainer, _ = running_session(people=1)
    make_user(first_name="Zoé", last_name="Marchand")
    db.session.commit()
    seance_id = session.seances[0].id
    auth.login(trainer)
    page = client.get(f"/mes-sessions/seances/{seance_id}/sans-inscription").text
    assert page.count('id="walk-in-results"') == 1
    # The form swaps the whole results element (outerHTML), and the fragment is that element.
    form = re.search(r'<form[^>]*data-hx-target="#walk-in-results"[^>]*>', page).group(0)
    assert 'data-hx-swap="outerHTML"' in form
    fragment = client.get(
        f"/mes-sessions/seances/{seance_id}/sans-inscription?q=march", headers=htmx_headers
    ).text
    assert fragment.count('id="walk-in-results"') == 1
    assert fragment.lstrip().startswith('<div id="walk-in-results"')
    assert "Marchand Zoé" in fragment
