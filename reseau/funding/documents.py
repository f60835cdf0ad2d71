"""The funder report as rows (shared by the XLSX and the PDF), the PDF itself, and the ZIP of
the sessions' sign-in sheets."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Font

from reseau.accounts.models import Category
from reseau.attendance import operations as attendance
from reseau.catalogue.models import SeanceStatus
from reseau.core.downloads import append_row
from reseau.core.i18n import date_fr, to_local
from reseau.core.i18n import number as french_number
from reseau.core.periods import Period
from reseau.funding.queries import FunderReport


def number(value) -> str:
    """« 1 234 », « 4,5 » (reseau.core.i18n.number), « – » when there is no figure."""
    return "–" if value is None else french_number(value)


def period_label(period: Period) -> str:
    return f"du {date_fr(period.start, 'd MMMM y')} au {date_fr(period.end, 'd MMMM y')}"


def key_figures(report: FunderReport) -> list[tuple[str, object]]:
    """The report's single figures, in the order every format shows them."""
    rows: list[tuple[str, object]] = [
        ("Sessions tenues", report.sessions),
        ("Sessions annulées", report.cancelled),
        ("Jours de formation", report.days),
        ("Heures de formation", report.hours),
        ("Personnes formées", report.people),
    ]
    for category in Category:
        rows.append((f"  dont {category.label.lower()}s", report.by_category.get(category, 0)))
    rows += [
        ("Heures-stagiaires", report.trainee_hours),
        ("Heures-stagiaires des bénévoles", report.volunteer_trainee_hours),
        ("Centres sociaux touchés", report.centres),
        ("  dont adhérents du réseau", report.member_centres),
        ("  dont non adhérents", report.other_centres),
        ("Personnes hors réseau (sans centre social)", report.outside_network),
        ("Taux d'assiduité (%)", report.attendance_percent),
        ("Satisfaction moyenne (sur 5)", report.satisfaction_average),
        ("Évaluations à chaud", report.satisfaction_count),
        ("Montant demandé (€)", report.amount_asked),
        ("Montant accordé (€)", report.amount_granted),
    ]
    if report.valuation is not None:
        rows += [
            ("Heures de bénévolat en formation", float(report.valuation.training)),
            ("Heures des formateur·rices bénévoles", float(report.valuation.trainers)),
            ("Valorisation du bénévolat (€, comptes 864/870)", float(report.valuation.value)),
        ]
    return rows


SESSION_HEADERS = [
    "Session", "Date", "Statut", "Jours", "Heures", "Personnes", "Bénévoles",
    "Heures-stagiaires", "Demandé (€)", "Accordé (€)", "Points d'attention",
]  # fmt: skip


def session_rows(report: FunderReport) -> list[list]:
    return [
        [
            line.session.title,
            to_local(line.session.starts_at).date() if line.session.starts_at else None,
            line.session.status.label,
            line.days,
            line.hours,
            line.people,
            line.volunteers,
            line.trainee_hours,
            line.amount_asked,
            line.amount_granted,
            " ; ".join(line.warnings),
        ]
        for line in report.lines
    ]


def workbook(report: FunderReport) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Synthèse"
    append_row(sheet, [f"{report.funder.name} – rapport {period_label(report.period)}"])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, [])
    for label, value in key_figures(report):
        append_row(sheet, [label, value])
    sheet.column_dimensions["A"].width = 44
    sessions = book.create_sheet("Sessions")
    append_row(sessions, SESSION_HEADERS)
    for cell in sessions[1]:
        cell.font = Font(bold=True)
    for row in session_rows(report):
        append_row(sessions, row)
    sessions.column_dimensions["A"].width = 50
    return book


PDF_WIDTHS = (70, 22, 22, 12, 15, 18, 18, 20, 20, 20, 36)


def report_pdf(report: FunderReport, *, network_name: str) -> bytes:
    from fpdf.enums import XPos, YPos

    from reseau.core.pdf import FONT, Document

    title = f"{report.funder.name} – rapport {period_label(report.period)}"
    pdf = Document(network_name, title, orientation="L", margin=12, foot=10)
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(0, 5, network_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    for label, value in key_figures(report):
        pdf.cell(90, 5.5, label, border="B")
        pdf.cell(30, 5.5, number(value), border="B", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.add_page()
    pdf.set_font(FONT, "B", 7)
    for header, width in zip(SESSION_HEADERS, PDF_WIDTHS, strict=True):
        pdf.cell(width, 6, header, border=1)
    pdf.ln()
    pdf.set_font(FONT, "", 7)
    for row in session_rows(report):
        cells = [row[0], date_fr(row[1], "dd/MM/y") if row[1] else "", *row[2:]]
        for value, width in zip(cells, PDF_WIDTHS, strict=True):
            text = value if isinstance(value, str) else number(value)
            pdf.cell(width, 5, pdf.fitted(text, width - 1), border=1)
        pdf.ln()
    return bytes(pdf.output())


def sign_in_sheets_zip(report: FunderReport, *, network_name: str) -> bytes:
    from reseau.attendance import pdf as attendance_pdf

    """Every sign-in sheet of the report's held sessions, one PDF per séance, in one ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for line in report.held:
            for seance in line.session.seances:
                if seance.status != SeanceStatus.SCHEDULED:
                    continue
                people = [entry.person for entry in attendance.roster(seance).lines]
                content = attendance_pdf.sign_in_sheet(seance, people, network_name=network_name)
                day = to_local(seance.starts_at).strftime("%Y-%m-%d")
                archive.writestr(
                    f"session-{line.session.id}/emargement-{day}-{seance.id}.pdf", content
                )
    return buffer.getvalue()
