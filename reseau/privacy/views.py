"""Privacy pages: "Mes données", the deletion request, anonymisation and the audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, url_for
from flask_login import current_user, login_required

from reseau.accounts.access import coordinator_required, may_act_on_person
from reseau.accounts.models import User, UserStatus
from reseau.core.audit import AuditLog
from reseau.core.downloads import json_download
from reseau.core.extensions import db
from reseau.core.i18n import from_local
from reseau.core.lists import contains, paginate
from reseau.core.web import form_status, render_page, see_other
from reseau.privacy import bp
from reseau.privacy.forms import AnonymiseForm, AuditFilterForm, DeletionRequestForm
from reseau.privacy.operations import (
    anonymise_person,
    deletion_requests,
    export_and_request,
    export_person,
    pending_deletion_request,
    record_export,
    request_deletion,
)

# Actions shown in the filter, in plain French; unknown ones are listed by their code.
ACTION_LABELS = {
    "person.invite": "Invitation",
    "person.approve": "Compte validé",
    "person.decline": "Demande de compte refusée",
    "person.roles": "Rôles modifiés",
    "person.email": "Adresse e-mail modifiée",
    "person.enable": "Compte réactivé",
    "person.disable": "Compte désactivé",
    "person.guest": "Personne ajoutée sans compte",
    "people.import": "Import de personnes",
    "people.import_invitations": "Invitations d'un import envoyées",
    "attendance.correct": "Présence corrigée",
    "enrolment.moved": "Inscription déplacée",
    "person.anonymise": "Anonymisation",
    "privacy.export": "Export de données personnelles",
    "privacy.deletion_request": "Demande de suppression",
    "parcours.sharing": "Partage du parcours",
}


def _me() -> User:
    # The real object, not the proxy: the audit log records the object's type name.
    return current_user._get_current_object()


@bp.route("/mes-donnees")
@login_required
def my_data():
    data, pending = export_and_request(_me())
    return render_page(
        "privacy/my_data.html",
        data=data,
        form=DeletionRequestForm(formdata=None),
        pending=pending,
    )


@bp.route("/mes-donnees.json")
@login_required
def my_data_json():
    me = _me()
    data = export_person(me)
    record_export(me, actor=me)
    db.session.commit()
    return json_download(data, "mes-donnees-reseau.json")


@bp.route("/mes-donnees/suppression", methods=["POST"])
@login_required
def request_account_deletion():
    form = DeletionRequestForm()
    if form.validate_on_submit():
        if request_deletion(_me(), reason=form.reason.data or ""):
            flash(
                "Votre demande est envoyée à la coordination, qui anonymisera votre compte.",
                "success",
            )
        else:
            flash("Votre demande est déjà enregistrée.", "info")
        db.session.commit()
        return see_other(url_for("privacy.my_data"))
    return render_page(
        "privacy/my_data.html",
        data=export_person(current_user),
        form=form,
        pending=pending_deletion_request(_me()),
        status=form_status(form),
    )


@bp.route("/admin/donnees-personnelles")
@coordinator_required
def admin_requests():
    return render_page("privacy/requests.html", requests=deletion_requests())


def _person_to_anonymise(person_id: int) -> User:
    person = db.session.get(User, person_id)
    if person is None or person.status == UserStatus.ANONYMISED:
        abort(404)
    if not may_act_on_person(current_user, person):
        abort(403)
    return person


@bp.route("/admin/personnes/<int:person_id>/anonymiser", methods=["GET", "POST"])
@coordinator_required
def anonymise(person_id: int):
    person = _person_to_anonymise(person_id)
    if person.id == current_user.id:
        flash("Vous ne pouvez pas anonymiser votre propre compte.", "error")
        return see_other(url_for("privacy.admin_requests"))
    form = AnonymiseForm()
    if form.validate_on_submit():
        anonymise_person(person, actor=_me())
        db.session.commit()
        flash("La personne est anonymisée. Ses présences et réponses restent comptées.", "success")
        return see_other(url_for("privacy.admin_requests"))
    return render_page(
        "privacy/anonymise.html",
        person=person,
        form=form,
        request_entry=pending_deletion_request(person),
        status=form_status(form),
    )


@bp.route("/admin/journal")
@coordinator_required
def audit_log():
    form = AuditFilterForm()
    filters = form.filters
    query = sa.select(AuditLog).options(so.joinedload(AuditLog.actor))
    if filters["action"]:
        query = query.where(AuditLog.action == filters["action"])
    if filters["auteur"]:
        actors = sa.select(User.id).where(
            sa.or_(
                contains(User.email, filters["auteur"]),
                contains(User.first_name + " " + User.last_name, filters["auteur"]),
            )
        )
        query = query.where(AuditLog.actor_id.in_(actors))
    if filters["du"]:
        query = query.where(AuditLog.at >= from_local(datetime.combine(filters["du"], time())))
    if filters["au"]:
        end = datetime.combine(filters["au"] + timedelta(days=1), time())
        query = query.where(AuditLog.at < from_local(end))
    page = paginate(query.order_by(AuditLog.at.desc(), AuditLog.id.desc()), form)
    known = db.session.scalars(sa.select(AuditLog.action).distinct()).all()
    actions = sorted(set(known) | set(ACTION_LABELS), key=lambda a: ACTION_LABELS.get(a, a))
    return render_page(
        "privacy/audit_log.html",
        "privacy/_audit_results.html",
        page=page,
        filters=filters,
        actions=[(action, ACTION_LABELS.get(action, action)) for action in actions],
        labels=ACTION_LABELS,
    )
