"""Administration of the catalogue by the regional coordinator.

Themes, their yearly cycles and the cycles' modules; sessions and their séances.
"""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, request, url_for
from flask_login import current_user

from reseau.accounts.access import coordinator_required
from reseau.accounts.forms import department_choices
from reseau.accounts.models import Centre
from reseau.catalogue import bp
from reseau.catalogue import operations as ops
from reseau.catalogue.forms import (
    PERIODS,
    CycleFilterForm,
    CycleForm,
    ModuleForm,
    SeanceCancelForm,
    SeanceForm,
    SessionFilterForm,
    SessionForm,
    ThemeFilterForm,
    ThemeForm,
    choices_of,
    theme_choices,
)
from reseau.catalogue.models import (
    Cycle,
    Module,
    SessionKind,
    SessionStatus,
    Theme,
    TrainingSession,
)
from reseau.catalogue.queries import (
    ADMIN_SESSION_OPTIONS,
    get_cycle_or_404,
    get_module_or_404,
    get_seance_or_404,
    get_session_or_404,
    get_theme_or_404,
)
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.forms import ConfirmForm
from reseau.core.i18n import from_local, to_local
from reseau.core.lists import contains, paginate
from reseau.core.web import (
    back_to,
    edit_page,
    form_status,
    navigate,
    render_confirmation,
    render_page,
    see_other,
    wants_fragment,
)

# Themes --------------------------------------------------------------------------------------


@bp.route("/admin/thematiques")
@coordinator_required
def theme_list():
    form = ThemeFilterForm()
    select = sa.select(Theme)
    if form.q.data:
        select = select.where(contains(Theme.name, form.q.data))
    page = paginate(select.order_by(Theme.position, Theme.name, Theme.id), form)
    cycle_counts = dict(
        db.session.execute(
            sa.select(Cycle.theme_id, sa.func.count(Cycle.id))
            .where(Cycle.theme_id.in_([theme.id for theme in page.items]))
            .group_by(Cycle.theme_id)
        ).all()
    )
    return render_page(
        "catalogue/theme_list.html",
        "catalogue/_theme_results.html",
        page=page,
        cycle_counts=cycle_counts,
        filters=form.filters,
    )


@bp.route("/admin/thematiques/nouvelle", methods=["GET", "POST"])
@bp.route("/admin/thematiques/<int:theme_id>/modifier", methods=["GET", "POST"])
@coordinator_required
def theme_edit(theme_id: int | None = None):
    theme = get_theme_or_404(theme_id) if theme_id else None
    form = ThemeForm(obj=theme)
    form.theme = theme
    return edit_page(
        form,
        "catalogue/theme_form.html",
        "catalogue/_theme_form.html",
        save=lambda data: ops.save_theme(theme, data, actor=current_user),
        done=lambda saved: (
            f"Thématique « {saved.name} » enregistrée.",
            url_for("catalogue.theme_detail", theme_id=saved.id),
        ),
        theme=theme,
    )


@bp.route("/admin/thematiques/<int:theme_id>")
@coordinator_required
def theme_detail(theme_id: int):
    theme = get_theme_or_404(theme_id)
    module_counts = (
        sa.select(Module.cycle_id, sa.func.count(Module.id).label("modules"))
        .group_by(Module.cycle_id)
        .subquery()
    )
    cycles = db.session.execute(
        sa.select(Cycle, sa.func.coalesce(module_counts.c.modules, 0))
        .outerjoin(module_counts, module_counts.c.cycle_id == Cycle.id)
        .where(Cycle.theme_id == theme.id)
        .order_by(Cycle.year.desc(), Cycle.title)
    ).all()
    return render_page("catalogue/theme_detail.html", theme=theme, cycles=cycles)


# Cycles and modules --------------------------------------------------------------------------


@bp.route("/admin/cycles")
@coordinator_required
def cycle_list():
    form = CycleFilterForm()
    select = sa.select(Cycle).options(so.joinedload(Cycle.theme))
    if form.q.data:
        select = select.where(contains(Cycle.title, form.q.data))
    if form.thematique.data:
        select = select.where(Cycle.theme_id == form.thematique.data)
    if form.annee.data:
        select = select.where(Cycle.year == form.annee.data)
    page = paginate(select.order_by(Cycle.year.desc(), Cycle.title, Cycle.id), form)
    years = db.session.scalars(sa.select(Cycle.year).distinct().order_by(Cycle.year.desc())).all()
    return render_page(
        "catalogue/cycle_list.html",
        "catalogue/_cycle_results.html",
        page=page,
        themes=theme_choices("Toutes les thématiques"),
        years=years,
        filters=form.filters,
    )


@bp.route("/admin/cycles/nouveau", methods=["GET", "POST"])
@bp.route("/admin/cycles/<int:cycle_id>/modifier", methods=["GET", "POST"])
@coordinator_required
def cycle_edit(cycle_id: int | None = None):
    cycle = get_cycle_or_404(cycle_id) if cycle_id else None
    form = CycleForm(obj=cycle)
    form.cycle = cycle
    form.theme_id.choices = choices_of(theme_choices())
    if cycle is None and request.method == "GET":
        form.theme_id.data = request.args.get("thematique", type=int)
        form.year.data = form.year.data or to_local(utcnow()).year
    return edit_page(
        form,
        "catalogue/cycle_form.html",
        "catalogue/_cycle_form.html",
        save=lambda data: ops.save_cycle(cycle, data, actor=current_user),
        done=lambda saved: (
            f"Cycle « {saved.title} » enregistré.",
            url_for("catalogue.cycle_detail", cycle_id=saved.id),
        ),
        cycle=cycle,
    )


def render_cycle(
    cycle: Cycle,
    module_form: ModuleForm,
    *,
    status: int = 200,
    fragment: str = "catalogue/_module_form.html",
):
    session_counts = dict(
        db.session.execute(
            sa.select(TrainingSession.module_id, sa.func.count(TrainingSession.id))
            .join(Module, Module.id == TrainingSession.module_id)
            .where(Module.cycle_id == cycle.id)
            .group_by(TrainingSession.module_id)
        ).all()
    )
    return render_page(
        "catalogue/cycle_detail.html",
        fragment,
        cycle=cycle,
        module=None,
        module_form=module_form,
        module_action=url_for("catalogue.module_add", cycle_id=cycle.id),
        session_counts=session_counts,
        status=status,
    )


@bp.route("/admin/cycles/<int:cycle_id>")
@coordinator_required
def cycle_detail(cycle_id: int):
    cycle = get_cycle_or_404(cycle_id)
    return render_cycle(cycle, ModuleForm(formdata=None))


@bp.route("/admin/cycles/<int:cycle_id>/modules", methods=["POST"])
@coordinator_required
def module_add(cycle_id: int):
    cycle = get_cycle_or_404(cycle_id)
    form = ModuleForm()
    if form.validate_on_submit():
        module = ops.save_module(None, form.data, actor=current_user, cycle=cycle)
        db.session.commit()
        flash(f"Module « {module.title} » ajouté.", "success")
        return navigate(url_for("catalogue.cycle_detail", cycle_id=cycle.id) + "#modules")
    return render_cycle(cycle, form, status=422)


@bp.route("/admin/modules/<int:module_id>/modifier", methods=["GET", "POST"])
@coordinator_required
def module_edit(module_id: int):
    module = get_module_or_404(module_id)
    form = ModuleForm(obj=module)
    if form.validate_on_submit():
        ops.save_module(module, form.data, actor=current_user)
        db.session.commit()
        flash(f"Module « {module.title} » enregistré.", "success")
        return navigate(url_for("catalogue.cycle_detail", cycle_id=module.cycle_id) + "#modules")
    return render_page(
        "catalogue/module_form.html",
        "catalogue/_module_form.html",
        module_form=form,
        module_action=url_for("catalogue.module_edit", module_id=module.id),
        module=module,
        cycle=module.cycle,
        status=form_status(form),
    )


@bp.route("/admin/modules/<int:module_id>/deplacer", methods=["POST"])
@coordinator_required
def module_move(module_id: int):
    module = get_module_or_404(module_id)
    direction = request.form.get("sens")
    if direction not in ("haut", "bas"):
        abort(400)
    ops.move_module(module, -1 if direction == "haut" else 1, actor=current_user)
    db.session.commit()
    cycle = get_cycle_or_404(module.cycle_id)
    if wants_fragment():
        return render_cycle(
            cycle, ModuleForm(formdata=None), fragment="catalogue/_module_list.html"
        )
    return see_other(url_for("catalogue.cycle_detail", cycle_id=cycle.id) + "#modules")


# Sessions ------------------------------------------------------------------------------------


@bp.route("/admin/sessions")
@coordinator_required
def session_list():
    form = SessionFilterForm()
    filters = form.filters
    select = sa.select(TrainingSession).options(
        so.joinedload(TrainingSession.theme),
        so.joinedload(TrainingSession.host_centre),
        so.joinedload(TrainingSession.department),
    )
    if query := filters["q"]:
        centres = sa.select(Centre.id).where(contains(Centre.name, query))
        select = select.where(
            sa.or_(
                contains(TrainingSession.title, query),
                contains(TrainingSession.town, query),
                TrainingSession.host_centre_id.in_(centres),
            )
        )
    if filters["statut"]:
        select = select.where(TrainingSession.status == SessionStatus(filters["statut"]))
    if filters["type"]:
        select = select.where(TrainingSession.kind == SessionKind(filters["type"]))
    if filters["thematique"]:
        select = select.where(TrainingSession.theme_id == filters["thematique"])
    if filters["departement"]:
        select = select.where(TrainingSession.department_id == filters["departement"])
    period = filters["periode"]
    now = utcnow()
    undated_first = sa.case((TrainingSession.starts_at.is_(None), 0), else_=1)
    if period == "a-venir":
        select = select.where(
            sa.or_(TrainingSession.ends_at >= now, TrainingSession.starts_at.is_(None))
        ).order_by(undated_first, TrainingSession.starts_at, TrainingSession.id)
    elif period == "passees":
        select = select.where(TrainingSession.ends_at < now).order_by(
            TrainingSession.starts_at.desc(), TrainingSession.id.desc()
        )
    else:
        select = select.order_by(
            undated_first, TrainingSession.starts_at.desc(), TrainingSession.id.desc()
        )
    page = paginate(select, form)
    return render_page(
        "catalogue/session_list.html",
        "catalogue/_session_results.html",
        page=page,
        themes=theme_choices("Toutes les thématiques"),
        departments=department_choices("Tous les départements"),
        statuses=SessionStatus,
        kinds=SessionKind,
        periods=PERIODS,
        filters=filters,
    )


@bp.route("/admin/sessions/nouvelle", methods=["GET", "POST"])
@bp.route("/admin/sessions/<int:session_id>/modifier", methods=["GET", "POST"])
@coordinator_required
def session_edit(session_id: int | None = None):
    session = (
        get_session_or_404(session_id, current_user, options=ADMIN_SESSION_OPTIONS)
        if session_id
        else None
    )
    if session is not None and session.status not in ops.EDITABLE_STATUSES:
        flash(f"Une session {session.status.label.lower()} ne se modifie plus.", "error")
        return see_other(url_for("catalogue.session_detail", session_id=session.id))
    form = SessionForm(obj=session)
    form.session = session
    form.fill_choices(session)
    if request.method == "GET":
        if session is not None:
            form.trainer_ids.data = [trainer.id for trainer in session.trainers]
            if session.enrolment_deadline:
                form.enrolment_deadline.data = to_local(session.enrolment_deadline).replace(
                    tzinfo=None
                )
        else:
            form.module_id.data = request.args.get("module", type=int)
    if form.validate_on_submit():
        try:
            if session is None:
                session = ops.create_session(form.data, actor=current_user)
                message = f"Session « {session.title} » créée en brouillon : ajoutez ses séances."
            else:
                ops.update_session(session, form.data, actor=current_user)
                message = f"Session « {session.title} » enregistrée."
        except ops.CatalogueError as error:
            flash(str(error), "error")
            db.session.rollback()
        else:
            db.session.commit()
            flash(message, "success")
            return navigate(url_for("catalogue.session_detail", session_id=session.id))
    return render_page(
        "catalogue/session_form.html",
        "catalogue/_session_form.html",
        form=form,
        session=session,
        status=form_status(form),
    )


def render_session(session: TrainingSession, seance_form: SeanceForm, *, status: int = 200):
    # The roster belongs to the enrolment room, above this one: link to it only if it is there.
    roster_url = (
        url_for("enrolment.roster", session_id=session.id)
        if "enrolment.roster" in current_app.view_functions
        else None
    )
    return render_page(
        "catalogue/session_detail.html",
        "catalogue/_seance_form.html",
        session=session,
        seance_form=seance_form,
        seance_action=url_for("catalogue.seance_add", session_id=session.id),
        roster_url=roster_url,
        status=status,
    )


@bp.route("/admin/sessions/<int:session_id>")
@coordinator_required
def session_detail(session_id: int):
    session = get_session_or_404(session_id, current_user, options=ADMIN_SESSION_OPTIONS)
    return render_session(session, SeanceForm(formdata=None))


def session_action(session_id: int, operation, success: str, *, back: str | None = None):
    session = get_session_or_404(session_id, current_user, options=ADMIN_SESSION_OPTIONS)
    try:
        operation(session, actor=current_user)
    except ops.CatalogueError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(success.format(title=session.title), "success")
    return navigate(back or url_for("catalogue.session_detail", session_id=session_id))


@bp.route("/admin/sessions/<int:session_id>/publier", methods=["GET", "POST"])
@coordinator_required
def session_publish(session_id: int):
    """Publish a draft; one without trainer, place or séance asks first (GET, or a POST
    from a page that did not know yet)."""
    session = get_session_or_404(session_id, current_user, options=ADMIN_SESSION_OPTIONS)
    missing = session.missing_for_publication if session.status == SessionStatus.DRAFT else []
    back = back_to(url_for("catalogue.session_detail", session_id=session.id))
    form = ConfirmForm()
    del form.reason  # nobody is enrolled in a draft: no e-mail
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        confirmed = request.form.get("confirme") == "oui"
        if confirmed or not missing:
            return session_action(
                session_id,
                partial(ops.publish_session, confirmed=confirmed),
                "Session « {title} » publiée : les inscriptions sont ouvertes.",
                back=back,
            )
    if not missing:
        return see_other(back)
    text = [f"Cette session n'a {', '.join(missing)}. Elle sera visible de tous dans le catalogue."]
    if "aucune séance" in missing:
        text.append(
            "Sans séance, elle n'a pas de date : les listes du catalogue ne la montrent qu'à "
            "partir de sa première séance."
        )
    return render_confirmation(
        form,
        title=f"Publier « {session.title} » quand même ?",
        text=text,
        action=url_for("catalogue.session_publish", session_id=session.id),
        yes="Oui, publier quand même",
        back=back,
        hidden={"confirme": "oui"},
    )


@bp.route("/admin/sessions/<int:session_id>/annuler", methods=["GET", "POST"])
@coordinator_required
def session_cancel(session_id: int):
    """Cancel a session, after a confirmation (GET) that takes the reason told by e-mail."""
    session = get_session_or_404(session_id, current_user, options=ADMIN_SESSION_OPTIONS)
    back = back_to(url_for("catalogue.session_detail", session_id=session.id))
    if session.status not in ops.EDITABLE_STATUSES:
        flash("Cette session ne peut plus être annulée.", "error")
        return see_other(back)
    published = session.status == SessionStatus.PUBLISHED
    form = ConfirmForm()
    if not published:
        del form.reason  # a draft has nobody to tell
    if form.validate_on_submit():
        reason = form.reason.data if published else ""
        cancel = partial(ops.cancel_session, reason=reason or "")
        return session_action(session_id, cancel, "Session « {title} » annulée.", back=back)
    told = "Les personnes inscrites sont prévenues par e-mail, avec le motif si vous en donnez "
    told += "un, et leurs agendas se mettent à jour."
    return render_confirmation(
        form,
        title=f"Annuler la session « {session.title} » ?",
        text=[
            "La session et ses séances restent visibles, marquées « Annulée ». "
            "Cette action ne peut pas être défaite.",
            *([told] if published else []),
        ],
        action=url_for("catalogue.session_cancel", session_id=session.id),
        yes="Oui, annuler la session",
        back=back,
        status=form_status(form),
    )


# Séances -------------------------------------------------------------------------------------


@bp.route("/admin/sessions/<int:session_id>/seances", methods=["POST"])
@coordinator_required
def seance_add(session_id: int):
    session = get_session_or_404(session_id, current_user, options=ADMIN_SESSION_OPTIONS)
    form = SeanceForm()
    if form.validate_on_submit():
        starts_at, ends_at = (from_local(value) for value in form.local_span())
        try:
            ops.add_seance(session, starts_at, ends_at, actor=current_user)
        except ops.CatalogueError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Séance ajoutée.", "success")
        return navigate(url_for("catalogue.session_detail", session_id=session.id) + "#seances")
    return render_session(session, form, status=422)


@bp.route("/admin/seances/<int:seance_id>/modifier", methods=["GET", "POST"])
@coordinator_required
def seance_edit(seance_id: int):
    seance = get_seance_or_404(seance_id)
    session = seance.session
    form = SeanceForm()
    if request.method == "GET":
        start, end = to_local(seance.starts_at), to_local(seance.ends_at)
        form.day.data, form.start_time.data, form.end_time.data = (
            start.date(),
            start.time().replace(second=0, microsecond=0),
            end.time().replace(second=0, microsecond=0),
        )
    if form.validate_on_submit():
        starts_at, ends_at = (from_local(value) for value in form.local_span())
        try:
            changed = ops.update_seance(
                seance, starts_at, ends_at, actor=current_user, reason=form.reason.data or ""
            )
        except ops.CatalogueError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Séance déplacée." if changed else "Rien n'a changé.", "success")
        return navigate(url_for("catalogue.session_detail", session_id=session.id) + "#seances")
    return render_page(
        "catalogue/seance_form.html",
        "catalogue/_seance_form.html",
        seance=seance,
        session=session,
        seance_form=form,
        seance_action=url_for("catalogue.seance_edit", seance_id=seance.id),
        status=form_status(form),
    )


def seance_action(seance_id: int, operation, success: str):
    seance = get_seance_or_404(seance_id)
    session_id = seance.session_id
    try:
        operation(seance, actor=current_user)
    except ops.CatalogueError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return navigate(url_for("catalogue.session_detail", session_id=session_id) + "#seances")


@bp.route("/admin/seances/<int:seance_id>/annuler", methods=["GET", "POST"])
@coordinator_required
def seance_cancel(seance_id: int):
    """Ask for the optional reason, then cancel: the people are told, with the reason."""
    form = SeanceCancelForm()
    if request.method == "POST" and form.validate_on_submit():
        reason = form.reason.data or ""
        return seance_action(
            seance_id,
            lambda seance, actor: ops.cancel_seance(seance, actor=actor, reason=reason),
            "Séance annulée.",
        )
    seance = get_seance_or_404(seance_id)
    return render_page(
        "catalogue/seance_cancel.html",
        seance=seance,
        session=seance.session,
        form=form,
        status=form_status(form),
    )


@bp.route("/admin/seances/<int:seance_id>/retablir", methods=["POST"])
@coordinator_required
def seance_restore(seance_id: int):
    return seance_action(seance_id, ops.restore_seance, "Séance rétablie.")


@bp.route("/admin/seances/<int:seance_id>/supprimer", methods=["POST"])
@coordinator_required
def seance_delete(seance_id: int):
    return seance_action(seance_id, ops.delete_seance, "Séance supprimée.")
