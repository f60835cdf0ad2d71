"""Certificates of completion (certificats de réalisation): the person's own, a session's for
the coordinator, a centre's for a period for its referent; the coordinator's settings."""

from __future__ import annotations

import base64

import sqlalchemy as sa
from flask import abort, flash, request, url_for
from flask_login import current_user, login_required

from reseau.accounts.access import coordinator_required, manager_required
from reseau.accounts.models import Centre
from reseau.attendance import operations as attendance
from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.core.audit import record_audit
from reseau.core.downloads import pdf_download
from reseau.core.extensions import db
from reseau.core.web import form_status, render_page, see_other
from reseau.proof import bp, certificates
from reseau.proof.forms import PeriodForm, ProofSettingsForm
from reseau.proof.models import ProofSettings
from reseau.proof.operations import get_settings


def _closed_session_or_404(session_id: int) -> TrainingSession:
    session = db.session.scalar(sa.select(TrainingSession).where(TrainingSession.id == session_id))
    if session is None or session.status != SessionStatus.CLOSED:
        abort(404)
    return session


@bp.route("/mes-formations/<int:session_id>/certificat-realisation.pdf")
@login_required
def my_certificate(session_id: int):
    session = _closed_session_or_404(session_id)
    hours = attendance.hours_attended(session).get(current_user.id)
    if not hours:
        abort(404)
    content = certificates.render([(session, current_user, hours)], issued=session.closed_at)
    return pdf_download(content, f"certificat-realisation-session-{session.id}.pdf")


@bp.route("/mes-sessions/<int:session_id>/certificats-realisation.pdf")
@coordinator_required
def session_certificates(session_id: int):
    session = _closed_session_or_404(session_id)
    content = certificates.render(certificates.of_session(session), issued=session.closed_at)
    return pdf_download(content, f"certificats-realisation-session-{session.id}.pdf")


@bp.route("/mon-centre/certificats-realisation")
@manager_required
def centre_certificates():
    """The referent: the certificates of the centre's people for a period, in one PDF."""
    if not current_user.is_referent:
        abort(404)
    centre = db.session.get(Centre, current_user.centre_id)
    form = PeriodForm(formdata=request.args if request.args else None)
    if request.args and form.validate():
        start, end = form.period()
        items = certificates.of_centre(centre, start, end)
        content = certificates.render(items)
        return pdf_download(
            content, f"certificats-realisation-centre-{centre.id}-{start}-{end}.pdf"
        )
    return render_page(
        "proof/centre_certificates.html",
        form=form,
        centre=centre,
        status=422 if request.args and form.errors else 200,
    )


@bp.route("/administration/certificats", methods=["GET", "POST"])
@coordinator_required
def settings():
    current = get_settings()
    form = ProofSettingsForm(obj=current)
    if form.validate_on_submit():
        for name in ProofSettings.TEXTS:
            setattr(current, name, (getattr(form, name).data or "").strip())
        png = getattr(form.stamp, "png", None)
        if png:
            current.stamp_png = png
        elif form.remove_stamp.data:
            current.stamp_png = None
        db.session.add(current)
        record_audit(
            current_user._get_current_object(),
            "proof.settings",
            current,
            summary="Certificats de réalisation : réglages modifiés",
        )
        db.session.commit()
        flash("Réglages des certificats enregistrés.", "success")
        return see_other(url_for("proof.settings"))
    stamp = base64.b64encode(current.stamp_png).decode() if current.stamp_png else None
    return render_page("proof/settings.html", form=form, stamp=stamp, status=form_status(form))
