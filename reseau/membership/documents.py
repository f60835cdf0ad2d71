"""The year's list as rows (CSV and XLSX), and the call for fees (appel de cotisation) PDF."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.styles import Font

from reseau.core.downloads import append_row
from reseau.core.i18n import date_fr
from reseau.membership.queries import Line, YearList

FONTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "fonts")
FONT = "DejaVu"
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


class _Pdf(FPDF):
    def __init__(self, network_name: str, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.network_name = network_name
        self.set_title(title)
        self.set_author(network_name)
        self.add_font(FONT, "", os.path.join(FONTS, "DejaVuSans.ttf"))
        self.add_font(FONT, "B", os.path.join(FONTS, "DejaVuSans-Bold.ttf"))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)


def _call_page(pdf: _Pdf, line: Line, year: int, today: date) -> None:
    pdf.add_page()
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 6, pdf.network_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(FONT, "", 11)
    for text in (line.centre.name, line.centre.full_address):
        if text:
            pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="R")
    pdf.ln(4)
    pdf.multi_cell(
        0, 6, f"Le {date_fr(today, 'd MMMM y')}", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="R"
    )
    pdf.ln(6)
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 8, f"Appel de cotisation {year}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(0, 6, (
        f"La cotisation annuelle au réseau régional est de {percent_label(line.percent)} "
        "du budget du centre social. Voici le montant dû par votre centre pour "
        f"l'année {year}."
    ), new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.ln(4)
    figures = (
        ("Budget déclaré", euros(line.budget)),
        ("Taux de cotisation", percent_label(line.percent)),
        ("Cotisation due", euros(line.fee)),
    )
    for label, value in figures:
        pdf.cell(90, 8, label, border="B")
        pdf.cell(60, 8, value, border="B", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    if line.paid_on:
        paid = f"Cotisation reçue le {date_fr(line.paid_on, 'd MMMM y')} : merci."
    elif line.budget is None:
        paid = "Budget non déclaré : merci de nous indiquer le budget de l'année du centre."
    else:
        paid = "Merci de régler cette cotisation à réception de cet appel."
    pdf.multi_cell(0, 6, paid, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def calls_pdf(lines: list[Line], year: int, *, network_name: str, today: date) -> bytes:
    """One page per centre of ``lines``: the call for fees of ``year``."""
    pdf = _Pdf(network_name, f"Appel de cotisation {year}")
    for line in lines:
        _call_page(pdf, line, year, today)
    if not lines:
        pdf.add_page()
        pdf.set_font(FONT, "", 11)
        pdf.multi_cell(0, 6, f"Aucun centre adhérent en {year}.")
    return bytes(pdf.output())
