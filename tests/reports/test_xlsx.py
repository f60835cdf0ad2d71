"""Issue 23: the bilan's workbook, read back with openpyxl: short sheet names (whole words,
at most 31 characters), one per table, and dates as real date cells."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from reseau.attendance import rollups
from reseau.core.extensions import db
from tests.factories import make_coordinator
from tests.reports.fixtures import build_year

SHEETS = [
    "Bilan",
    "Offre par type",
    "Offre par thématique",
    "Offre par cycle",
    "Heures par mois",
    "Participants par catégorie",
    "Participants par précision",
    "Participants par département",
    "Participants par centre",
    "Assiduité par thématique",
    "Satisfaction",
    "Sessions une par une",
]


def _workbook(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return load_workbook(io.BytesIO(response.data))


def test_sheet_names_are_short_and_whole(app, client, auth):
    world = build_year()
    world.people["dan"].sub_category = "agent CAF"
    db.session.flush()
    rollups.refresh_person(world.people["dan"].id)  # written directly: count them again
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    workbook = _workbook(client, "/bilan.xlsx?annee=2011")
    assert workbook.sheetnames == SHEETS
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    # The summary lists each table by its full title, with a link to its sheet.
    summary = list(workbook["Bilan"].iter_rows(min_row=2, values_only=True))
    assert summary[0] == ("Tableau", "Feuille")
    assert ("Sessions et heures par thématique", "Offre par thématique") in summary
    assert [row[1] for row in summary[1:]] == SHEETS[1:]
    assert workbook["Bilan"]["B3"].hyperlink.location == "'Offre par type'!A1"
    precision = list(workbook["Participants par précision"].iter_rows(values_only=True))
    assert ("Partenaire", "agent CAF", 1) in precision


def test_dates_are_date_cells(app, client, auth):
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    workbook = _workbook(client, "/bilan.xlsx?annee=2011")
    events = workbook["Sessions une par une"]
    assert events["A1"].value == "Date"
    days = [row[0] for row in events.iter_rows(min_row=2)]
    assert [cell.value for cell in days] == [datetime(2011, 3, 10), datetime(2011, 6, 1)]
    assert all(cell.is_date and cell.number_format == "DD/MM/YYYY" for cell in days)
    months = [row[0] for row in workbook["Heures par mois"].iter_rows(min_row=2)]
    assert len(months) == 12 and months[0].value == datetime(2011, 1, 1)
    assert all(cell.is_date and cell.number_format == "[$-fr-FR]MMMM YYYY" for cell in months)
    # The page and the CSV show the same dates in French.
    page = client.get("/bilan?annee=2011").get_data(as_text=True)
    sessions = client.get("/bilan/sessions?annee=2011").get_data(as_text=True)
    assert '<th scope="row">10/03/2011</th>' in sessions
    assert '<th scope="row">janvier 2011</th>' in page
    csv_text = client.get("/bilan/evenements.csv?annee=2011").get_data(as_text=True)
    assert "\n10/03/2011;" in csv_text.replace("\r\n", "\n")
