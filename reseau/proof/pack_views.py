"""The evidence pack of a session: ask for it, follow its progress, download it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, url_for
from flask_login import current_user

from reseau.accounts.access import coordinator_required
from reseau.attendance.forms import ActionForm
from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.core.downloads import download
from reseau.core.extensions import db
from reseau.core.web import render_page, see_other
from reseau.proof import bp, packs
from reseau.proof.models import EvidencePack, PackStatus

VISIBLE = (SessionStatus.PUBLISHED, SessionStatus.CLOSED)


def _session_or_404(session_id: int) -> TrainingSession:
    session = db.session.get(TrainingSession, session_id)
    if session is None or session.status not in VISIBLE:
        abort(404)
    return session


def _latest(session: TrainingSession) -> EvidencePack | None:
    return db.session.scalar(
        sa.select(EvidencePack)
        .options(sa.orm.defer(EvidencePack.content))
        .where(EvidencePack.session_id == session.id)
        .order_by(EvidencePack.id.desc())
        .limit(1)
    )


@bp.route("/mes-sessions/<int:session_id>/dossier-de-preuves", methods=["GET", "POST"])
@coordinator_required
def pack(session_id: int):
    session = _session_or_404(session_id)
    form = ActionForm()
    if form.validate_on_submit():
        built = packs.request_pack(session, actor=current_user._get_current_object())
        db.session.commit()
        if built.status == PackStatus.DONE:
            flash("Le dossier de preuves est prêt.", "success")
        else:
            flash(
                "Le dossier de preuves est en préparation : cette page suit l'avancement.", "info"
            )
        return see_other(url_for("proof.pack", session_id=session.id))
    return render_page(
        "proof/pack.html",
        "proof/_pack_status.html",
        session=session,
        latest=_latest(session),
        form=ActionForm(formdata=None),
    )


@bp.route("/dossiers-de-preuves/<int:pack_id>.zip")
@coordinator_required
def pack_zip(pack_id: int):
    built = db.session.get(EvidencePack, pack_id)
    if built is None or built.status != PackStatus.DONE or not built.content:
        abort(404)
    return download(
        built.content,
        "application/zip",
        f"dossier-preuves-session-{built.session_id}-{built.id}.zip",
    )
