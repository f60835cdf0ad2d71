"""The year's list as rows (CSV and XLSX), and the call for fees (appel de cotisation) PDF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from reseau.core.downloads import append_row
from reseau.membership.queries import Line, YearList

NARROW_SPACE = "\u202f"
HEADERS = [
    "Centre social", "Ville", "Département", "Adhérent", "Budget déclaré (€)",
    "Taux (%)", "Cotisation (€)", "Payée le",
]  # fmt: skip


def euros(value: Decimal | None) -> str:
    """« 1 234,50 € » (a narrow no-break space between thousands), « – » without a figure."""
    if value is None:
        return "–"
    whole, cents = f"{value:,.2f}".split(".")
    whole = whole.replace(",", NARROW_SPACE)
    return f"{whole},{cents}\u00a0€"


def percent_label(percent: Decimal) -> str:
    """« 0,10 % », « 0,125 % »: two decimals at least, four at most."""
    text = f"{percent:.4f}".rstrip("0")
    if len(text.split(".")[1]) < 2:
        text = f"{percent:.2f}"
    return text.replace(".", ",") + "\u00a0%"


def rows(year_list: YearList) -> list[list]:
    """The list's rows, amounts as Decimal (``csv_rows``/``workbook`` write them)."""
    return [
        [
            line.centre.name,
            line.centre.town,
            line.centre.department.label,
            "oui" if line.member else "non",
            line.budget,
            year_list.percent,
            line.fee,
            line.paid_on,
        ]
        for line in year_list.lines
    ]


def decimal_text(value):
    """A Decimal as French spreadsheets read it (« 312345,67 »); anything else as it is."""
    return str(value).replace(".", ",") if isinstance(value, Decimal) else value


def csv_rows(year_list: YearList) -> list[list]:
    return [[decimal_text(value) for value in row] for row in rows(year_list)]


def workbook(year_list: YearList) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = f"Adhésions {year_list.year}"
    append_row(sheet, HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(year_list):
        append_row(sheet, [float(v) if isinstance(v, Decimal) else v for v in row])
        for index in (4, 6):
            sheet.cell(sheet.max_row, index + 1).number_format = "#,##0.00"
    sheet.column_dimensions["A"].width = 44
    return book


def calls_pdf(lines: list[Line], year: int, *, network_name: str, today: date) -> bytes:
    """One page per centre of ``lines``: the call for fees of ``year`` (``membership.pdf``,
    imported only here: fpdf is loaded when a PDF is produced, not in every worker)."""
    from reseau.membership import pdf

    return pdf.calls_pdf(lines, year, network_name=network_name, today=today)
