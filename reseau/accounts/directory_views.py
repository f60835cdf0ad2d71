"""Départements and centres, managed by the regional coordinator."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_login import current_user

from reseau.accounts import bp
from reseau.accounts.access import coordinator_required
from reseau.accounts.forms import (
    CentreFilterForm,
    CentreForm,
    DepartmentForm,
    department_choices,
    select_choices,
)
from reseau.accounts.models import Centre, Department, User
from reseau.accounts.operations import save_centre, save_department
from reseau.accounts.queries import get_centre_or_404, get_department_or_404
from reseau.core.extensions import db
from reseau.core.lists import contains, paginate
from reseau.core.web import edit_page, render_page


@bp.route("/admin/departements")
@coordinator_required
def department_list():
    centre_counts = (
        sa.select(Centre.department_id, sa.func.count(Centre.id).label("centres"))
        .group_by(Centre.department_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Department, sa.func.coalesce(centre_counts.c.centres, 0))
        .outerjoin(centre_counts, centre_counts.c.department_id == Department.id)
        .order_by(Department.code)
    ).all()
    return render_page("accounts/department_list.html", rows=rows)


@bp.route("/admin/departements/nouveau", methods=["GET", "POST"])
@bp.route("/admin/departements/<int:department_id>", methods=["GET", "POST"])
@coordinator_required
def department_edit(department_id: int | None = None):
    department = get_department_or_404(department_id) if department_id else None
    form = DepartmentForm(obj=department)
    form.department = department
    return edit_page(
        form,
        "accounts/department_form.html",
        "accounts/_department_form.html",
        save=lambda data: save_department(department, data, actor=current_user),
        done=lambda saved: (
            f"Département « {saved.label} » enregistré.",
            url_for("accounts.department_list"),
        ),
        department=department,
    )


@bp.route("/admin/centres")
@coordinator_required
def centre_list():
    form = CentreFilterForm()
    filters = form.filters
    select = sa.select(Centre).options(sa.orm.joinedload(Centre.department))
    if query := filters["q"]:
        select = select.where(sa.or_(contains(Centre.name, query), contains(Centre.town, query)))
    if filters["departement"]:
        select = select.where(Centre.department_id == filters["departement"])
    if filters["adhesion"]:
        select = select.where(Centre.is_member.is_(filters["adhesion"] == "adherent"))
    page = paginate(select.order_by(Centre.name, Centre.id), form)
    return render_page(
        "accounts/centre_list.html",
        "accounts/_centre_results.html",
        page=page,
        departments=department_choices("Tous les départements"),
        filters=filters,
    )


@bp.route("/admin/centres/nouveau", methods=["GET", "POST"])
@bp.route("/admin/centres/<int:centre_id>/modifier", methods=["GET", "POST"])
@coordinator_required
def centre_edit(centre_id: int | None = None):
    centre = get_centre_or_404(centre_id) if centre_id else None
    form = CentreForm(obj=centre)
    form.centre = centre
    form.department_id.choices = select_choices(department_choices())
    return edit_page(
        form,
        "accounts/centre_form.html",
        "accounts/_centre_form.html",
        save=lambda data: save_centre(centre, data, actor=current_user),
        done=lambda saved: (
            f"Centre « {saved.name} » enregistré.",
            url_for("accounts.centre_detail", centre_id=saved.id),
        ),
        centre=centre,
    )


@bp.route("/admin/centres/<int:centre_id>")
@coordinator_required
def centre_detail(centre_id: int):
    centre = get_centre_or_404(centre_id)
    people_count = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.centre_id == centre.id)
    )
    return render_page("accounts/centre_detail.html", centre=centre, people_count=people_count)
