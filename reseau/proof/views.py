"""Views of the proof room: "Faire signer" on the trainer's device, signing on one's own phone
after the QR check-in, the trainer's validation (sealing), versions and corrections."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, url_for
from flask_login import current_user, login_required

from reseau.accounts.access import coordinator_required, trainer_required
from reseau.accounts.models import User
from reseau.attendance import checkin
from reseau.attendance import operations as attendance
from reseau.catalogue.models import Seance, SessionStatus
from reseau.core.downloads import pdf_download
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.core.web import form_status, render_page, see_other
from reseau.proof import bp, operations
from reseau.proof.forms import CorrectionForm, PresenceSignatureForm, ValidationForm
from reseau.proof.models import SealedSheet, SignatureWay
from reseau.proof.operations import ProofError

VISIBLE = (SessionStatus.PUBLISHED, SessionStatus.CLOSED)


def _me() -> User:
    return current_user._get_current_object()


def get_seance_or_404(seance_id: int) -> Seance:
    """A séance of a session ``current_user`` runs (any, for the coordinator); 404 otherwise."""
    seance = db.session.get(Seance, seance_id)
    if seance is None or seance.session.status not in VISIBLE:
        abort(404)
    if not (current_user.is_coordinator or attendance.is_trainer_of(current_user, seance.session)):
        abort(404)
    return seance


def _signing_context(seance: Seance) -> dict:
    start, end = operations.signing_window(seance)
    return {
        "seance": seance,
        "session": seance.session,
        "window_start": start,
        "window_end": end,
        "window_open": operations.window_open(seance),
        "sealed": operations.is_sealed(seance.id),
    }


# --- "Faire signer": the trainer's device passed around ----------------------------------


@bp.route("/mes-sessions/seances/<int:seance_id>/faire-signer")
@trainer_required
def pass_around(seance_id: int):
    seance = get_seance_or_404(seance_id)
    return render_page(
        "proof/pass_around.html",
        roster=attendance.roster(seance),
        signed=operations.signatures_of(seance),
        **_signing_context(seance),
    )


@bp.route(
    "/mes-sessions/seances/<int:seance_id>/faire-signer/<int:person_id>", methods=["GET", "POST"]
)
@trainer_required
def sign_for(seance_id: int, person_id: int):
    seance = get_seance_or_404(seance_id)
    line = attendance.roster_line(seance, person_id)
    if line is None:
        abort(404)
    form = PresenceSignatureForm()
    error = None
    if form.validate_on_submit():
        error = _record_signature(seance, line.person, form, SignatureWay.TRAINER_DEVICE)
        if error is None:
            flash(
                f"Merci, {line.person.full_name} a signé. Rendez l'appareil à la personne qui "
                "anime, ou passez-le à la suivante.",
                "success",
            )
            return see_other(url_for("proof.pass_around", seance_id=seance.id))
    return render_page(
        "proof/sign.html",
        form=form,
        person=line.person,
        error=error,
        action=url_for("proof.sign_for", seance_id=seance.id, person_id=person_id),
        own_device=False,
        status=409 if error else form_status(form),
        **_signing_context(seance),
    )


def _record_signature(seance, person, form, way: SignatureWay) -> str | None:
    """Record ``person``'s signature from ``form`` and commit; the refusal's message, if any."""
    arrived, left = form.times(seance)
    try:
        operations.sign(
            seance,
            person,
            form.signature_input(),
            way=way,
            actor=_me(),
            arrived_at=arrived,
            left_at=left,
        )
        db.session.commit()
    except ProofError as refusal:
        db.session.rollback()
        return refusal.message
    return None


# --- On one's own phone, after the QR check-in -------------------------------------------


@bp.route("/emargement/<int:seance_id>/<token>/signer", methods=["GET", "POST"])
@login_required
def sign_own(seance_id: int, token: str):
    try:
        checkin.check_token(seance_id, token)
    except checkin.CheckinLinkError as refusal:
        return render_page(
            "attendance/check_in.html", seance=None, error=refusal.message, status=400
        )
    seance = db.session.get(Seance, seance_id)
    if seance is None:
        abort(404)
    form = PresenceSignatureForm()
    error = None
    mine = operations.signatures_of(seance).get(current_user.id)
    if mine is None and form.validate_on_submit():
        error = _record_signature(seance, _me(), form, SignatureWay.OWN_DEVICE)
        if error is None:
            flash("Merci, votre signature est enregistrée. Bonne séance !", "success")
            return see_other(url_for("proof.sign_own", seance_id=seance.id, token=token))
    return render_page(
        "proof/sign.html",
        form=form,
        person=current_user,
        mine=mine,
        error=error,
        action=url_for("proof.sign_own", seance_id=seance.id, token=token),
        own_device=True,
        status=409 if error else form_status(form),
        **_signing_context(seance),
    )


# --- Validation, versions, corrections ---------------------------------------------------


@bp.route("/mes-sessions/seances/<int:seance_id>/valider", methods=["GET", "POST"])
@trainer_required
def validate(seance_id: int):
    seance = get_seance_or_404(seance_id)
    if operations.is_sealed(seance.id):
        return see_other(url_for("proof.sheet", seance_id=seance.id))
    form = ValidationForm()
    error = None
    if form.validate_on_submit():
        try:
            operations.seal(
                seance,
                actor=_me(),
                given=form.signature_input(),
                certified=bool(form.certified.data),
            )
            db.session.commit()
        except ProofError as refusal:
            db.session.rollback()
            error = refusal.message
        else:
            flash("La feuille d'émargement est validée et scellée.", "success")
            return see_other(url_for("proof.sheet", seance_id=seance.id))
    roster = attendance.roster(seance)
    return render_page(
        "proof/validate.html",
        form=form,
        error=error,
        roster=roster,
        signed=operations.signatures_of(seance),
        status=409 if error else form_status(form),
        **_signing_context(seance),
    )


def _sheet_page(seance: Seance, form: CorrectionForm, *, error=None, status=200):
    versions = operations.versions(seance)
    latest = db.session.get(SealedSheet, versions[0].id) if versions else None
    return render_page(
        "proof/sheet.html",
        versions=versions,
        changed=latest is not None and operations.changed_since(seance, latest),
        form=form,
        error=error,
        status=status,
        **_signing_context(seance),
    )


@bp.route("/mes-sessions/seances/<int:seance_id>/feuille-scellee")
@trainer_required
def sheet(seance_id: int):
    seance = get_seance_or_404(seance_id)
    return _sheet_page(seance, CorrectionForm(formdata=None))


@bp.route("/mes-sessions/seances/<int:seance_id>/corriger", methods=["POST"])
@coordinator_required
def correct(seance_id: int):
    seance = get_seance_or_404(seance_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _sheet_page(seance, form, status=form_status(form))
    try:
        sheet = operations.correct(seance, actor=_me(), reason=form.reason.data)
        db.session.commit()
    except ProofError as refusal:
        db.session.rollback()
        return _sheet_page(seance, form, error=refusal.message, status=409)
    flash(f"Version {sheet.version} scellée.", "success")
    return see_other(url_for("proof.sheet", seance_id=seance.id))


@bp.route("/feuilles-scellees/<int:sheet_id>.pdf")
@trainer_required
def sheet_pdf(sheet_id: int):
    sheet = db.session.scalar(sa.select(SealedSheet).where(SealedSheet.id == sheet_id))
    if sheet is None or sheet.pdf is None:
        abort(404)
    seance = get_seance_or_404(sheet.seance_id)
    day = to_local(seance.starts_at).strftime("%Y-%m-%d")
    name = f"emargement-scelle-session-{seance.session_id}-{day}-{seance.id}-v{sheet.version}.pdf"
    return pdf_download(sheet.pdf, name)
