"""PDF documents of the proof room: the sealed sign-in sheet and the certificate of
completion (certificat de réalisation, the ministry's model), in attendance/pdf.py's style."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime

from fpdf.enums import MethodReturnValue

from reseau.accounts.models import User
from reseau.attendance.pdf import half_day, hours_label
from reseau.catalogue.models import SeanceStatus, TrainingSession
from reseau.core.i18n import date_fr, datetime_fr, time_fr, to_local
from reseau.core.pdf import FONT, Document
from reseau.proof.signatures import drawing_of


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def draw_signature(pdf, svg: str, typed: str, x: float, y: float, w: float, h: float) -> None:
    """Draw a stored signature inside the box (x, y, w, h), in mm."""
    drawing = drawing_of(svg)
    if drawing is None:
        if typed:
            pdf.set_xy(x + 1, y + 1)
            pdf.set_font(FONT, "", 8)
            pdf.multi_cell(w - 2, 4, f"{typed}\n(signature par nom tapé)")
        return
    scale = min((w - 2) / drawing.width, (h - 2) / drawing.height)
    left = x + (w - drawing.width * scale) / 2
    top = y + (h - drawing.height * scale) / 2
    pdf.set_line_width(0.3)
    for stroke in drawing.strokes:
        points = [(left + px * scale, top + py * scale) for px, py in stroke]
        if len(points) == 1:
            points.append((points[0][0] + 0.2, points[0][1]))
        pdf.polyline(points)
    pdf.set_line_width(0.2)


class _SealedDocument(Document):
    def __init__(self, network_name: str, title: str, fingerprint: str, version: int):
        self.fingerprint = fingerprint
        self.version = version
        super().__init__(network_name, title)

    def footer(self):
        self.set_y(-14)
        self.set_font(FONT, "", 7)
        self.cell(
            0,
            4,
            f"Empreinte SHA-256 du contenu : {self.fingerprint}",
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.cell(
            0,
            4,
            f"{self.network_name} — version {self.version} — page {self.page_no()} / {{nb}}",
            align="C",
        )


SHEET_COLUMNS = (
    ("Nom et prénom", 44),
    ("Centre", 36),
    ("Présence", 30),
    ("Signature", 44),
    ("Signé", 26),
)
ROW = 17


def _presence(person: dict) -> str:
    signature = person["signature"] or {}
    text = person["status"]
    if signature.get("arrived_at"):
        text += f"\narrivée {time_fr(_at(signature['arrived_at']))}"
    if signature.get("left_at"):
        text += f"\ndépart {time_fr(_at(signature['left_at']))}"
    return text


def _sheet_heading(pdf, content: dict) -> None:
    session, start = content["session"], _at(content["seance"]["starts_at"])
    end = _at(content["seance"]["ends_at"])
    pdf.line_text(content["network"], size=9)
    pdf.line_text("Feuille d'émargement validée et scellée", size=15, bold=True, height=9)
    pdf.line_text(session["title"], size=12, bold=True)
    pdf.line_text(f"Module : {session['module']} — {session['kind']}", size=10)
    pdf.line_text(
        f"{date_fr(to_local(start))}, {half_day_of(start)} — de {time_fr(start)} à {time_fr(end)}"
    )
    pdf.line_text(f"Lieu : {session['place'] or '—'}")
    pdf.line_text(f"Formateur·rices : {', '.join(content['trainers']) or '—'}")
    pdf.ln(2)


def half_day_of(start: datetime) -> str:
    return "matin" if to_local(start).hour < 12 else "après-midi"


def _table_header(pdf) -> None:
    pdf.set_font(FONT, "B", 8)
    for label, width in SHEET_COLUMNS:
        pdf.cell(width, 7, label, border=1)
    pdf.ln(7)


def _participant_row(pdf, person: dict) -> None:
    x, y = pdf.get_x(), pdf.get_y()
    signature = person["signature"]
    texts = (
        person["name"] + (" (sans inscription)" if person["walk_in"] else ""),
        person["centre"],
        _presence(person),
        "",
        "" if not signature else f"{time_fr(_at(signature['at']))}\n{signature['way']}",
    )
    pdf.set_font(FONT, "", 7.5)
    left = x
    for (_, width), text in zip(SHEET_COLUMNS, texts, strict=True):
        pdf.rect(left, y, width, ROW)
        pdf.set_xy(left + 0.5, y + 0.8)
        lines = _wrapped(pdf, text, width - 1, 4)
        pdf.multi_cell(width - 1, 3.6, "\n".join(lines))
        left += width
    if signature:
        sig_x = x + sum(width for _, width in SHEET_COLUMNS[:3])
        draw_signature(pdf, signature["svg"], signature["typed_name"], sig_x, y, 44, ROW)
    else:
        pdf.set_xy(x + sum(width for _, width in SHEET_COLUMNS[:3]) + 1, y + 6)
        pdf.cell(42, 4, "non signé")
    pdf.set_xy(x, y + ROW)


def _wrapped(pdf, text: str, width: float, most: int) -> list[str]:
    """``text`` wrapped to ``width``, at most ``most`` lines (the last shortened with …)."""
    lines = []
    for paragraph in text.split("\n"):
        lines.extend(
            pdf.multi_cell(width, 3.6, paragraph, dry_run=True, output=MethodReturnValue.LINES)
            or [""]
        )
    if len(lines) > most:
        lines = lines[: most - 1] + [pdf.fitted(lines[most - 1] + "…", width)]
    return lines


def _validation(pdf, content: dict) -> None:
    validation = content["validation"]
    if pdf.will_page_break(48):
        pdf.add_page()
    pdf.ln(4)
    pdf.line_text(f"« {validation['statement']} »", bold=True)
    pdf.line_text(f"{validation['name']}, le {datetime_fr(_at(validation['at']))}", size=9)
    y = pdf.get_y()
    pdf.rect(pdf.l_margin, y, 70, 22)
    draw_signature(pdf, validation["svg"], validation["typed_name"], pdf.l_margin, y, 70, 22)
    pdf.set_xy(pdf.l_margin, y + 24)
    if content["version"] > 1:
        pdf.line_text(
            f"Version {content['version']}, corrigée par {validation.get('corrected_by', '')} "
            f"le {datetime_fr(_at(validation.get('corrected_at')))}. Motif : {content['reason']}",
            size=9,
        )
    pdf.line_text(
        f"Scellée le {datetime_fr(_at(content['sealed_at']))}. L'empreinte imprimée en bas de "
        "page est le SHA-256 du contenu de la feuille (conservé par Réseau) : toute "
        "modification la change.",
        size=8,
    )


def sealed_sheet(content: dict, fingerprint: str) -> bytes:
    """Return the sealed sheet drawn from ``content`` (see proof.operations.sheet_content)."""
    pdf = _SealedDocument(
        content["network"],
        f"Feuille d'émargement scellée — {content['session']['title']}",
        fingerprint,
        content["version"],
    )
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    _sheet_heading(pdf, content)
    _table_header(pdf)
    for person in content["participants"]:
        if pdf.will_page_break(ROW):
            pdf.add_page()
            _table_header(pdf)
        _participant_row(pdf, person)
    if not content["participants"]:
        pdf.line_text("Personne n'était attendu·e à cette séance.")
    _validation(pdf, content)
    return bytes(pdf.output())


# --- Certificate of completion -----------------------------------------------------------

NATURES = (
    ("formation", "action de formation"),
    ("bilan", "bilan de compétences"),
    ("vae", "action de validation des acquis de l'expérience"),
    ("apprentissage", "action de formation par apprentissage"),
)
KEEPING = (
    "Sans préjudice des délais imposés par les règles fiscales, comptables ou commerciales, je "
    "m'engage à conserver l'ensemble des pièces justificatives qui ont permis d'établir le "
    "présent certificat pendant une durée de 3 ans à compter de la fin de l'année du dernier "
    "paiement. En cas de cofinancement des fonds européens, la durée de conservation est "
    "étendue conformément aux obligations conventionnelles spécifiques."
)


def session_span(session: TrainingSession) -> tuple[str, str]:
    days = sorted({s.day for s in session.seances if s.status == SeanceStatus.SCHEDULED})
    if not days:
        return "—", "—"
    return date_fr(days[0], "d MMMM y"), date_fr(days[-1], "d MMMM y")


def _certificate_page(pdf, settings, session: TrainingSession, person: User, hours: float, issued):
    pdf.add_page()
    pdf.line_text(settings.provider_name or pdf.network_name, size=10, bold=True)
    for line in (
        settings.provider_address,
        settings.provider_siret and f"SIRET : {settings.provider_siret}",
        settings.provider_nda and f"Déclaration d'activité n° {settings.provider_nda}",
    ):
        if line:
            pdf.line_text(line, size=9)
    pdf.ln(6)
    pdf.line_text("Certificat de réalisation", size=20, bold=True, height=12)
    pdf.ln(4)
    pdf.line_text(
        f"Je soussigné·e {settings.signatory_name or '—'}, {settings.signatory_title or '—'}, "
        "représentant·e légal·e du dispensateur de l'action concourant au développement des "
        f"compétences {settings.provider_name or pdf.network_name}, atteste que :",
        size=11,
    )
    pdf.ln(2)
    pdf.line_text(person.full_name, size=14, bold=True, height=8)
    employer = person.centre.name if person.centre else "—"
    pdf.line_text(f"salarié·e ou bénévole de la structure : {employer}", size=11)
    pdf.ln(2)
    pdf.line_text("a suivi l'action :", size=11)
    pdf.line_text(f"« {session.title} »", size=13, bold=True, height=8)
    pdf.ln(2)
    pdf.line_text("Nature de l'action concourant au développement des compétences :", size=11)
    for key, label in NATURES:
        pdf.line_text(f"{'☒' if key == 'formation' else '☐'} {label}", size=10)
    first, last = session_span(session)
    pdf.ln(2)
    pdf.line_text(f"qui s'est déroulée du {first} au {last},", size=11)
    pdf.line_text(
        f"pour une durée de {hours_label(hours)} réalisées sur {hours_label(session.planned_hours)} "
        "prévues.",
        size=11,
        bold=True,
    )
    pdf.ln(4)
    pdf.line_text(KEEPING, size=8, height=4)
    pdf.ln(4)
    pdf.line_text(f"Fait à {settings.place or '—'}, le {date_fr(to_local(issued), 'd MMMM y')}.")
    pdf.ln(2)
    pdf.line_text("Cachet et signature du responsable du dispensateur de formation :", size=10)
    pdf.line_text(
        f"{settings.signatory_name or '—'}, {settings.signatory_title or '—'}", size=10, bold=True
    )
    if settings.stamp_png:
        pdf.image(io.BytesIO(settings.stamp_png), x=pdf.l_margin, w=45)


def certificates_of_completion(
    items: Iterable[tuple[TrainingSession, User, float]], settings, *, network_name: str, issued
) -> bytes:
    """One certificate page per (session, person, hours attended)."""
    pdf = Document(network_name, "Certificats de réalisation")
    for session, person, hours in items:
        _certificate_page(pdf, settings, session, person, hours, issued)
    if pdf.page_no() == 0:
        pdf.add_page()
        pdf.line_text("Aucun certificat de réalisation pour cette demande.")
    return bytes(pdf.output())


__all__ = ["certificates_of_completion", "draw_signature", "half_day", "sealed_sheet"]
