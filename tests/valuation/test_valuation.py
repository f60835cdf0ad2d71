"""Valorisation du bénévolat: the hours of volunteers in training and of volunteer trainers
(delivery from the séances, preparation recorded on the session), valued at each year's rate,
per centre; a year's rate changed leaves the other years alone; the exports; the funder
report shows its sessions' valuation.

World: centre A (Le Blanc) and B (Vierzon).
- 2011, session S1 (closed, two séances of 3 h): alice (bénévole, A) attends both, bob
  (salarié, A) attends both (not valued), carla (bénévole, B) is late to one, dan (bénévole,
  A) is absent from both. Trainers: vera (bénévole, A) and sam (salarié: not valued);
  preparation 2,5 h per trainer.
- 2012, session S2 (closed, one séance of 3 h 30): alice attends; vera leads; no preparation.
- A draft session in 2012 that alice "attended" counts for nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reseau.accounts.models import Category, Role
from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.catalogue.models import SessionStatus
from reseau.core.extensions import db
from reseau.core.i18n import from_local
from reseau.funding.documents import key_figures
from reseau.funding.models import Funder, SessionFunding
from reseau.funding.queries import Period, funder_report
from reseau.valuation import queries
from reseau.valuation.models import SessionPreparation, default_rate
from tests.factories import (
    make_centre,
    make_coordinator,
    make_referent,
    make_session,
    make_trainer,
    make_user,
)

P, LATE, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT


def _mark(session, person, *statuses):
    for seance, status in zip(session.seances, statuses, strict=False):
        db.session.add(Attendance(seance=seance, person_id=person.id, status=status))


@pytest.fixture
def world(app):
    a = make_centre(name="Centre social du Blanc", town="Le Blanc")
    b = make_centre(name="Centre social de Vierzon", town="Vierzon")
    alice = make_user(centre=a, first_name="Alice", last_name="Aubert")
    bob = make_user(centre=a, category=Category.SALARIE, first_name="Bob", last_name="Bernard")
    carla = make_user(centre=b, first_name="Carla", last_name="Chevalier")
    dan = make_user(centre=a, first_name="Dan", last_name="Durand")
    vera = make_user(roles=[Role.TRAINER], centre=a, first_name="Véra", last_name="Vidal")
    sam = make_trainer(centre=b)
    s1 = make_session(
        starts_at=from_local(datetime(2011, 5, 10, 9)), seances=2, hours=3.0,
        status=SessionStatus.CLOSED, trainers=[vera, sam],
    )  # fmt: skip
    _mark(s1, alice, P, P)
    _mark(s1, bob, P, P)
    _mark(s1, carla, LATE, ABSENT)
    _mark(s1, dan, ABSENT, ABSENT)
    db.session.add(SessionPreparation(session_id=s1.id, hours=Decimal("2.5")))
    s2 = make_session(
        starts_at=from_local(datetime(2012, 3, 1, 14)), hours=3.5,
        status=SessionStatus.CLOSED, trainers=[vera],
    )  # fmt: skip
    _mark(s2, alice, P)
    draft = make_session(starts_at=from_local(datetime(2012, 4, 1, 9)), status=SessionStatus.DRAFT)
    _mark(draft, alice, P)
    db.session.commit()
    return {"a": a, "b": b, "alice": alice, "vera": vera, "s1": s1, "s2": s2}


def test_the_default_rate_is_the_smic_with_charges():
    assert default_rate(2011) == Decimal("13.05")  # 9,00 € × 1,45
    assert default_rate(2012) == Decimal("13.37")  # 9,22 € × 1,45 = 13,369
    assert default_rate(2026) == Decimal("17.43")  # 12,02 € × 1,45 = 17,429
    assert default_rate(2030) == default_rate(2026)  # the last one known


def test_the_hours_and_values_of_a_year_per_centre(world):
    v2011 = queries.year_valuation(2011)
    by_centre = {c.name: line for c, line in v2011.centres}
    blanc = by_centre["Centre social du Blanc"]
    # alice 6 h in training; vera 6 h of delivery and 2,5 h of preparation.
    assert (blanc.training, blanc.delivery, blanc.preparation) == (6, 6, Decimal("2.5"))
    assert blanc.total == Decimal("14.5") and blanc.value == Decimal("189.23")  # 14,5 × 13,05
    vierzon = by_centre["Centre social de Vierzon"]
    assert (vierzon.training, vierzon.trainers, vierzon.value) == (3, 0, Decimal("39.15"))
    assert v2011.total.value == Decimal("228.38")
    v2012 = queries.year_valuation(2012)
    (only,) = v2012.centres
    # alice 3,5 h, vera 3,5 h; the draft session counts for nothing.
    assert only[1].total == 7 and only[1].value == Decimal("93.59")  # 7 × 13,37


def test_changing_a_years_rate_changes_that_year_only(world, client, auth):
    auth.login(make_coordinator())
    db.session.commit()
    before_2011 = queries.year_valuation(2011).total.value
    answer = client.post("/admin/valorisation/taux", data={"year": "2012", "rate": "20,00"})
    assert answer.status_code == 303
    assert queries.year_valuation(2012).total.value == Decimal("140.00")  # 7 h × 20 €
    assert queries.year_valuation(2011).total.value == before_2011 == Decimal("228.38")
    bad = client.post("/admin/valorisation/taux", data={"year": "2012", "rate": "vingt"})
    assert bad.status_code == 422 and "Un montant en euros" in bad.text
    page = client.get("/admin/valorisation/taux")
    assert "20,00" in page.text and "SMIC brut chargé" in page.text


def test_the_coordinator_records_a_sessions_preparation(world, client, auth):
    auth.login(make_coordinator())
    db.session.commit()
    s2 = world["s2"]
    detail = client.get(f"/admin/sessions/{s2.id}")
    assert detail.status_code == 200 and 'id="preparation-form"' in detail.text
    bad = client.post(f"/admin/sessions/{s2.id}/preparation", data={"hours": "-1"})
    assert bad.status_code == 422 and 'value="-1"' in bad.text
    ok = client.post(f"/admin/sessions/{s2.id}/preparation", data={"hours": "1,5"})
    assert ok.status_code == 303
    assert queries.year_valuation(2012).total.preparation == Decimal("1.5")


def test_the_referent_sees_their_centre_and_exports_it(world, client, auth):
    referent = make_referent(world["a"])
    db.session.commit()
    auth.login(referent)
    page = client.get(f"/valorisation?annee=2011&centre={world['b'].id}")
    assert page.status_code == 200
    assert "Alice Aubert" in page.text and "Carla" not in page.text  # own centre only
    assert "189,23" in page.text
    answer = client.get(f"/valorisation/2011/centres/{world['a'].id}.csv")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Bénévole"
    assert rows[1] == ["Alice Aubert", "6", "0", "0", "6", "13,05", "78,3"]
    # 8,5 h × 13,05 € = 110,925 €: half up. Dan (absent) and Bob (salarié) are not there.
    assert rows[2] == ["Véra Vidal", "0", "6", "2,5", "8,5", "13,05", "110,93"]
    assert [row[0] for row in rows[1:4]] == ["Alice Aubert", "Véra Vidal", "Total"]
    assert rows[-2] == ["Compte 864 – Personnel bénévole (emplois)", "", "", "", "", "", "189,23"]
    assert client.get(f"/valorisation/2011/centres/{world['b'].id}.csv").status_code == 403
    book = load_workbook(
        io.BytesIO(client.get(f"/valorisation/2011/centres/{world['a'].id}.xlsx").data)
    )
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert ["Total", 6, 6, 2.5, 14.5, 13.05, 189.23] in values


def test_the_funder_report_shows_its_sessions_valuation(world):
    funder = Funder(name="FDVA 1", volunteers_only=True)
    db.session.add(funder)
    db.session.flush()
    db.session.add(SessionFunding(session_id=world["s1"].id, funder_id=funder.id))
    db.session.commit()
    report = funder_report(funder, Period(date(2011, 1, 1), date(2012, 12, 31)))
    assert report.valuation.training == 9 and report.valuation.trainers == Decimal("8.5")
    assert report.valuation.value == Decimal("228.38")  # S1 only, at the 2011 rate
    assert report.held and report.held[0].session.id == world["s1"].id
    figures = dict(key_figures(report))
    assert figures["Valorisation du bénévolat (€, comptes 864/870)"] == 228.38
    assert figures["Heures des formateur·rices bénévoles"] == 8.5
