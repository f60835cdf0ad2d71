"""The parcours as a PDF (fpdf2): A4, black on white, DejaVu Sans embedded (every French
character), in the order of France Bénévolat's Passeport Bénévole "formations effectuées"
(intitulé, organisme, dates, durée), then what a VAE file adds (theme, cycle, objectives) and
the person's own diagnostic ratings."""

from __future__ import annotations

from datetime import date, datetime

from reseau.attendance.pdf import hours_label
from reseau.core.i18n import date_fr
from reseau.core.pdf import Document
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


class _Document(Document):
    line_height = 5.5


def render(parcours: Parcours, *, issued: datetime | date) -> bytes:
    """Return the PDF of ``parcours``."""
    person = parcours.person
    pdf = _Document(parcours.organisation, f"Parcours de formation — {person.full_name}")
    pdf.add_page()
    pdf.line_text(parcours.organisation, size=9)
    pdf.line_text("Parcours de formation", size=16, bold=True, height=9)
    pdf.line_text(person.full_name, size=12, bold=True)
    if person.centre:
        pdf.line_text(person.centre.name)
    pdf.line_text(f"Relevé établi le {date_fr(issued, DAY)}", size=9)
    pdf.ln(2)
    pdf.line_text(PASSPORT_NOTE, size=9)
    pdf.ln(2)
    pdf.line_text(
        f"En tout : {_sessions_label(parcours.sessions)}, {hours_label(parcours.hours)} suivies.",
        bold=True,
    )
    if not parcours.years:
        pdf.line_text("Aucune formation suivie pour l'instant.")
    for year in parcours.years:
        pdf.ln(3)
        pdf.line_text(f"{year.year} — {hours_label(year.hours)}", size=13, bold=True, height=7)
        for training in year.trainings:
            _training(pdf, training, parcours.organisation)
    _skills(pdf, parcours)
    return bytes(pdf.output())


def _sessions_label(count: int) -> str:
    return f"{count} formation" if count < 2 else f"{count} formations"


def _training(pdf: _Document, training: Training, organisation: str) -> None:
    pdf.ln(1.5)
    pdf.line_text(training.session.title, size=11, bold=True)
    pdf.line_text(f"Organisme : {organisation}")
    pdf.line_text(f"Dates : {dates_label(training)}")
    pdf.line_text(f"Durée : {hours_label(training.hours)}")
    if training.theme:
        pdf.line_text(f"Thématique : {training.theme}")
    if training.cycle:
        pdf.line_text(f"Cycle : {training.cycle} — module « {training.module} »")
    if training.objectives:
        pdf.line_text(f"Objectifs : {training.objectives}")
    if not training.closed:
        pdf.line_text("Formation en cours.", size=9)


def _skills(pdf: _Document, parcours: Parcours) -> None:
    pdf.ln(4)
    pdf.line_text("Mes compétences (auto-évaluation du diagnostic)", size=13, bold=True, height=7)
    if not parcours.skills:
        pdf.line_text("Aucune réponse au diagnostic des besoins.")
        return
    scale = ", ".join(f"{number} : {level.label}" for level, number in LEVEL_NUMBER.items())
    pdf.line_text(f"Échelle : {scale}.", size=9)
    for trend in parcours.skills:
        pdf.ln(1)
        pdf.line_text(f"{trend.title} ({trend.theme})", bold=True)
        pdf.line_text(trend.arrows)
        pdf.line_text(trend.words, size=9)
