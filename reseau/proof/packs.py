"""Evidence packs: one ZIP per session for an FDVA, OPCO or Qualiopi control.

Programme, convocations as the outbox holds them, every sealed sheet (every version), the
feedback summary, the certificates of completion, a CSV of participants with hours, and a
manifest with the SHA-256 of every file. A pack is built in steps (one per séance for the
sheets, one per 25 people for the certificates): small sessions at once in the request,
larger ones by `tick` (or `flask --app reseau build-packs`), the page showing the progress.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from reseau.accounts.models import User
from reseau.attendance import operations as attendance
from reseau.catalogue.models import SeanceStatus, TrainingSession
from reseau.core.database import lock_row, utcnow
from reseau.core.downloads import csv_cell
from reseau.core.extensions import db
from reseau.core.i18n import date_fr, datetime_fr, ngettext, span_fr, to_local
from reseau.enrolment.models import Enrolment
from reseau.outbox.models import OutboxMail
from reseau.proof import certificates
from reseau.proof.models import EvidencePack, PackStatus, SealedSheet

PEOPLE_PER_STEP = 25
STEPS_PER_TICK = 40


@dataclass(frozen=True)
class Step:
    kind: str
    index: int = 0


def plan(session: TrainingSession) -> list[Step]:
    """The steps of ``session``'s pack, in order (the same list every time it is asked)."""
    seances = [s for s in session.seances if s.status == SeanceStatus.SCHEDULED]
    people = len(attendance.hours_attended(session))
    chunks = max(1, -(-people // PEOPLE_PER_STEP))
    return [
        Step("programme"),
        Step("convocations"),
        *(Step("sheets", i) for i in range(len(seances))),
        Step("feedback"),
        *(Step("certificates", i) for i in range(chunks)),
        Step("participants"),
        Step("manifest"),
    ]


def request_pack(session: TrainingSession, *, actor: User) -> EvidencePack:
    """Queue a new pack of ``session``; built at once when the session is small."""
    pack = EvidencePack(
        session_id=session.id,
        status=PackStatus.QUEUED,
        steps_total=len(plan(session)),
        requested_by_id=actor.id,
        error="",
    )
    db.session.add(pack)
    db.session.flush()
    if len(attendance.roster(session.seances[0]).lines if session.seances else []) <= (
        current_app.config.get("PACK_INLINE_MAX_PEOPLE", 40)
    ):
        advance(pack, steps=len(plan(session)))
    return pack


def advance(pack: EvidencePack, *, steps: int = STEPS_PER_TICK) -> int:
    """Run up to ``steps`` steps of ``pack`` (locked); return how many ran."""
    lock_row(pack)
    if pack.status in (PackStatus.DONE, PackStatus.FAILED):
        return 0
    session = db.session.get(TrainingSession, pack.session_id)
    todo = plan(session)
    pack.steps_total = len(todo)
    pack.status = PackStatus.RUNNING
    buffer = io.BytesIO(pack.content or b"")
    done = 0
    with zipfile.ZipFile(buffer, "a" if pack.content else "w", zipfile.ZIP_DEFLATED) as archive:
        while done < steps and pack.steps_done < len(todo):
            step = todo[pack.steps_done]
            for name, data in BUILDERS[step.kind](session, step.index, archive):
                archive.writestr(name, data)
            pack.steps_done += 1
            done += 1
    pack.content = buffer.getvalue()
    if pack.steps_done >= len(todo):
        pack.status = PackStatus.DONE
        pack.finished_at = utcnow()
    db.session.flush()
    return done


def pack_task() -> str:
    """`tick`: advance the packs waiting to be built (oldest first)."""
    ids = db.session.scalars(
        sa.select(EvidencePack.id)
        .where(EvidencePack.status.in_((PackStatus.QUEUED, PackStatus.RUNNING)))
        .order_by(EvidencePack.id)
        .limit(20)
    ).all()
    ran = 0
    for pack_id in ids:
        pack = db.session.get(EvidencePack, pack_id)
        ran += advance(pack)
    return (
        ngettext(
            "%(num)s étape de dossiers de preuves construite",
            "%(num)s étapes de dossiers de preuves construites",
            ran,
        )
        + f" ({ngettext('%(num)s dossier', '%(num)s dossiers', len(ids))})."
    )


# --- What each step writes ---------------------------------------------------------------


def _programme(session: TrainingSession, _index, _archive):
    from reseau.attendance.pdf import hours_label  # fpdf only in a pack
    from reseau.core.pdf import FONT, Document

    pdf = Document(current_app.config["NETWORK_NAME"], f"Programme — {session.title}")
    pdf.add_page()
    pdf.line_text(current_app.config["NETWORK_NAME"], size=9)
    pdf.line_text("Programme", size=16, bold=True, height=9)
    pdf.line_text(session.title, size=13, bold=True)
    pdf.line_text(f"Nature : {session.kind.label} · Public : {session.audience.label}")
    if session.module:
        pdf.line_text(
            f"Module : {session.module.title} ({hours_label(session.module.duration_hours)})"
        )
    pdf.line_text(f"Lieu : {session.place_label or '—'}")
    pdf.line_text(f"Formateur·rices : {', '.join(t.full_name for t in session.trainers) or '—'}")
    pdf.line_text(f"Durée prévue : {hours_label(session.planned_hours)}")
    for title, text in (("Objectifs", session.objectives), ("Contenu", session.description)):
        if text:
            pdf.ln(2)
            pdf.line_text(title, bold=True)
            pdf.line_text(text)
    pdf.ln(2)
    pdf.line_text("Séances", bold=True)
    for seance in session.seances:
        state = "" if seance.status == SeanceStatus.SCHEDULED else " (annulée)"
        pdf.line_text(f"• {span_fr(seance.starts_at, seance.ends_at)}{state}")
    pdf.set_font(FONT, "", 10)
    yield "01-programme.pdf", bytes(pdf.output())


def _convocations(session: TrainingSession, _index, _archive):
    rows = db.session.execute(
        sa.select(Enrolment.id, User.email)
        .join(User, User.id == Enrolment.person_id)
        .where(Enrolment.session_id == session.id, User.email.is_not(None))
    ).all()
    enrolment_ids = {str(row.id) for row in rows}
    emails = sorted({row.email for row in rows})
    mails = []
    for offset in range(0, len(emails), 500):
        mails.extend(
            mail
            for mail in db.session.scalars(
                sa.select(OutboxMail).where(
                    OutboxMail.dedup_key.like("convocation:%"),
                    OutboxMail.recipient.in_(emails[offset : offset + 500]),
                )
            )
            if mail.dedup_key.split(":")[1] in enrolment_ids
        )
    mails.sort(key=lambda mail: (mail.created_at, mail.id))
    if not mails:
        yield "02-convocations/LISEZMOI.txt", "Aucune convocation dans la boîte d'envoi.\n"
    for mail in mails:
        sent = f"Envoyé le {datetime_fr(mail.sent_at)}" if mail.sent_at else mail.status.label
        text = (
            f"À : {mail.recipient}\nObjet : {mail.subject}\nCréé le : {datetime_fr(mail.created_at)}\n"
            f"État : {sent}\n\n{mail.body_text}"
        )
        yield f"02-convocations/convocation-{mail.id}.txt", text


def _sheets(session: TrainingSession, index, _archive):
    seances = [s for s in session.seances if s.status == SeanceStatus.SCHEDULED]
    seance = seances[index]
    day = to_local(seance.starts_at).strftime("%Y-%m-%d-%Hh%M")
    versions = db.session.scalars(
        sa.select(SealedSheet)
        .where(SealedSheet.seance_id == seance.id, SealedSheet.pdf.is_not(None))
        .order_by(SealedSheet.version)
    ).all()
    if not versions:
        yield (
            f"03-emargements/{day}-NON-SCELLEE.txt",
            (f"La feuille de la séance du {datetime_fr(seance.starts_at)} n'est pas scellée.\n"),
        )
    for sheet in versions:
        yield f"03-emargements/{day}-v{sheet.version}.pdf", sheet.pdf


def _feedback(session: TrainingSession, _index, _archive):
    results = attendance.feedback_results(session)
    lines = [
        f"Évaluation à chaud — {session.title}",
        f"Réponses : {results.count} sur {results.attendees} participant·es",
        "Satisfaction moyenne : "
        + (f"{results.average:.1f}".replace(".", ",") + " / 5" if results.average else "—"),
        *(f"  {score}/5 : {results.distribution[score]}" for score in range(5, 0, -1)),
        f"Recommanderaient : oui {results.recommend_yes}, non {results.recommend_no}",
        "",
        "Ce que cela a apporté :",
        *(f"- {text}" for text in results.gained),
        "",
        "Ce qui a manqué :",
        *(f"- {text}" for text in results.missing),
    ]
    yield "04-evaluations.txt", "\n".join(lines) + "\n"


def _certificates(session: TrainingSession, index, _archive):
    items = certificates.of_session(session)
    if not items and index == 0:
        yield (
            "05-certificats/LISEZMOI.txt",
            "La session n'est pas clôturée, ou personne n'est venu.\n",
        )
        return
    chunk = items[index * PEOPLE_PER_STEP : (index + 1) * PEOPLE_PER_STEP]
    if chunk:
        yield (
            f"05-certificats/certificats-realisation-{index + 1:03d}.pdf",
            certificates.render(chunk, issued=session.closed_at),
        )


def _participants(session: TrainingSession, _index, _archive):
    hours = attendance.hours_attended(session)
    lines = attendance.roster(session.seances[0]).lines if session.seances else []
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";")
    output.write("\ufeff")
    writer.writerow(
        ["Nom", "Prénom", "Centre", "Catégorie", "Inscription", "Heures suivies", "Heures prévues"]
    )
    for line in lines:
        person = line.person
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    person.last_name,
                    person.first_name,
                    person.centre.name if person.centre else "",
                    person.category.label,
                    "sans inscription" if line.is_walk_in else "inscrit·e",
                    float(hours.get(person.id, 0.0)),
                    float(session.planned_hours),
                )
            ]
        )
    yield "06-participants.csv", output.getvalue().encode("utf-8")


def _manifest(session: TrainingSession, _index, archive: zipfile.ZipFile):
    lines = [
        f"Dossier de preuves — {session.title}",
        f"Construit le {date_fr(to_local(utcnow()))} par Réseau ({current_app.config['NETWORK_NAME']}).",
        "Empreinte SHA-256 de chaque fichier :",
        "",
    ]
    for info in archive.infolist():
        lines.append(f"{hashlib.sha256(archive.read(info.filename)).hexdigest()}  {info.filename}")
    yield "00-LISEZMOI.txt", "\n".join(lines) + "\n"


BUILDERS = {
    "programme": _programme,
    "convocations": _convocations,
    "sheets": _sheets,
    "feedback": _feedback,
    "certificates": _certificates,
    "participants": _participants,
    "manifest": _manifest,
}
