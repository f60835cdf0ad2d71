"""In a real browser at 390 px with JavaScript off: the coordinator records a centre's
membership of a year and the year's fee rate, and reads the valuation page; every page fits
the phone's width."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.catalogue.models import SessionStatus
from reseau.core.extensions import db
from reseau.core.i18n import from_local
from reseau.membership.models import FeeRate, Membership
from tests.browser.conftest import page_width
from tests.factories import PASSWORD, make_centre, make_coordinator, make_session, make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seeded(app):
    centre = make_centre(name="Centre social d'Argenton-sur-Creuse", town="Argenton-sur-Creuse")
    coordinator = make_coordinator()
    volunteer = make_user(centre=centre, first_name="Agnès", last_name="Moreau")
    session = make_session(
        starts_at=from_local(datetime(2011, 6, 7, 9)), status=SessionStatus.CLOSED, hours=3.0
    )
    db.session.add(
        Attendance(
            seance=session.seances[0], person_id=volunteer.id, status=AttendanceStatus.PRESENT
        )
    )
    db.session.flush()
    ids = SimpleNamespace(centre=centre.id, email=coordinator.email)
    db.session.commit()  # read nothing after: the live server writes
    return ids


def _stored(centre_id: int):
    try:
        record = db.session.scalar(sa.select(Membership).where(Membership.centre_id == centre_id))
        rate = db.session.get(FeeRate, 2011)
        return (record.is_member, record.budget, record.paid_on.isoformat()), rate.percent
    finally:
        db.session.rollback()


def test_membership_and_valuation_on_a_phone_without_javascript(pages, log_in, seeded):
    page = pages.open(javascript=False)
    page.set_viewport_size(PHONE)
    log_in(page, seeded.email, PASSWORD)
    page.goto("/admin/adhesions?annee=2011")
    assert page_width(page) <= PHONE["width"]
    page.get_by_label("Taux de cotisation (% du budget)").fill("0,12")
    page.get_by_role("button", name="Enregistrer le taux 2011").click()
    expect(page.locator("#membership-list")).to_be_visible()
    page.get_by_role(
        "link", name="Modifier l'adhésion de Centre social d'Argenton-sur-Creuse"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Adhésion 2011")
    assert page_width(page) <= PHONE["width"]
    page.get_by_label("Budget déclaré (€)").fill("abc")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".field-error")).to_contain_text("Un montant en euros")
    page.get_by_label("Adhérent au réseau cette année").check()
    page.get_by_label("Budget déclaré (€)").fill("180 000")
    page.get_by_label("Cotisation payée le").fill("2011-04-12")
    page.get_by_role("button", name="Enregistrer").click()
    row = page.locator(f"#centre-{seeded.centre}")
    expect(row).to_contain_text("216,00")  # 0,12 % of 180 000 €
    assert page_width(page) <= PHONE["width"]
    assert _stored(seeded.centre) == ((True, Decimal("180000.00"), "2011-04-12"), Decimal("0.12"))

    page.goto("/valorisation?annee=2011")
    assert page_width(page) <= PHONE["width"]
    expect(page.locator("#val-864")).to_contain_text("39,15")  # 3 h × 13,05 €
    page.get_by_role("link", name="Centre social d'Argenton-sur-Creuse").click()
    expect(page.locator("#valuation-people")).to_contain_text("Agnès Moreau")
    assert page_width(page) <= PHONE["width"]
    page.goto("/admin/valorisation/taux")
    assert page_width(page) <= PHONE["width"]
