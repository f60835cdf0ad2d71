"""Adhésions: the fee and its rounding, the year's rate, the coordinator's pages, the exports,
the call for fees (its PDF read back) and the members of a year in the bilan."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from reseau.core.extensions import db
from reseau.core.periods import Period
from reseau.membership import queries
from reseau.membership.models import Membership, fee_of
from reseau.reports.queries import build_bilan
from tests.factories import make_centre, make_coordinator, make_department


@pytest.mark.parametrize(
    ("budget", "percent", "fee"),
    [
        ("0", "0.10", "0.00"),
        ("245000", "0.10", "245.00"),
        ("5", "0.10", "0.01"),  # 0,005 € exactly: half up
        ("4.99", "0.10", "0.00"),  # 0,00499 €
        ("15", "0.10", "0.02"),  # 0,015 €: half up, not to even
        ("25", "0.10", "0.03"),  # 0,025 €: half up, not to even
        ("123456.78", "0.10", "123.46"),  # 123,45678 €
        ("999999999.99", "0.10", "1000000.00"),  # a large budget, no float error
        ("1000000", "0.125", "1250.00"),
        ("333.33", "0.0001", "0.00"),
    ],
)
def test_the_fee_is_the_rate_of_the_budget_to_the_cent_half_up(budget, percent, fee):
    assert fee_of(Decimal(budget), Decimal(percent)) == Decimal(fee)


def test_no_budget_no_fee():
    assert fee_of(None, Decimal("0.10")) is None


def _login(client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    return coordinator


def test_the_coordinator_records_a_centres_year_and_the_years_rate(client, auth):
    _login(client, auth)
    centre = make_centre(name="Centre social du Blanc", town="Le Blanc", is_member=False)
    db.session.commit()
    url = f"/admin/adhesions/2011/centres/{centre.id}"
    bad = client.post(url, data={"is_member": "y", "budget": "deux cents", "paid_on": ""})
    assert bad.status_code == 422 and "Un montant en euros" in bad.text
    assert 'value="deux cents"' in bad.text
    answer = client.post(
        url, data={"is_member": "y", "budget": "245 000,50", "paid_on": "2011-03-15"}
    )
    assert answer.status_code == 303
    record = db.session.scalar(sa.select(Membership))
    assert (record.year, record.is_member, record.budget, record.paid_on) == (
        2011, True, Decimal("245000.50"), date(2011, 3, 15),
    )  # fmt: skip
    page = client.get("/admin/adhesions?annee=2011")
    assert page.status_code == 200 and "245,00" in page.text  # 245,0005 € → 245,00 €
    # The 2012 rate changes; 2011 keeps 0,10 %.
    assert client.post("/admin/adhesions/2012/taux", data={"percent": "abc"}).status_code == 422
    assert client.post("/admin/adhesions/2012/taux", data={"percent": "0,2"}).status_code == 303
    assert queries.fee_percent(2012) == Decimal("0.2")
    assert queries.fee_percent(2011) == Decimal("0.10")
    client.post(
        f"/admin/adhesions/2012/centres/{centre.id}", data={"is_member": "y", "budget": "245000"}
    )
    assert queries.year_list(2012).lines[0].fee == Decimal("490.00")
    assert queries.year_list(2011).lines[0].fee == Decimal("245.00")


def test_a_non_member_pays_nothing(client, auth):
    _login(client, auth)
    centre = make_centre()
    db.session.commit()
    answer = client.post(
        f"/admin/adhesions/2011/centres/{centre.id}",
        data={"budget": "1000", "paid_on": "2011-03-01"},
    )
    assert answer.status_code == 422 and "Seul un centre adhérent" in answer.text
    odd = client.post(
        f"/admin/adhesions/2011/centres/{centre.id}", data={"is_member": "y", "paid_on": "31/02"}
    )
    assert odd.status_code == 422 and "Date invalide" in odd.text
    assert client.get(f"/admin/adhesions/1900/centres/{centre.id}").status_code == 404


def _world():
    department = make_department(code="36", name="Indre")
    blanc = make_centre(name="Centre social du Blanc", town="Le Blanc", department=department)
    issoudun = make_centre(name="Centre social d'Issoudun", town="Issoudun", department=department)
    db.session.add_all([
        Membership(centre_id=blanc.id, year=2011, is_member=True, budget=Decimal("312345.67"),
                   paid_on=date(2011, 3, 2)),
        Membership(centre_id=issoudun.id, year=2011, is_member=False),
    ])  # fmt: skip
    db.session.commit()
    return blanc, issoudun


def test_the_list_exports_as_csv_and_xlsx(client, auth):
    _login(client, auth)
    _world()
    answer = client.get("/admin/adhesions/2011.csv")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Centre social", "Ville", "Département", "Adhérent"]
    assert rows[1] == [
        "Centre social d'Issoudun", "Issoudun", "36 – Indre", "non", "", "0,10", "", "",
    ]  # fmt: skip
    assert rows[2] == [
        "Centre social du Blanc", "Le Blanc", "36 – Indre", "oui", "312345,67", "0,10",
        "312,35", "02/03/2011",
    ]  # fmt: skip
    book = load_workbook(io.BytesIO(client.get("/admin/adhesions/2011.xlsx").data))
    sheet = book.active
    assert sheet.title == "Adhésions 2011"
    assert [c.value for c in sheet[3]][:7] == [
        "Centre social du Blanc", "Le Blanc", "36 – Indre", "oui", 312345.67, 0.1, 312.35,
    ]  # fmt: skip


def _pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_call_for_fees_reads_back(client, auth):
    _login(client, auth)
    blanc, _ = _world()
    answer = client.get(f"/admin/adhesions/2011/centres/{blanc.id}/appel.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    (text,) = _pdf_text(answer.data)
    assert "Appel de cotisation 2011" in text and "Centre social du Blanc" in text
    assert "312\u202f345,67" in text and "312,35" in text and "0,10" in text
    assert "Cotisation reçue le 2 mars 2011" in text
    # All of them: one page per member (Issoudun is not one in 2011).
    pages = _pdf_text(client.get("/admin/adhesions/2011/appels.pdf").data)
    assert len(pages) == 1 and "Issoudun" not in pages[0]


def test_the_bilan_counts_the_members_of_the_year(app):
    blanc, issoudun = _world()
    # Issoudun is a member in the directory; its 2011 record says no: the record wins.
    assert issoudun.is_member
    assert queries.member_count(2011) == 1
    # 2012: no records, the directory decides (both members, no member_since).
    assert queries.member_count(2012) == 2
    bilan = build_bilan(Period.year(2011))
    assert bilan.network_members == 1
    db.session.add(Membership(centre_id=issoudun.id, year=2012, is_member=False))
    db.session.commit()
    assert build_bilan(Period.year(2012)).network_members == 1
    assert build_bilan(Period.year(2011, centre_id=blanc.id)).network_members is None


def test_the_bilan_page_shows_the_years_members(client, auth):
    _login(client, auth)
    _world()
    page = client.get("/bilan?annee=2011")
    assert page.status_code == 200
    assert 'id="fig-members">1</span> adhérent au réseau fin 2011' in page.text


def test_a_referent_reads_their_own_centres_year_and_downloads_its_call(client, auth):
    from tests.factories import make_referent

    blanc = make_centre(name="Centre social du Blanc")
    issoudun = make_centre(name="Centre social d'Issoudun")
    db.session.add_all(
        [
            Membership(centre_id=blanc.id, year=2011, is_member=True, budget=Decimal("200000"),
                       paid_on=date(2011, 3, 4)),
            Membership(centre_id=issoudun.id, year=2011, is_member=True,
                       budget=Decimal("987654")),
            Membership(centre_id=blanc.id, year=2012, is_member=False),
        ]
    )  # fmt: skip
    referent = make_referent(blanc)
    db.session.commit()
    auth.login(referent)

    page = client.get("/mon-centre/adhesion?annee=2011")
    assert page.status_code == 200
    assert "Centre social du Blanc" in page.text and "200" in page.text
    assert "Issoudun" not in page.text and "987" not in page.text
    assert "Adhésion du centre" in page.text  # in the navigation
    call = client.get("/mon-centre/adhesion/2011/appel.pdf")
    assert call.mimetype == "application/pdf" and call.headers["Cache-Control"] == "no-store"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(call.data)).pages)
    assert "Blanc" in text and "Issoudun" not in text
    # Not a member in 2012: no call; another centre's call is the coordinator's alone.
    assert client.get("/mon-centre/adhesion/2012/appel.pdf").status_code == 404
    other = client.get(f"/admin/adhesions/2011/centres/{issoudun.id}/appel.pdf")
    assert other.status_code == 403
