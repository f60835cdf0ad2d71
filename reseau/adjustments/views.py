"""The coordinator's and the référent·e handicap's pages: the requests, and the answer."""

from __future__ import annotations

from flask import flash, url_for
from flask_login import current_user

from reseau.accounts.access import roles_required
from reseau.adjustments import bp, operations, queries
from reseau.adjustments.forms import STATES, AdjustmentFilterForm, ArrangementForm
from reseau.core.extensions import db
from reseau.core.lists import paginate
from reseau.core.web import form_status, navigate, render_page

readers_required = roles_required(*queries.READERS)


@bp.app_template_global()
def adjustment_contacts():
    """The référent·es handicap, for pages of rooms above this one to show."""
    return queries.disability_contacts()


@bp.route("/amenagements")
@readers_required
def request_list():
    form = AdjustmentFilterForm()
    page = paginate(queries.requests_select(form.filters), form)
    return render_page(
        "adjustments/request_list.html",
        "adjustments/_request_results.html",
        page=page,
        filters=form.filters,
        states=STATES,
        session_choices=queries.session_choices(),
    )


@bp.route("/amenagements/<int:request_id>", methods=["GET", "POST"])
@readers_required
def request_detail(request_id: int):
    found = queries.get_request_or_404(request_id)
    form = ArrangementForm(data={"arranged": found.arranged})
    if form.validate_on_submit():
        operations.record_arrangement(found, form.arranged.data, actor=current_user)
        db.session.commit()
        flash("C'est noté : la personne voit ce qui est prévu dans « Mes formations ».", "success")
        return navigate(url_for("adjustments.request_list"))
    return render_page(
        "adjustments/request_detail.html",
        "adjustments/_arrangement_form.html",
        found=found,
        form=form,
        status=form_status(form),
    )
