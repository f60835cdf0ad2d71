"""The coordinator's funders, a session's funding lines, and each funder's report."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, flash, request, url_for
from flask_login import current_user

from reseau.accounts.access import coordinator_required
from reseau.catalogue.choices import with_blank
from reseau.catalogue.forms import choices_of
from reseau.catalogue.models import TrainingSession
from reseau.core.database import utcnow
from reseau.core.downloads import download, pdf_download, xlsx_download
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.core.periods import Period
from reseau.core.web import edit_page, form_status, render_page, see_other
from reseau.funding import bp, documents, queries
from reseau.funding import operations as ops
from reseau.funding.forms import FunderForm, ReportForm, SessionFundingForm
from reseau.funding.models import Funder, SessionFunding

ZIP_MIMETYPE = "application/zip"


@bp.app_template_global()
def session_fundings(session_id: int) -> list[SessionFunding]:
    """A session's funders, for its admin page (catalogue) to include."""
    return queries.session_fundings(session_id)


@bp.route("/admin/financeurs")
@coordinator_required
def funder_list():
    return render_page("funding/funder_list.html", funders=queries.funders_with_counts())


@bp.route("/admin/financeurs/nouveau", methods=["GET", "POST"])
@bp.route("/admin/financeurs/<int:funder_id>/modifier", methods=["GET", "POST"])
@coordinator_required
def funder_edit(funder_id: int | None = None):
    funder = db.get_or_404(Funder, funder_id) if funder_id else None
    form = FunderForm(obj=funder)
    form.funder = funder
    return edit_page(
        form,
        "funding/funder_form.html",
        "funding/_funder_form.html",
        save=lambda data: ops.save_funder(funder, data, actor=current_user),
        done=lambda saved: (
            f"Financeur « {saved.name} » enregistré.",
            url_for("funding.funder_list"),
        ),
        funder=funder,
    )


def _period() -> tuple[Period, ReportForm]:
    """The report's period from the query string; this year when absent or wrong."""
    form = ReportForm(formdata=request.args)
    year = to_local(utcnow()).year
    period = Period.year(year)
    if form.validate() and form.du.data and form.au.data:
        period = Period(form.du.data, form.au.data)
    elif form.du.data and not form.au.data and not form.errors:
        form.au.errors = ["Indiquez aussi la fin de la période."]
    elif form.au.data and not form.du.data and not form.errors:
        form.du.errors = ["Indiquez aussi le début de la période."]
    return period, form


def _report(funder_id: int):
    funder = db.get_or_404(Funder, funder_id)
    period, form = _period()
    return queries.funder_report(funder, period), form


def _filename(report, suffix: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in report.funder.name.lower()).strip("-")
    return f"financeur-{slug}-{report.period.start}_{report.period.end}.{suffix}"


@bp.route("/admin/financeurs/<int:funder_id>")
@coordinator_required
def funder_report(funder_id: int):
    report, form = _report(funder_id)
    args = {"du": report.period.start.isoformat(), "au": report.period.end.isoformat()}
    errors = form.errors or form.du.errors or form.au.errors
    return render_page(
        "funding/report.html",
        "funding/_report.html",
        report=report,
        form=form,
        args=args,
        figures=documents.key_figures(report),
        number=documents.number,
        period_label=documents.period_label(report.period),
        status=422 if errors else 200,
    )


@bp.route("/admin/financeurs/bilan")
@coordinator_required
def bilan_funders():
    """The bilan's "par financeur" table (the bilan loads it after the page)."""
    period, form = _period()
    errors = form.errors or form.du.errors or form.au.errors
    return render_page(
        "funding/bilan_funders.html",
        "funding/_bilan_funders_table.html",
        funder_lines=queries.funders_summary(period.start, period.end),
        args={"du": period.start.isoformat(), "au": period.end.isoformat()},
        period_label=documents.period_label(period),
        status=422 if errors else 200,
    )


@bp.route("/admin/financeurs/<int:funder_id>/rapport.xlsx")
@coordinator_required
def funder_report_xlsx(funder_id: int):
    report, _ = _report(funder_id)
    return xlsx_download(documents.workbook(report), _filename(report, "xlsx"))


@bp.route("/admin/financeurs/<int:funder_id>/rapport.pdf")
@coordinator_required
def funder_report_pdf(funder_id: int):
    report, _ = _report(funder_id)
    content = documents.report_pdf(report, network_name=current_app.config["NETWORK_NAME"])
    return pdf_download(content, _filename(report, "pdf"))


@bp.route("/admin/financeurs/<int:funder_id>/feuilles-emargement.zip")
@coordinator_required
def funder_sign_in_sheets(funder_id: int):
    report, _ = _report(funder_id)
    content = documents.sign_in_sheets_zip(report, network_name=current_app.config["NETWORK_NAME"])
    return download(
        content, ZIP_MIMETYPE, _filename(report, "zip").replace(".zip", "-emargement.zip")
    )


# --- a session's funders ----------------------------------------------------------------------


def _session_or_404(session_id: int) -> TrainingSession:
    return db.first_or_404(
        sa.select(TrainingSession)
        .options(so.selectinload(TrainingSession.seances))
        .where(TrainingSession.id == session_id)
    )


@bp.route("/admin/sessions/<int:session_id>/financeurs", methods=["GET", "POST"])
@coordinator_required
def session_funders(session_id: int):
    session = _session_or_404(session_id)
    form = SessionFundingForm()
    form.funder_id.choices = choices_of(with_blank("Choisir…", queries.funder_choices()))
    if form.validate_on_submit():
        funder = db.get_or_404(Funder, form.funder_id.data)
        ops.add_funding(
            session,
            funder,
            amount_asked=form.amount_asked.data,
            amount_granted=form.amount_granted.data,
            actor=current_user,
        )
        db.session.commit()
        flash(f"Financeur « {funder.name} » enregistré pour cette session.", "success")
        return see_other(url_for("catalogue.session_detail", session_id=session.id) + "#financeurs")
    return render_page(
        "funding/session_funders.html",
        session=session,
        form=form,
        lines=queries.session_fundings(session.id),
        status=form_status(form),
    )


@bp.route("/admin/sessions/<int:session_id>/financeurs/<int:line_id>/retirer", methods=["POST"])
@coordinator_required
def session_funder_remove(session_id: int, line_id: int):
    line = db.first_or_404(
        sa.select(SessionFunding).where(
            SessionFunding.id == line_id, SessionFunding.session_id == session_id
        )
    )
    name = line.funder.name
    ops.remove_funding(line, actor=current_user)
    db.session.commit()
    flash(f"Financeur « {name} » retiré de la session.", "success")
    return see_other(url_for("catalogue.session_detail", session_id=session_id) + "#financeurs")
