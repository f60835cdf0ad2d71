"""The register's annual export: one row per complaint, the same columns in CSV and XLSX."""

from __future__ import annotations

from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from reseau.complaints.models import Complaint
from reseau.core.downloads import append_row, fit_columns
from reseau.core.i18n import to_local

HEADER = [
    "Référence",
    "Reçue le",
    "Nature",
    "Origine",
    "Catégorie",
    "Session",
    "Nom",
    "E-mail",
    "Message",
    "Statut",
    "Traitée par",
    "Réponse",
    "Répondue le",
    "Délai (jours)",
    "Clôturée le",
    "Amélioration décidée",
]


def _day(value: datetime | None) -> date | None:
    return to_local(value).date() if value is not None else None


def rows(complaints: list[Complaint]) -> list[list]:
    return [
        [
            c.reference,
            _day(c.received_at),
            c.kind.label,
            c.source.label,
            c.category.label,
            c.session.title if c.session else "",
            c.name,
            c.email,
            c.text,
            c.status.label,
            c.handler.full_name if c.handler else "",
            c.answer,
            _day(c.answered_at),
            c.delay_days,
            _day(c.closed_at),
            c.improvement,
        ]
        for c in complaints
    ]


def csv_rows(complaints: list[Complaint]) -> list[list]:
    """The rows with dates written « 24/03/2011 », as a French spreadsheet reads them."""
    return [
        [value.strftime("%d/%m/%Y") if isinstance(value, date) else value for value in row]
        for row in rows(complaints)
    ]


def workbook(complaints: list[Complaint], year: int) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = f"Réclamations {year}"
    append_row(sheet, HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(complaints):
        append_row(sheet, ["" if value is None else value for value in row])
    fit_columns(sheet)
    sheet.freeze_panes = "A2"
    return book
