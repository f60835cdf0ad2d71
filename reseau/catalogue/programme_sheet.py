"""The module's programme sheet as a PDF (fpdf2). Imported only by ``programme.programme_pdf``,
so that a web worker does not load fpdf until it produces a PDF."""

from __future__ import annotations

import os

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from reseau.catalogue.models import Module
from reseau.catalogue.programme import FONT, FONTS, programme_sections


class _Sheet(FPDF):
    def __init__(self, network_name: str, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.network_name = network_name
        self.set_title(title)
        self.set_author(network_name)
        self.set_creator("Réseau")
        self.add_font(FONT, "", os.path.join(FONTS, "DejaVuSans.ttf"))
        self.add_font(FONT, "B", os.path.join(FONTS, "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=18)
        self.set_margins(18, 15, 18)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"{self.network_name} — page {self.page_no()} / {{nb}}", align="C")

    def text_block(self, text: str, *, size: float = 10, bold: bool = False, height: float = 5.5):
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def programme_pdf(module: Module, *, network_name: str) -> bytes:
    """The module's programme sheet, A4, every filled section under its heading."""
    cycle = module.cycle
    pdf = _Sheet(network_name, f"Fiche programme – {module.title}")
    pdf.add_page()
    pdf.text_block("Fiche programme", size=9)
    pdf.text_block(module.title, size=16, bold=True, height=8)
    pdf.text_block(f"{cycle.title} {cycle.year} · {cycle.theme.name} · {cycle.audience.label}")
    pdf.text_block(network_name, size=9)
    for heading, text in programme_sections(module):
        pdf.ln(3)
        pdf.text_block(heading, size=11, bold=True, height=6)
        pdf.text_block(text)
    return bytes(pdf.output())
