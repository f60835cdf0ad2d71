"""The accessibility of places: a centre's premises (the coordinator, or the centre's own
referent) and a session's own address (the coordinator)."""

from __future__ import annotations

from flask import abort, flash, url_for
from flask_login import current_user

from reseau.accounts.access import coordinator_required, manager_required
from reseau.accounts.models import Centre
from reseau.catalogue import bp
from reseau.catalogue import operations as ops
from reseau.catalogue.forms import PlaceAccessibilityForm
from reseau.catalogue.models import PlaceKind
from reseau.catalogue.queries import centre_accessibility, get_session_or_404
from reseau.core.extensions import db
from reseau.core.web import form_status, navigate, render_page


def _edit(place, access, *, back: str, title: str, note: str = ""):
    form = PlaceAccessibilityForm(obj=access)
    if form.validate_on_submit():
        ops.save_accessibility(place, form.data, actor=current_user)
        db.session.commit()
        flash("Accessibilité du lieu enregistrée.", "success")
        return navigate(back)
    return render_page(
        "catalogue/accessibility_form.html",
        "catalogue/_accessibility_form.html",
        form=form,
        title=title,
        back=back,
        note=note,
        status=form_status(form),
    )


@bp.route("/centres/<int:centre_id>/accessibilite", methods=["GET", "POST"])
@manager_required
def centre_accessibility_edit(centre_id: int):
    centre = db.get_or_404(Centre, centre_id)
    if not current_user.is_coordinator and centre.id != current_user.centre_id:
        abort(404)  # another centre's: hidden like its people
    back = (
        url_for("accounts.centre_detail", centre_id=centre.id)
        if current_user.is_coordinator
        else url_for("main.home")
    )
    return _edit(
        centre,
        centre_accessibility(centre.id),
        back=back,
        title=f"Accessibilité : {centre.name}",
        note=centre.label,
    )


@bp.route("/admin/sessions/<int:session_id>/accessibilite", methods=["GET", "POST"])
@coordinator_required
def session_accessibility_edit(session_id: int):
    session = get_session_or_404(session_id, current_user)
    note = session.place_label
    if session.place_kind == PlaceKind.CENTRE and session.host_centre_id:
        note += " — la session a lieu au centre : c'est l'accessibilité du centre qui s'affiche."
    return _edit(
        session,
        session.own_access,
        back=url_for("catalogue.session_detail", session_id=session.id),
        title=f"Accessibilité du lieu : {session.title}",
        note=note,
    )
