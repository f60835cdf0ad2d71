"""The complaint form (anyone), the accessibility statement, and the coordinator's
register: list, one complaint, the known incidents, the annual export."""

from __future__ import annotations

from flask import abort, current_app, flash, request, session, url_for
from flask_login import current_user

from reseau.accounts.access import coordinator_required
from reseau.accounts.queries import normalise_email
from reseau.complaints import bp, exports, queries
from reseau.complaints import operations as ops
from reseau.complaints.forms import (
    AnswerForm,
    CloseForm,
    ComplaintForm,
    ComplaintPrefill,
    HandlingForm,
    RegisterFilterForm,
    YearForm,
)
from reseau.complaints.models import Complaint, ComplaintCategory, ComplaintStatus
from reseau.core.downloads import csv_download, xlsx_download
from reseau.core.extensions import db, limiter
from reseau.core.i18n import today_paris
from reseau.core.lists import paginate
from reseau.core.web import form_status, render_page, see_other

SENT_KEY = "complaint_reference"
HONEYPOT = "site_web"  # a field people never see nor fill in


def _client_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _address_limit() -> str:
    return current_app.config["RATELIMIT_ADDRESS"]


def _typed_address() -> str:
    # Each complaint mails the address typed: counted per address, whoever sends it.
    return "complaint:" + normalise_email(request.form.get("email", ""))[:254]


def _person():
    return current_user if current_user.is_authenticated else None


def _prefilled_form() -> ComplaintForm:
    """The form, pre-filled on GET from the person's account and the link's choices."""
    form = ComplaintForm()
    if request.method == "GET":
        prefill = ComplaintPrefill()
        if prefill.session.data:
            form.session_id.data = prefill.session.data
        if prefill.categorie.data:
            form.category.data = prefill.categorie.data
        if current_user.is_authenticated:
            form.name.data = current_user.full_name
            form.email.data = current_user.email or ""
    return form.with_sessions(queries.complaint_sessions())


@bp.route("/reclamation", methods=["GET", "POST"])
@limiter.limit(_client_limit, methods=["POST"])
@limiter.limit(_address_limit, key_func=_typed_address, methods=["POST"])
def complaint_form():
    form = _prefilled_form()
    if request.method == "POST" and request.form.get(HONEYPOT):
        # The field hidden from people was filled in: a robot. The same answer, nothing kept.
        session[SENT_KEY] = ""
        return see_other(url_for("complaints.complaint_sent"))
    if form.validate_on_submit():
        try:
            complaint = ops.submit_complaint(form.data, actor=_person())
        except ops.ComplaintError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            session[SENT_KEY] = complaint.reference
            return see_other(url_for("complaints.complaint_sent"))
    return render_page("complaints/form.html", form=form, status=form_status(form))


@bp.route("/reclamation/envoyee")
def complaint_sent():
    reference = session.pop(SENT_KEY, None)
    if reference is None:
        return see_other(url_for("complaints.complaint_form"))
    return render_page("complaints/sent.html", reference=reference)


@bp.route("/accessibilite")
def accessibility_statement():
    return render_page(
        "complaints/accessibility.html", category=ComplaintCategory.ACCESSIBILITY.value
    )


# --- the register ----------------------------------------------------------------------------


@bp.route("/admin/reclamations")
@coordinator_required
def register():
    form = RegisterFilterForm()
    page = paginate(queries.register_query(form.filters), form)
    return render_page(
        "complaints/register.html",
        "complaints/_register_results.html",
        page=page,
        filters=form.filters,
        statuses=ComplaintStatus.choices(),
        categories=ComplaintCategory.choices(),
        years=queries.register_years(),
        sessions=queries.register_sessions(),
        incidents=queries.known_incidents(),
        this_year=today_paris().year,
    )


@bp.route("/admin/reclamations/incidents/<int:audit_id>", methods=["POST"])
@coordinator_required
def add_incident(audit_id: int):
    found = queries.known_incidents(audit_id=audit_id)
    if not found:
        abort(404)
    try:
        complaint = ops.add_incident(found[0], actor=current_user)
    except ops.ComplaintError as error:
        db.session.rollback()
        flash(str(error), "error")
        return see_other(url_for("complaints.register"))
    db.session.commit()
    flash(f"Incident ajouté au registre : {complaint.reference}.", "success")
    return see_other(url_for("complaints.complaint_detail", complaint_id=complaint.id))


def _detail(complaint: Complaint, *, handling=None, answer=None, close=None, status=200):
    handling = handling or HandlingForm(obj=complaint, formdata=None)
    if handling.status.data == ComplaintStatus.CLOSED:
        handling.status.data = ComplaintStatus.ANSWERED.value
    return render_page(
        "complaints/detail.html",
        complaint=complaint,
        handling=handling.with_handlers(queries.handlers()),
        answer_form=answer or AnswerForm(formdata=None),
        close_form=close or CloseForm(formdata=None, prefix="close"),
        status=status,
    )


@bp.route("/admin/reclamations/<int:complaint_id>")
@coordinator_required
def complaint_detail(complaint_id: int):
    return _detail(queries.get_complaint_or_404(complaint_id))


def _refused(complaint: Complaint, error: ops.ComplaintError):
    db.session.rollback()
    flash(str(error), "error")
    return see_other(url_for("complaints.complaint_detail", complaint_id=complaint.id))


@bp.route("/admin/reclamations/<int:complaint_id>/traitement", methods=["POST"])
@coordinator_required
def complaint_handling(complaint_id: int):
    complaint = queries.get_complaint_or_404(complaint_id)
    form = HandlingForm().with_handlers(queries.handlers())
    if not form.validate_on_submit():
        return _detail(complaint, handling=form, status=422)
    try:
        ops.update_handling(complaint, form.data, actor=current_user)
    except ops.ComplaintError as error:
        return _refused(complaint, error)
    db.session.commit()
    flash("Traitement enregistré.", "success")
    return see_other(url_for("complaints.complaint_detail", complaint_id=complaint.id))


@bp.route("/admin/reclamations/<int:complaint_id>/reponse", methods=["POST"])
@coordinator_required
def complaint_answer(complaint_id: int):
    complaint = queries.get_complaint_or_404(complaint_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _detail(complaint, answer=form, status=422)
    try:
        ops.answer_complaint(complaint, form.answer.data, actor=current_user)
    except ops.ComplaintError as error:
        return _refused(complaint, error)
    db.session.commit()
    flash(f"Réponse envoyée à {complaint.email}.", "success")
    return see_other(url_for("complaints.complaint_detail", complaint_id=complaint.id))


@bp.route("/admin/reclamations/<int:complaint_id>/cloturer", methods=["POST"])
@coordinator_required
def complaint_close(complaint_id: int):
    complaint = queries.get_complaint_or_404(complaint_id)
    form = CloseForm(prefix="close")
    if not form.validate_on_submit():
        return _detail(complaint, close=form, status=422)
    ops.close_complaint(complaint, actor=current_user, improvement=form.improvement.data)
    db.session.commit()
    flash(f"Réclamation {complaint.reference} clôturée.", "success")
    return see_other(url_for("complaints.complaint_detail", complaint_id=complaint.id))


def _year_complaints() -> tuple[int, list[Complaint]]:
    year = YearForm().annee.data or today_paris().year
    return year, db.session.scalars(queries.register_query({"annee": year})).all()[::-1]


@bp.route("/admin/reclamations/registre.csv")
@coordinator_required
def register_csv():
    year, complaints = _year_complaints()
    return csv_download(
        f"registre-reclamations-{year}.csv", exports.HEADER, exports.csv_rows(complaints)
    )


@bp.route("/admin/reclamations/registre.xlsx")
@coordinator_required
def register_xlsx():
    year, complaints = _year_complaints()
    return xlsx_download(exports.workbook(complaints, year), f"registre-reclamations-{year}.xlsx")
