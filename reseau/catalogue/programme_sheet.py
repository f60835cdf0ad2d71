"""The module's programme sheet as a PDF (fpdf2). Imported only by ``programme.programme_pdf``,
so that a web worker does not load fpdf until it produces a PDF."""

from __future__ import annotations

from reseau.catalogue.models import Module
from reseau.catalogue.programme import programme_sections
from reseau.core.pdf import Document


class _Sheet(Document):
    line_height = 5.5


def programme_pdf(module: Module, *, network_name: str) -> bytes:
    """The module's programme sheet, A4, every filled section under its heading."""
    cycle = module.cycle
    pdf = _Sheet(network_name, f"Fiche programme – {module.title}", margin=18, top=15, bottom=18)
    pdf.add_page()
    pdf.line_text("Fiche programme", size=9)
    pdf.line_text(module.title, size=16, bold=True, height=8)
    pdf.line_text(f"{cycle.title} {cycle.year} · {cycle.theme.name} · {cycle.audience.label}")
    pdf.line_text(network_name, size=9)
    for heading, text in programme_sections(module):
        pdf.ln(3)
        pdf.line_text(heading, size=11, bold=True, height=6)
        pdf.line_text(text)
    return bytes(pdf.output())
