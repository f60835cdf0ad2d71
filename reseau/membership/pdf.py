"""The calls for fees as a PDF (fpdf2). Imported only by ``documents.calls_pdf``, so that a web
worker does not load fpdf until it produces a PDF."""

from __future__ import annotations

from datetime import date

from fpdf.enums import XPos, YPos

from reseau.core.i18n import date_fr
from reseau.core.pdf import FONT, Document
from reseau.membership.documents import euros, percent_label
from reseau.membership.queries import Line


def _call_page(pdf: Document, line: Line, year: int, today: date) -> None:
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
    pdf = Document(network_name, f"Appel de cotisation {year}", margin=20, bottom=20, foot=None)
    for line in lines:
        _call_page(pdf, line, year, today)
    if not lines:
        pdf.add_page()
        pdf.set_font(FONT, "", 11)
        pdf.multi_cell(0, 6, f"Aucun centre adhérent en {year}.")
    return bytes(pdf.output())
