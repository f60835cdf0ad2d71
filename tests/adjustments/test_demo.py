"""The demo's référente handicap, her requests to answer, and the demo centres' places."""

from __future__ import annotations

import sqlalchemy as sa

from devdata.demo import load_demo
from devdata.demo.specs import BENEVOLE, HANDICAP
from reseau.accounts.models import Centre, Role, User
from reseau.adjustments.models import AdjustmentRequest
from reseau.catalogue.models import PlaceAccessibility
from reseau.core.extensions import db


def test_the_demo_has_a_referente_handicap_requests_and_described_places(app, client, auth):
    created = load_demo()
    assert created["accessible_places"] == 6 and created["adjustment_requests"] == 2
    assert not any(load_demo().values())  # a second run adds nothing
    referent = db.session.scalar(sa.select(User).where(User.email == HANDICAP))
    assert Role.DISABILITY in referent.roles and referent.phone
    requests = db.session.scalars(sa.select(AdjustmentRequest).order_by(AdjustmentRequest.id)).all()
    volunteer = db.session.scalar(sa.select(User).where(User.email == BENEVOLE))
    assert {r.person_id for r in requests} == {volunteer.id}
    assert [r.is_arranged for r in requests] == [True, False]
    blanc = db.session.scalar(
        sa.select(PlaceAccessibility)
        .join(Centre, Centre.id == PlaceAccessibility.centre_id)
        .where(Centre.name == "Centre social du Blanc")
    )
    assert blanc.step_free and "1, rue Jean Giraudoux" in blanc.notes
    assert auth.login(HANDICAP, "demo").status_code == 303
    listing = client.get("/amenagements").get_data(as_text=True)
    assert "Martine Robin" in listing and "À traiter" in listing and "Aménagement prévu" in listing
    page = client.get(f"/catalogue/sessions/{requests[0].session_id}").get_data(as_text=True)
    assert "Karima Haddad" in page and referent.phone in page
    every = client.get("/catalogue").get_data(as_text=True)
    wheelchair = client.get("/catalogue?fauteuil=1").get_data(as_text=True)
    assert every.count("<article") > wheelchair.count("<article") > 0
