"""The coordinator's membership pages: a year's centres, one centre's year, the year's fee
rate, the exports and the calls for fees; a referent's own centre: its record and its call."""

from __future__ import annotations

from flask import abort, current_app, flash, url_for
from flask_login import current_user

from reseau.accounts.access import coordinator_required, manager_required
from reseau.accounts.models import Centre
from reseau.core.downloads import csv_download, pdf_download, xlsx_download
from reseau.core.extensions import db
from reseau.core.i18n import today_paris
from reseau.core.web import form_status, navigate, render_page, see_other
from reseau.membership import bp, documents, queries
from reseau.membership import operations as ops
from reseau.membership.forms import FeeRateForm, MembershipForm, YearFilter, this_year
from reseau.membership.queries import YEAR_MAX, YEAR_MIN


def _year_or_404(year: int) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        abort(404)
    return year


@bp.route("/admin/adhesions")
@coordinator_required
def membership_list():
    filters = YearFilter()
    year = filters.annee.data or this_year()
    rate_form = FeeRateForm(data={"percent": queries.fee_percent(year)})
    return render_page(
        "membership/list.html",
        "membership/_list.html",
        year_list=queries.year_list(year),
        rate_form=rate_form,
        euros=documents.euros,
        percent_label=documents.percent_label,
        years=range(this_year() + 1, YEAR_MIN - 1, -1),
    )


@bp.route("/admin/adhesions/<int:year>/taux", methods=["POST"])
@coordinator_required
def fee_rate(year: int):
    _year_or_404(year)
    form = FeeRateForm()
    if form.validate_on_submit():
        ops.set_fee_percent(year, form.percent.data, actor=current_user)
        db.session.commit()
        flash(
            f"Taux de cotisation {year} : {documents.percent_label(form.percent.data)}.", "success"
        )
        return see_other(url_for("membership.membership_list", annee=year))
    return render_page(
        "membership/list.html",
        year_list=queries.year_list(year),
        rate_form=form,
        euros=documents.euros,
        percent_label=documents.percent_label,
        years=range(this_year() + 1, YEAR_MIN - 1, -1),
        status=form_status(form),
    )


@bp.route("/admin/adhesions/<int:year>/centres/<int:centre_id>", methods=["GET", "POST"])
@coordinator_required
def membership_edit(year: int, centre_id: int):
    _year_or_404(year)
    centre = db.get_or_404(Centre, centre_id)
    line = queries.year_list(year, centre.id).lines[0]
    form = MembershipForm(
        data={"is_member": line.member, "budget": line.budget, "paid_on": line.paid_on}
    )
    if form.validate_on_submit():
        ops.save_membership(centre, year, form.data, actor=current_user)
        db.session.commit()
        flash(f"Adhésion {year} de « {centre.name} » enregistrée.", "success")
        return navigate(url_for("membership.membership_list", annee=year) + f"#centre-{centre.id}")
    return render_page(
        "membership/edit.html",
        "membership/_edit.html",
        form=form,
        line=line,
        year=year,
        euros=documents.euros,
        percent_label=documents.percent_label,
        status=form_status(form),
    )


def _filename(year: int, suffix: str) -> str:
    return f"adhesions-{year}.{suffix}"


@bp.route("/admin/adhesions/<int:year>.xlsx")
@coordinator_required
def membership_xlsx(year: int):
    year_list = queries.year_list(_year_or_404(year))
    return xlsx_download(documents.workbook(year_list), _filename(year, "xlsx"))


@bp.route("/admin/adhesions/<int:year>.csv")
@coordinator_required
def membership_csv(year: int):
    year_list = queries.year_list(_year_or_404(year))
    return csv_download(_filename(year, "csv"), documents.HEADERS, documents.csv_rows(year_list))


@bp.route("/admin/adhesions/<int:year>/appels.pdf")
@coordinator_required
def calls_pdf(year: int):
    """Every member centre's call for fees of ``year``, one page each."""
    year_list = queries.year_list(_year_or_404(year))
    content = documents.calls_pdf(
        year_list.members,
        year,
        network_name=current_app.config["NETWORK_NAME"],
        today=today_paris(),
    )
    return pdf_download(content, f"appels-cotisation-{year}.pdf")


@bp.route("/admin/adhesions/<int:year>/centres/<int:centre_id>/appel.pdf")
@coordinator_required
def call_pdf(year: int, centre_id: int):
    _year_or_404(year)
    centre = db.get_or_404(Centre, centre_id)
    line = queries.year_list(year, centre.id).lines[0]
    content = documents.calls_pdf(
        [line], year, network_name=current_app.config["NETWORK_NAME"], today=today_paris()
    )
    return pdf_download(content, f"appel-cotisation-{year}-centre-{centre.id}.pdf")


# --- a referent's own centre -------------------------------------------------------------


def _own_centre_or_404() -> Centre:
    """The referent's centre; the coordinator, who has none here, gets 404 (the admin pages
    are theirs). Nothing in the URL names a centre: no other centre can be asked for."""
    if not current_user.is_referent or current_user.centre_id is None:
        abort(404)
    return db.session.get(Centre, current_user.centre_id)


@bp.route("/mon-centre/adhesion")
@manager_required
def my_centre_membership():
    """The referent: their centre's membership, year by year (``?annee=``), read only."""
    centre = _own_centre_or_404()
    year = YearFilter().annee.data or this_year()
    return render_page(
        "membership/my_centre.html",
        centre=centre,
        line=queries.year_list(year, centre.id).lines[0],
        year=year,
        euros=documents.euros,
        percent_label=documents.percent_label,
        years=range(this_year() + 1, YEAR_MIN - 1, -1),
    )


@bp.route("/mon-centre/adhesion/<int:year>/appel.pdf")
@manager_required
def my_centre_call_pdf(year: int):
    """The referent: their own centre's call for fees of ``year`` (404 when not a member)."""
    _year_or_404(year)
    centre = _own_centre_or_404()
    line = queries.year_list(year, centre.id).lines[0]
    if not line.member:
        abort(404)
    content = documents.calls_pdf(
        [line], year, network_name=current_app.config["NETWORK_NAME"], today=today_paris()
    )
    return pdf_download(content, f"appel-cotisation-{year}-centre-{centre.id}.pdf")
