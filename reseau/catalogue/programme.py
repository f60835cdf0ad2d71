"""A module's programme sheet (fiche programme, Qualiopi indicator 1): its fields as the
public session page and the PDF show them, the PDF itself, and its public download."""

from __future__ import annotations

import os

from flask import current_app
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from reseau.catalogue import bp
from reseau.catalogue.models import Module
from reseau.catalogue.queries import get_module_or_404
from reseau.core.downloads import pdf_download
from reseau.core.i18n import number

FONTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "fonts")
FONT = "DejaVu"

# (heading, the module's attribute), in the order of the sheet; "cost" is worded below.
SECTIONS = (
    ("Prérequis", "prerequisites"),
    ("Objectifs opérationnels", "objectives"),
    ("Contenu", "content"),
    ("Méthodes pédagogiques", "methods"),
    ("Évaluation des acquis", "assessment"),
    ("Durée", "duration"),
    ("Délai d'accès", "access_delay"),
    ("Coût", "cost"),
    ("Accessibilité", "accessibility"),
    ("Contact", "contact"),
)


def cost_text(module: Module) -> str:
    """« Gratuit pour les membres du réseau. Repas pris en charge. » or « Payant : … »."""
    head = "Gratuit pour les membres du réseau" if module.free_for_members else "Payant"
    if not module.cost:
        return head + "."
    return f"{head}. {module.cost}" if module.free_for_members else f"{head} : {module.cost}"


@bp.app_template_global()
def programme_sections(module: Module) -> list[tuple[str, str]]:
    """The sheet's filled sections as (heading, text); duration and cost always show."""
    sections = []
    for heading, name in SECTIONS:
        if name == "duration":
            text = f"{number(module.duration_hours)} h"
        elif name == "cost":
            text = cost_text(module)
        else:
            text = getattr(module, name)
        if text:
            sections.append((heading, text))
    return sections


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


@bp.route("/catalogue/modules/<int:module_id>/programme.pdf", endpoint="programme_pdf")
def programme_pdf_download(module_id: int):
    """Anyone's: the programme is public information, like the cycle's page."""
    module = get_module_or_404(module_id)
    content = programme_pdf(module, network_name=current_app.config["NETWORK_NAME"])
    return pdf_download(content, f"fiche-programme-module-{module.id}.pdf")
