"""PDF documents: the sign-in sheet of a séance and attendance certificates.

A4, black on white (prints well on any office printer), DejaVu Sans embedded from
``static/fonts`` so that every French character (é è à ç œ « » ’ ·) renders whatever the
machine's fonts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from reseau.accounts.models import User
from reseau.catalogue.models import Seance, SeanceStatus, TrainingSession
from reseau.core.i18n import date_fr, number, time_fr, to_local
from reseau.core.pdf import FONT, Document

WALK_IN_ROWS = 6


def hours_label(hours: float) -> str:
    """3.5 -> "3,5 h"; 3.0 -> "3 h"."""
    return number(hours) + " h"


def half_day(seance: Seance) -> str:
    return "matin" if to_local(seance.starts_at).hour < 12 else "après-midi"


# The article French needs before a network's name ("Pour la Fédération…"), by its first word.
FEMININE = {"fédération", "coordination", "maison", "fondation"}
MASCULINE = {"réseau", "collectif", "groupement", "comité", "centre", "regroupement"}


def with_article(name: str) -> str:
    """« Fédération des centres sociaux… » -> « la Fédération des centres sociaux… »;
    « Union… » -> « l'Union… »; a name the rule does not know stays as it is."""
    first = name.split(" ", 1)[0].lower()
    if first in ("la", "le", "les") or first.startswith(("l'", "l’")):
        return name
    if first[:1] in tuple("aeiouyéèêh"):
        return f"l'{name}"
    if first in FEMININE:
        return f"la {name}"
    if first in MASCULINE:
        return f"le {name}"
    return name


def _trainers(session: TrainingSession) -> str:
    return ", ".join(t.full_name for t in session.trainers) or "—"


def _place(session: TrainingSession) -> str:
    return session.place_label or "—"


# --- Sign-in sheet -----------------------------------------------------------------------

COLUMNS = (("Nom et prénom", 55), ("Centre", 50), ("Catégorie", 30), ("Signature", 45))


def sign_in_sheet(seance: Seance, people: Iterable[User], *, network_name: str) -> bytes:
    """Return the sign-in sheet (feuille d'émargement) of ``seance`` for ``people``."""
    session = seance.session
    pdf = Document(network_name, f"Feuille d'émargement — {session.title}")
    pdf.add_page()

    def heading():
        pdf.line_text(network_name, size=9)
        pdf.line_text("Feuille d'émargement", size=16, bold=True, height=9)
        pdf.line_text(session.title, size=12, bold=True)
        start = to_local(seance.starts_at)
        pdf.line_text(
            f"{date_fr(start)}, {half_day(seance)} — de {time_fr(seance.starts_at)} "
            f"à {time_fr(seance.ends_at)}"
        )
        pdf.line_text(f"Lieu : {_place(session)}")
        pdf.line_text(f"Formateur·rices : {_trainers(session)}")
        pdf.ln(3)

    def table_header():
        pdf.set_font(FONT, "B", 9)
        for label, width in COLUMNS:
            pdf.cell(width, 8, label, border=1)
        pdf.ln(8)

    heading()
    table_header()
    rows = [
        (person.full_name, person.centre.name if person.centre else "", person.category.label)
        for person in people
    ]
    rows += [("", "", "")] * WALK_IN_ROWS
    pdf.set_font(FONT, "", 9)
    for row in rows:
        if pdf.will_page_break(12):
            pdf.add_page()
            table_header()
            pdf.set_font(FONT, "", 9)
        for (_, width), text in zip(COLUMNS, (*row, ""), strict=True):
            pdf.cell(width, 12, pdf.fitted(text, width), border=1)
        pdf.ln(12)
    pdf.ln(4)
    if pdf.will_page_break(24):
        pdf.add_page()
    pdf.line_text("Signature des formateur·rices :", bold=True)
    pdf.ln(14)
    pdf.line_text(
        "Les lignes vides sont pour les personnes venues sans inscription (nom, centre, "
        "catégorie).",
        size=8,
    )
    return bytes(pdf.output())


# --- Attendance certificates -------------------------------------------------------------


def _dates(session: TrainingSession) -> str:
    days = sorted({s.day for s in session.seances if s.status == SeanceStatus.SCHEDULED})
    if not days:
        return "—"
    if len(days) == 1:
        return f"le {date_fr(days[0])}"
    return "les " + ", ".join(date_fr(day, "d MMMM y") for day in days)


def _certificate_page(
    pdf: Document,
    session: TrainingSession,
    person: User,
    hours: float,
    issued: datetime,
    signatory: str = "",
):
    pdf.add_page()
    pdf.line_text(pdf.network_name, size=10, bold=True)
    pdf.ln(10)
    pdf.line_text("Attestation d'assiduité", size=20, bold=True, height=12)
    pdf.ln(6)
    network = with_article(pdf.network_name)
    pdf.line_text(f"{network[:1].upper()}{network[1:]} atteste que", size=11)
    pdf.ln(2)
    pdf.line_text(person.full_name, size=14, bold=True, height=8)
    centre = person.centre.name if person.centre else ""
    pdf.line_text(f"{person.category.label}{' — ' + centre if centre else ''}", size=10)
    pdf.ln(4)
    pdf.line_text("a suivi la formation", size=11)
    pdf.line_text(f"« {session.title} »", size=13, bold=True, height=8)
    pdf.ln(4)
    pdf.line_text(f"Dates : {_dates(session)}", size=11)
    pdf.line_text(f"Lieu : {_place(session)}", size=11)
    pdf.line_text(
        f"Heures suivies : {hours_label(hours)} sur {hours_label(session.planned_hours)} prévues",
        size=11,
        bold=True,
    )
    pdf.line_text(f"Formateur·rices : {_trainers(session)}", size=11)
    pdf.ln(12)
    pdf.line_text(f"Fait le {date_fr(to_local(issued))}, pour servir et valoir ce que de droit.")
    pdf.ln(4)
    pdf.line_text(f"Pour {network},")
    pdf.line_text(signatory or "la coordination régionale", bold=bool(signatory))


def certificates(
    session: TrainingSession,
    attendees: Iterable[tuple[User, float]],
    *,
    network_name: str,
    issued: datetime,
    signatory: str = "",
) -> bytes:
    """Return one attendance certificate page per (person, hours attended), signed for the
    network by ``signatory`` (« Prénom Nom, fonction »)."""
    pdf = Document(network_name, f"Attestations d'assiduité — {session.title}")
    for person, hours in attendees:
        _certificate_page(pdf, session, person, hours, issued, signatory)
    if pdf.page_no() == 0:
        pdf.add_page()
        pdf.line_text("Personne n'a été enregistré·e présent·e à cette session.")
    return bytes(pdf.output())


def issued_certificates(session: TrainingSession, people, config) -> bytes:
    """``certificates`` with the network's name, the issue date (the closing) and the
    signatory the settings give: what every attestation download sends."""
    from reseau.attendance.queries import certificate_signatory
    from reseau.core.database import utcnow

    return certificates(
        session,
        people,
        network_name=config["NETWORK_NAME"],
        issued=session.closed_at or utcnow(),
        signatory=certificate_signatory(session, config.get("CERTIFICATE_SIGNATORY", "")),
    )
