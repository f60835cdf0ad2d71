"""The valuation page (coordinator: every centre; referent: their own), its exports per
centre, the hourly rates per year, and a session's preparation hours."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, url_for
from flask_login import current_user

from reseau.accounts.access import coordinator_required, manager_required
from reseau.accounts.models import Centre
from reseau.catalogue.models import TrainingSession
from reseau.core.downloads import csv_download, xlsx_download
from reseau.core.extensions import db
from reseau.core.web import form_status, render_page, see_other
from reseau.membership.documents import euros
from reseau.membership.forms import this_year
from reseau.membership.queries import YEAR_MAX, YEAR_MIN
from reseau.valuation import bp, documents, queries
from reseau.valuation import operations as ops
from reseau.valuation.forms import PreparationForm, RateForm, ValuationFilter


@bp.app_template_global()
def session_preparation_form(session_id: int) -> PreparationForm:
    """The preparation form of a session, for its admin page (catalogue) to include."""
    form = PreparationForm(formdata=None, data={"hours": queries.preparation_of(session_id)})
    return form


def hours_label(value) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " h"


@bp.route("/valorisation")
@manager_required
def valuation_page():
    filters = ValuationFilter()
    year = filters.annee.data or this_year()
    centre_id = filters.centre.data if current_user.is_coordinator else current_user.centre_id
    overview = queries.year_valuation(year) if current_user.is_coordinator else None
    detail = queries.year_valuation(year, centre_id) if centre_id else None
    centre = db.session.get(Centre, centre_id) if centre_id else None
    return render_page(
        "valuation/page.html",
        "valuation/_page.html",
        year=year,
        overview=overview,
        detail=detail,
        centre=centre,
        euros=euros,
        hours_label=hours_label,
        years=range(this_year(), YEAR_MIN - 1, -1),
    )


def _centre_export(year: int, centre_id: int):
    if not YEAR_MIN <= year <= YEAR_MAX:
        abort(404)
    centre = db.get_or_404(Centre, centre_id)
    if not current_user.is_coordinator and current_user.centre_id != centre.id:
        abort(403)
    return centre, queries.year_valuation(year, centre.id)


@bp.route("/valorisation/<int:year>/centres/<int:centre_id>.csv")
@manager_required
def centre_csv(year: int, centre_id: int):
    centre, valuation = _centre_export(year, centre_id)
    return csv_download(
        f"valorisation-{year}-centre-{centre.id}.csv", documents.HEADERS, documents.rows(valuation)
    )


@bp.route("/valorisation/<int:year>/centres/<int:centre_id>.xlsx")
@manager_required
def centre_xlsx(year: int, centre_id: int):
    centre, valuation = _centre_export(year, centre_id)
    return xlsx_download(
        documents.workbook(valuation, centre.name), f"valorisation-{year}-centre-{centre.id}.xlsx"
    )


@bp.route("/admin/valorisation/taux", methods=["GET", "POST"])
@coordinator_required
def rates():
    form = RateForm()
    if form.validate_on_submit():
        ops.set_rate(form.year.data, form.rate.data, form.note.data, actor=current_user)
        db.session.commit()
        flash(f"Taux horaire {form.year.data} enregistré : {euros(form.rate.data)}.", "success")
        return see_other(url_for("valuation.rates"))
    return render_page(
        "valuation/rates.html",
        form=form,
        table=queries.rate_table(YEAR_MIN + 10, this_year() + 1),
        euros=euros,
        status=form_status(form),
    )


@bp.route("/admin/sessions/<int:session_id>/preparation", methods=["POST"])
@coordinator_required
def session_preparation(session_id: int):
    session = db.first_or_404(sa.select(TrainingSession).where(TrainingSession.id == session_id))
    form = PreparationForm()
    back = url_for("catalogue.session_detail", session_id=session.id) + "#valorisation"
    if form.validate_on_submit():
        ops.set_preparation(session, form.hours.data, actor=current_user)
        db.session.commit()
        flash("Heures de préparation enregistrées.", "success")
        return see_other(back)
    return render_page(
        "valuation/preparation.html", session=session, form=form, status=form_status(form)
    )
