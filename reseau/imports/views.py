"""Import a centre's people: send a file, check the preview, confirm.

Referents import into their own centre, the coordinator into any (chosen, or a column of the
file). Nothing is written before the confirmation; the file waits in ``pending_import``.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, request, url_for
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy.exc import IntegrityError

from reseau.accounts.access import manager_required
from reseau.accounts.models import Category, Centre
from reseau.core.database import lock_row
from reseau.core.downloads import append_row, csv_download, xlsx_download
from reseau.core.extensions import db
from reseau.core.http import allows_upload
from reseau.core.lists import FilterForm, IdField, OneOfField
from reseau.core.web import form_status, navigate, render_page, see_other
from reseau.imports import bp
from reseau.imports.columns import FIELDS, category_names, match_header
from reseau.imports.forms import (
    UploadForm,
    build_options_form,
    set_centre_choices,
)
from reseau.imports.operations import (
    apply_import,
    change_options,
    keep_upload,
    send_kept_invitations,
)
from reseau.imports.queries import (
    CREATE,
    SKIP,
    UNCHANGED,
    UPDATE,
    get_pending_import,
    invitations_to_send,
    plan_import,
)
from reseau.imports.reading import MAX_BYTES, ImportFileError, read_table, too_big_message

# The preview shows this many rows a page, filtered by fate.
ROWS_PER_PAGE = 200
SHOWN = {
    "toutes": None,
    "creees": CREATE,
    "mises-a-jour": UPDATE,
    "a-jour": UNCHANGED,
    "ignorees": SKIP,
}
# Room for the form's other fields around the file itself.
UPLOAD_LIMIT = MAX_BYTES + 256 * 1024


def importer_required(view):
    """The coordinator, or a referent of a centre (a referent without one imports nowhere)."""

    @manager_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not (current_user.is_coordinator or current_user.is_referent):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _target_centre(centre_id: int | None) -> Centre | None:
    if not current_user.is_coordinator:
        return current_user.centre
    return db.session.get(Centre, centre_id) if centre_id else None


def _context_counts() -> dict:
    waiting = db.session.scalar(
        invitations_to_send(current_user).with_only_columns(db.func.count()).order_by(None)
    )
    return {"waiting_invitations": waiting or 0, "categories": category_names()}


@bp.route("/personnes/import", methods=["GET", "POST"])
@allows_upload(UPLOAD_LIMIT)
@importer_required
def upload():
    form = UploadForm()
    set_centre_choices(form, current_user)
    if request.method == "GET" and "centre_id" in form:
        form.centre_id.data = CentreQuery().centre.data
    if form.validate_on_submit():
        token = _keep(form)
        if token:
            db.session.commit()
            return navigate(url_for("imports.preview", token=token))
    return render_page(
        "imports/upload.html",
        "imports/_upload_form.html",
        form=form,
        status=form_status(form),
        **_context_counts(),
    )


def _keep(form: UploadForm) -> str | None:
    """Read the sent file and keep it; None with the message next to the field."""
    content = form.file.data.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        form.file.errors.append(too_big_message())
        return None
    try:
        table = read_table(content, form.file.data.filename or "")
    except ImportFileError as error:
        form.file.errors.append(str(error))
        return None
    centre_id = form.centre_id.data if "centre_id" in form else None
    centre = _target_centre(centre_id)
    mapping = match_header(table.header, with_centre=current_user.is_coordinator)
    _, token = keep_upload(
        current_user, content, form.file.data.filename or "", centre=centre, mapping=mapping
    )
    return token


def _options_form(pending, table, formdata=None):
    mapping = {int(index): name for index, name in (pending.mapping or {}).items()}
    data = {f"col_{index}": name for index, name in mapping.items()}
    form = build_options_form(
        table.header,
        with_centre=current_user.is_coordinator,
        formdata=formdata,
        data={
            **data,
            "centre_id": pending.centre_id,
            "default_category": pending.default_category,
        },
    )
    set_centre_choices(form, current_user)
    return form


@bp.route("/personnes/import/<token>", methods=["GET", "POST"])
@importer_required
def preview(token: str):
    pending = get_pending_import(current_user, token)
    if pending is None:
        return render_page("imports/expired.html", status=404)
    table = read_table(pending.content, pending.filename)
    form = _options_form(
        pending, table, formdata=request.form if request.method == "POST" else None
    )
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            answer = _submitted(pending, token, table, form)
            if answer is not None:
                return answer
        status = 422
    centre = _target_centre(pending.centre_id)
    plan = plan_import(
        current_user,
        table,
        form.mapping() if request.method == "POST" else _stored_mapping(pending),
        centre=centre,
        default_category=_category(pending.default_category),
    )
    form.digest.data = plan.digest()
    return _render_preview(pending, token, table, form, plan, status)


def _stored_mapping(pending) -> dict[int, str]:
    return {int(index): name for index, name in (pending.mapping or {}).items()}


def _category(value: str | None) -> Category | None:
    return Category(value) if value in {c.value for c in Category} else None


def _submitted(pending, token: str, table, form):
    """Keep the options; import when asked and the preview is still what was shown."""
    centre = _target_centre(form.centre_id.data if "centre_id" in form else None)
    default_category = _category(form.default_category.data)
    mapping = form.mapping()
    pending = lock_row(pending)
    change_options(pending, centre=centre, mapping=mapping, default_category=default_category)
    if request.form.get("action") != "importer":
        db.session.commit()
        return see_other(url_for("imports.preview", token=token))
    plan = plan_import(
        current_user, table, mapping, centre=centre, default_category=default_category
    )
    if plan.problems or plan.digest() != form.digest.data:
        db.session.commit()  # the options stay; the new preview is shown
        form.digest.errors.append(
            "L'aperçu a changé depuis son affichage (colonnes, options, ou des personnes "
            "modifiées entre-temps) : vérifiez-le ci-dessous, puis importez."
        )
        return None
    try:
        counts = apply_import(pending, plan, actor=current_user, invitations=form.invitations.data)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(
            "Une adresse e-mail du fichier a été utilisée entre-temps : rien n'a été "
            "importé. Vérifiez l'aperçu, puis recommencez.",
            "error",
        )
        return see_other(url_for("imports.preview", token=token))
    flash(_done_message(counts), "success")
    return navigate(url_for("accounts.person_list", centre=centre.id if centre else None))


def _done_message(counts: dict) -> str:
    message = (
        f"Import terminé : {counts['create']} personne(s) créée(s), "
        f"{counts['update']} mise(s) à jour, {counts['unchanged']} déjà à jour, "
        f"{counts['skip']} ligne(s) ignorée(s)."
    )
    if counts["invitations_sent"]:
        message += f" {counts['invitations_sent']} invitation(s) envoyée(s)."
    return message


class PreviewQuery(FilterForm):
    """The preview's query string: which rows to show, and the page."""

    voir = OneOfField(values=SHOWN, default="toutes")


class CentreQuery(FilterForm):
    """The upload page's query string: the centre chosen beforehand (the coordinator's)."""

    centre = IdField()


def _render_preview(pending, token, table, form, plan, status):
    query = PreviewQuery()
    shown = query.voir.data
    kind = SHOWN.get(shown)
    rows = [row for row in plan.rows if kind is None or row.kind == kind]
    page = query.page.data
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    page = min(page, pages)
    return render_page(
        "imports/preview.html",
        "imports/_preview.html",
        status=status,
        pending=pending,
        token=token,
        table=table,
        form=form,
        plan=plan,
        column_fields=[form[name] for name in form.columns],
        rows=rows[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE],
        shown=shown if shown in SHOWN else "toutes",
        page=page,
        pages=pages,
        fields=FIELDS,
        kinds={"create": CREATE, "update": UPDATE, "unchanged": UNCHANGED, "skip": SKIP},
    )


@bp.route("/personnes/import/invitations", methods=["POST"])
@importer_required
def send_invitations():
    count = send_kept_invitations(current_user)
    db.session.commit()
    flash(
        f"{count} invitation(s) envoyée(s)." if count else "Aucune invitation n'attendait.",
        "success" if count else "info",
    )
    return see_other(url_for("imports.upload"))


TEMPLATE_ROWS = [
    ["Camille", "Martin", "camille.martin@exemple.fr", "06 12 34 56 78", "Bénévole", ""],
    ["Karim", "Benali", "", "", "Élu·e / administrateur·rice", "élu municipal"],
]


def _template_header() -> list[str]:
    names = [name for name in FIELDS if name != "centre" or current_user.is_coordinator]
    return [FIELDS[name] for name in names]


def _template_rows() -> list[list[str]]:
    centre = "" if not current_user.is_coordinator else "Centre social du Blanc (Le Blanc)"
    return [row + ([centre] if current_user.is_coordinator else []) for row in TEMPLATE_ROWS]


@bp.route("/personnes/import/modele.csv")
@importer_required
def template_csv():
    return csv_download("modele-import-personnes.csv", _template_header(), _template_rows())


@bp.route("/personnes/import/modele.xlsx")
@importer_required
def template_xlsx():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Personnes"
    append_row(sheet, _template_header())
    for row in _template_rows():
        append_row(sheet, row)
    return xlsx_download(workbook, "modele-import-personnes.xlsx")
