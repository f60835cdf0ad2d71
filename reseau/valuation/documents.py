"""A centre's valuation of a year as rows, for the CSV and the XLSX."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from reseau.core.downloads import append_row
from reseau.valuation.queries import Hours, YearValuation

HEADERS = [
    "Bénévole", "Heures en formation", "Heures d'animation", "Heures de préparation",
    "Total des heures", "Taux horaire (€)", "Valorisation (€)",
]  # fmt: skip


def _row(label: str, line: Hours) -> list:
    return [label, float(line.training), float(line.delivery), float(line.preparation),
            float(line.total), float(line.rate), float(line.value)]  # fmt: skip


def rows(valuation: YearValuation) -> list[list]:
    """One row per volunteer, then the total and the two accounts."""
    out = [_row(person.full_name, line) for person, line in valuation.people]
    total = valuation.total
    out.append(_row("Total", total))
    out.append(["Compte 864 – Personnel bénévole (emplois)", None, None, None, None, None,
                float(total.value)])  # fmt: skip
    out.append(["Compte 870 – Bénévolat (contributions volontaires)", None, None, None, None,
                None, float(total.value)])  # fmt: skip
    return out


def workbook(valuation: YearValuation, centre_name: str) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = f"Valorisation {valuation.year}"
    append_row(sheet, [f"{centre_name} – valorisation du bénévolat {valuation.year}"])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, [])
    append_row(sheet, HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows(valuation):
        append_row(sheet, row)
    sheet.column_dimensions["A"].width = 50
    return book
