"""The parcours as a PDF (fpdf2): A4, black on white, DejaVu Sans embedded (every French
character), in the order of France Bénévolat's Passeport Bénévole "formations effectuées"
(intitulé, organisme, dates, durée), then what a VAE file adds (theme, cycle, objectives) and
the person's own diagnostic ratings."""

from __future__ import annotations

import os
from datetime import date, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from reseau.attendance.pdf import FONT, FONTS, hours_label
from reseau.core.i18n import date_fr
from reseau.parcours.queries import LEVEL_NUMBER, Parcours, Training

DAY = "d MMMM y"
PASSPORT_NOTE = (
    "Ce relevé reprend les rubriques « Formations effectuées » du Passeport Bénévole de "
    "France Bénévolat (intitulé, organisme, dates, durée). Il peut aussi être joint à un "
    "dossier de validation des acquis de l'expérience (VAE)."
)


def dates_label(training: Training) -> str:
    """« le 3 mars 2012 », « du 3 mars 2012 au 10 mars 2012 »."""
    first, last = training.first_day, training.last_day
    if first == last:
        return f"le {date_fr(first, DAY)}"
    return f"du {date_fr(first, DAY)} au {date_fr(last, DAY)}"


class _Document(FPDF):
    def __init__(self, title: str, author: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.author_name = author
        self.set_title(title)
        self.set_author(author)
        self.set_creator("Réseau")
        self.add_font(FONT, "", os.path.join(FONTS, "DejaVuSans.ttf"))
        self.add_font(FONT, "B", os.path.join(FONTS, "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=18)
        self.set_margins(15, 15, 15)
        self.set_text_color(0)

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"{self.author_name} — page {self.page_no()} / {{nb}}", align="C")

    def text_line(self, text: str, *, size: float = 10, bold: bool = False, height: float = 5.5):
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(parcours: Parcours, *, issued: datetime | date) -> bytes:
    """Return the PDF of ``parcours``."""
    person = parcours.person
    pdf = _Document(f"Parcours de formation — {person.full_name}", parcours.organisation)
    pdf.add_page()
    pdf.text_line(parcours.organisation, size=9)
    pdf.text_line("Parcours de formation", size=16, bold=True, height=9)
    pdf.text_line(person.full_name, size=12, bold=True)
    if person.centre:
        pdf.text_line(person.centre.name)
    pdf.text_line(f"Relevé établi le {date_fr(issued, DAY)}", size=9)
    pdf.ln(2)
    pdf.text_line(PASSPORT_NOTE, size=9)
    pdf.ln(2)
    pdf.text_line(
        f"En tout : {_sessions_label(parcours.sessions)}, {hours_label(parcours.hours)} suivies.",
        bold=True,
    )
    if not parcours.years:
        pdf.text_line("Aucune formation suivie pour l'instant.")
    for year in parcours.years:
        pdf.ln(3)
        pdf.text_line(f"{year.year} — {hours_label(year.hours)}", size=13, bold=True, height=7)
        for training in year.trainings:
            _training(pdf, training, parcours.organisation)
    _skills(pdf, parcours)
    return bytes(pdf.output())


def _sessions_label(count: int) -> str:
    return f"{count} formation" if count < 2 else f"{count} formations"


def _training(pdf: _Document, training: Training, organisation: str) -> None:
    pdf.ln(1.5)
    pdf.text_line(training.session.title, size=11, bold=True)
    pdf.text_line(f"Organisme : {organisation}")
    pdf.text_line(f"Dates : {dates_label(training)}")
    pdf.text_line(f"Durée : {hours_label(training.hours)}")
    if training.theme:
        pdf.text_line(f"Thématique : {training.theme}")
    if training.cycle:
        pdf.text_line(f"Cycle : {training.cycle} — module « {training.module} »")
    if training.objectives:
        pdf.text_line(f"Objectifs : {training.objectives}")
    if not training.closed:
        pdf.text_line("Formation en cours.", size=9)


def _skills(pdf: _Document, parcours: Parcours) -> None:
    pdf.ln(4)
    pdf.text_line("Mes compétences (auto-évaluation du diagnostic)", size=13, bold=True, height=7)
    if not parcours.skills:
        pdf.text_line("Aucune réponse au diagnostic des besoins.")
        return
    scale = ", ".join(f"{number} : {level.label}" for level, number in LEVEL_NUMBER.items())
    pdf.text_line(f"Échelle : {scale}.", size=9)
    for trend in parcours.skills:
        pdf.ln(1)
        pdf.text_line(f"{trend.title} ({trend.theme})", bold=True)
        pdf.text_line(trend.arrows)
        pdf.text_line(trend.words, size=9)
