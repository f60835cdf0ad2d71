"""People of the network: the coordinator sees everyone, a referent their own centre."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, request, url_for
from flask_login import current_user, login_user

from reseau.accounts import bp
from reseau.accounts.access import (
    get_person_or_404,
    get_person_to_act_on,
    manager_required,
    may_act_on_person,
    visible_people,
)
from reseau.accounts.forms import PersonFilterForm, PersonForm, centre_choices, select_choices
from reseau.accounts.models import Category, Centre, Role, User, UserRole, UserStatus
from reseau.accounts.operations import (
    approve_person,
    decline_person,
    disable_person,
    enable_person,
    invite_person,
    send_invitation,
    update_person,
)
from reseau.accounts.subcategories import SUGGESTIONS, all_suggestions
from reseau.core.extensions import db
from reseau.core.forms import ConfirmForm
from reseau.core.lists import contains, paginate
from reseau.core.web import (
    form_status,
    navigate,
    render_confirmation,
    render_page,
    see_other,
)


def _person_form(person: User | None) -> PersonForm:
    form = PersonForm(obj=person)
    form.person = person
    if current_user.is_coordinator:
        form.centre_id.choices = select_choices([("", "— Aucun centre —")] + centre_choices()[1:])
    else:
        # A referent only ever places people in their own centre.
        form.centre_id.choices = select_choices(
            [(str(current_user.centre.id), current_user.centre.name)]
        )
        form.centre_id.data = current_user.centre_id
        del form.roles
    if person is not None and request.method == "GET" and "roles" in form:
        form.roles.data = [role.value for role in person.roles if role != Role.PARTICIPANT]
    return form


@bp.route("/personnes")
@manager_required
def person_list():
    form = PersonFilterForm()
    if not current_user.is_coordinator:
        form.centre.data = None
    filters = form.filters
    select = visible_people(current_user).options(so.joinedload(User.centre))
    if query := filters["q"]:
        select = select.where(
            sa.or_(
                contains(User.first_name, query),
                contains(User.last_name, query),
                contains(User.email, query),
                contains(User.first_name + " " + User.last_name, query),
            )
        )
    if filters["categorie"]:
        select = select.where(User.category == Category(filters["categorie"]))
    if filters["role"]:
        role = Role(filters["role"])
        select = select.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    if filters["statut"]:
        select = select.where(User.status == UserStatus(filters["statut"]))
    centre_id = filters["centre"]
    if centre_id:
        select = select.where(User.centre_id == centre_id)
    page = paginate(select.order_by(User.last_name, User.first_name, User.id), form)
    pending_count = db.session.scalar(
        visible_people(current_user)
        .with_only_columns(sa.func.count(User.id))
        .where(User.status == UserStatus.PENDING)
    )
    centre = db.session.get(Centre, centre_id) if centre_id else None
    return render_page(
        "accounts/person_list.html",
        "accounts/_person_results.html",
        page=page,
        pending_count=pending_count,
        centre=centre,
        filters=filters,
        categories=list(Category),
        roles=list(Role),
        statuses=list(UserStatus),
    )


@bp.route("/personnes/nouvelle", methods=["GET", "POST"])
@manager_required
def person_new():
    form = _person_form(None)
    if request.method == "GET" and current_user.is_coordinator:
        form.centre_id.data = request.args.get("centre", type=int)
    if form.validate_on_submit():
        centre = _chosen_centre(form)
        person = invite_person(
            actor=current_user,
            email=form.email.data,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            phone=form.phone.data or "",
            centre=centre,
            category=Category(form.category.data),
            sub_category=form.sub_category.data or "",
            roles=form.roles.data if "roles" in form else (),
        )
        db.session.commit()
        flash(f"Invitation envoyée à {person.full_name} ({person.email}).", "success")
        return navigate(url_for("accounts.person_detail", person_id=person.id))
    return render_page(
        "accounts/person_form.html",
        "accounts/_person_form.html",
        form=form,
        person=None,
        status=form_status(form),
    )


def _chosen_centre(form: PersonForm) -> Centre | None:
    if not current_user.is_coordinator:
        return current_user.centre
    return db.session.get(Centre, form.centre_id.data) if form.centre_id.data else None


@bp.route("/personnes/<int:person_id>")
@manager_required
def person_detail(person_id: int):
    person = get_person_or_404(current_user, person_id)
    return render_page(
        "accounts/person_detail.html",
        person=person,
        may_act=may_act_on_person(current_user, person),
    )


@bp.route("/personnes/<int:person_id>/modifier", methods=["GET", "POST"])
@manager_required
def person_edit(person_id: int):
    person = get_person_to_act_on(current_user, person_id)
    form = _person_form(person)
    if form.validate_on_submit() and not _drops_own_coordination(form, person):
        version = person.session_version
        update_person(person, _person_data(form), actor=current_user)
        db.session.commit()
        if person.id == current_user.id and person.session_version != version:
            login_user(person)  # a new e-mail ends the other sessions, not this one
        flash(f"{person.full_name} : modifications enregistrées.", "success")
        return navigate(url_for("accounts.person_detail", person_id=person.id))
    return render_page(
        "accounts/person_form.html",
        "accounts/_person_form.html",
        form=form,
        person=person,
        status=form_status(form),
    )


def _person_data(form: PersonForm) -> dict:
    data = {
        name: form[name].data
        for name in ("first_name", "last_name", "email", "phone", "category", "sub_category")
    }
    if current_user.is_coordinator:
        data.update(centre=_chosen_centre(form), roles=form.roles.data)
    return data


def _drops_own_coordination(form: PersonForm, person: User) -> bool:
    """Refuse that coordinators remove their own role: nobody could give it back."""
    if person.id != current_user.id or "roles" not in form:
        return False
    if Role.COORDINATOR.value in (form.roles.data or []):
        return False
    form.roles.errors.append(
        "Vous ne pouvez pas retirer votre propre rôle de coordination : "
        "demandez-le à une autre personne de la coordination."
    )
    return True


@bp.route("/personnes/<int:person_id>/invitation", methods=["POST"])
@manager_required
def person_reinvite(person_id: int):
    person = get_person_to_act_on(current_user, person_id)
    if person.status != UserStatus.INVITED or not person.email:
        abort(409)
    send_invitation(person, actor=current_user)
    db.session.commit()
    flash(f"Nouvelle invitation envoyée à {person.email}.", "success")
    return see_other(url_for("accounts.person_detail", person_id=person.id))


@bp.route("/personnes/<int:person_id>/statut", methods=["GET", "POST"])
@manager_required
def person_set_active(person_id: int):
    """Enable a disabled account in one click; disabling asks first (GET: the confirmation)."""
    person = get_person_to_act_on(current_user, person_id)
    if person.id == current_user.id:
        abort(409)
    back = url_for("accounts.person_detail", person_id=person.id)
    if request.method == "POST" and request.form.get("action") == "activer":
        if person.status == UserStatus.DISABLED:
            enable_person(person, actor=current_user)
            db.session.commit()
            flash(f"Le compte de {person.full_name} est réactivé.", "success")
        return see_other(back)
    if person.status not in (UserStatus.ACTIVE, UserStatus.INVITED):
        return see_other(back)
    return _disable(person, back)


def _disable(person: User, back: str):
    form = ConfirmForm()
    if form.validate_on_submit():
        disable_person(person, actor=current_user, reason=form.reason.data or "")
        db.session.commit()
        flash(f"Le compte de {person.full_name} est désactivé.", "success")
        return see_other(back)
    return render_confirmation(
        form,
        title=f"Désactiver le compte de {person.full_name} ?",
        text=[
            "La personne ne pourra plus se connecter ; ses sessions ouvertes sont fermées et "
            "ses liens d'invitation ou de mot de passe ne fonctionnent plus. Ses inscriptions "
            "et présences restent. Vous pourrez réactiver le compte plus tard.",
            "Elle reçoit un e-mail qui le lui dit, avec le motif si vous en donnez un.",
        ],
        action=url_for("accounts.person_set_active", person_id=person.id),
        yes="Oui, désactiver le compte",
        back=back,
        hidden={"action": "desactiver"},
        status=form_status(form),
    )


@bp.route("/personnes/en-attente")
@manager_required
def person_pending():
    people = db.session.scalars(
        visible_people(current_user)
        .options(so.joinedload(User.centre))
        .where(User.status == UserStatus.PENDING)
        .order_by(User.created_at, User.id)
        .limit(200)
    ).all()
    return render_page("accounts/person_pending.html", people=people)


@bp.route("/personnes/<int:person_id>/validation", methods=["POST"])
@manager_required
def person_decide(person_id: int):
    person = get_person_to_act_on(current_user, person_id)
    if person.status != UserStatus.PENDING:
        flash(f"La demande de {person.full_name} a déjà été traitée.", "info")
        return see_other(url_for("accounts.person_pending"))
    if request.form.get("decision") == "valider":
        done = approve_person(person, actor=current_user)
        message = f"Compte de {person.full_name} validé : un e-mail lui est envoyé.", "success"
    else:
        done = decline_person(person, actor=current_user)
        message = f"Demande de {person.full_name} refusée.", "info"
    if not done:  # decided by someone else meanwhile
        message = f"La demande de {person.full_name} a déjà été traitée.", "info"
    db.session.commit()
    flash(*message)
    return see_other(url_for("accounts.person_pending"))


@bp.app_template_global("sub_category_suggestions")
def sub_category_suggestions(all: bool = False):  # noqa: A002 (the template's own word)
    """The forms' suggestions: by category value, or ``all`` of them in one list."""
    if all:
        return all_suggestions()
    return {category.value: list(items) for category, items in SUGGESTIONS.items()}
