"""A module's programme sheet (fiche programme, Qualiopi indicator 1): its fields as the
public session page and the PDF show them, the PDF itself, and its public download."""

from __future__ import annotations

from flask import current_app

from reseau.catalogue import bp
from reseau.catalogue.models import Module
from reseau.catalogue.queries import get_module_or_404
from reseau.core.downloads import pdf_download
from reseau.core.i18n import number

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


def programme_pdf(module: Module, *, network_name: str) -> bytes:
    """The module's programme sheet (``programme_sheet``, imported only here: fpdf is loaded
    when a PDF is produced, not in every worker)."""
    from reseau.catalogue import programme_sheet

    return programme_sheet.programme_pdf(module, network_name=network_name)


@bp.route("/catalogue/modules/<int:module_id>/programme.pdf", endpoint="programme_pdf")
def programme_pdf_download(module_id: int):
    """Anyone's: the programme is public information, like the cycle's page."""
    module = get_module_or_404(module_id)
    content = programme_pdf(module, network_name=current_app.config["NETWORK_NAME"])
    return pdf_download(content, f"fiche-programme-module-{module.id}.pdf")
