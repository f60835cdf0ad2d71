"""Départements and centres, managed by the regional coordinator."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, url_for
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
from reseau.accounts.signals import centre_moved, centre_regrouped
from reseau.core.audit import record_audit
from reseau.core.extensions import db
from reseau.core.lists import contains, paginate
from reseau.core.web import form_status, navigate, render_page


def get_department_or_404(department_id: int) -> Department:
    """Return the département, or abort with 404."""
    return db.get_or_404(Department, department_id)


def get_centre_or_404(centre_id: int) -> Centre:
    """Return the centre, or abort with 404."""
    return db.get_or_404(Centre, centre_id)


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
    if form.validate_on_submit():
        if department is None:
            department = Department()
            db.session.add(department)
        department.code = form.code.data.upper()
        department.name = form.name.data
        db.session.commit()
        flash(f"Département « {department.label} » enregistré.", "success")
        return navigate(url_for("accounts.department_list"))
    return render_page(
        "accounts/department_form.html",
        "accounts/_department_form.html",
        form=form,
        department=department,
        status=form_status(form),
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
    if form.validate_on_submit():
        creating = centre is None
        if creating:
            centre = Centre()
            db.session.add(centre)
        label_before = None if creating else centre.label
        department_before = centre.department_id
        centre.name = form.name.data
        centre.address = form.address.data or ""
        centre.postcode = form.postcode.data or ""
        centre.town = form.town.data
        centre.department_id = form.department_id.data
        centre.is_member = form.is_member.data
        centre.member_since = form.member_since.data if form.is_member.data else None
        centre.email = (form.email.data or "").lower()
        centre.phone = form.phone.data or ""
        db.session.flush()
        if not creating and centre.department_id != department_before:
            centre_regrouped.send(centre, department_id=department_before)
        record_audit(
            current_user,
            "centre.create" if creating else "centre.update",
            centre,
            summary=centre.name,
        )
        if not creating and centre.label != label_before:
            # The sessions it hosts show that place: the catalogue updates their calendars.
            centre_moved.send(centre, before=label_before, actor=current_user)
        db.session.commit()
        flash(f"Centre « {centre.name} » enregistré.", "success")
        return navigate(url_for("accounts.centre_detail", centre_id=centre.id))
    return render_page(
        "accounts/centre_form.html",
        "accounts/_centre_form.html",
        form=form,
        centre=centre,
        status=form_status(form),
    )


@bp.route("/admin/centres/<int:centre_id>")
@coordinator_required
def centre_detail(centre_id: int):
    centre = db.session.scalar(
        sa.select(Centre)
        .options(sa.orm.joinedload(Centre.department))
        .where(Centre.id == centre_id)
    )
    if centre is None:
        abort(404)
    people_count = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.centre_id == centre.id)
    )
    return render_page("accounts/centre_detail.html", centre=centre, people_count=people_count)
