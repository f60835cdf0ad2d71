"""The coordinator's funders and a session's funding lines."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.core.extensions import db
from reseau.funding.models import Funder, SessionFunding
from tests.factories import make_coordinator, make_session, make_user


def _login(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    return coordinator


def test_the_coordinator_adds_and_edits_a_funder(client, auth):
    _login(client, auth)
    answer = client.post(
        "/admin/financeurs/nouveau",
        data={"name": "FDVA 1", "min_group_size": "12", "volunteers_only": "y", "active": "y"},
    )
    assert answer.status_code == 303
    funder = db.session.scalar(sa.select(Funder))
    assert (funder.name, funder.min_group_size, funder.volunteers_only) == ("FDVA 1", 12, True)
    again = client.post("/admin/financeurs/nouveau", data={"name": "fdva 1"})
    assert again.status_code == 422 and "Un financeur porte déjà ce nom." in again.text
    bad = client.post(
        f"/admin/financeurs/{funder.id}/modifier", data={"name": "FDVA", "min_group_size": "douze"}
    )
    assert bad.status_code == 422 and "Saisissez un nombre entier" in bad.text
    assert 'value="douze"' in bad.text
    listing = client.get("/admin/financeurs")
    assert listing.status_code == 200 and "FDVA 1" in listing.text


def test_a_session_gets_its_funders_with_amounts(client, auth):
    _login(client, auth)
    funder = Funder(name="CAF")
    session = make_session(title="Fonction employeur")
    db.session.add(funder)
    db.session.commit()
    url = f"/admin/sessions/{session.id}/financeurs"
    assert client.get(url).status_code == 200
    bad = client.post(url, data={"funder_id": str(funder.id), "amount_asked": "-5"})
    assert bad.status_code == 422 and "Un montant en euros" in bad.text
    assert client.post(url, data={"funder_id": ""}).status_code == 422
    answer = client.post(url, data={"funder_id": str(funder.id), "amount_asked": "1500"})
    assert answer.status_code == 303
    # The same funder again updates its line.
    client.post(
        url, data={"funder_id": str(funder.id), "amount_asked": "1500", "amount_granted": "1200"}
    )
    line = db.session.scalar(sa.select(SessionFunding))
    assert (line.amount_asked, line.amount_granted) == (1500, 1200)
    detail = client.get(f"/admin/sessions/{session.id}")
    assert 'id="financeurs"' in detail.text and "accordé 1200 €" in detail.text
    removed = client.post(f"{url}/{line.id}/retirer")
    assert removed.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(SessionFunding.id))) == 0


def test_only_the_coordinator_sees_funders(client, auth):
    auth.login(make_user())
    db.session.commit()
    assert client.get("/admin/financeurs").status_code == 403
