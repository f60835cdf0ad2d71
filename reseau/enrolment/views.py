"""Views of the enrolment room: the enrol button, "Mes formations", the centre's enrolments
and the coordinator's roster of a session."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from reseau.accounts.access import (
    can_manage_person,
    coordinator_required,
    manager_required,
)
from reseau.accounts.models import Centre, User, UserStatus
from reseau.adjustments import operations as adjustment_ops
from reseau.adjustments import queries as adjustment_queries
from reseau.catalogue.models import PromotionMode, SessionStatus, TrainingSession
from reseau.catalogue.queries import get_session_or_404
from reseau.core.database import utcnow
from reseau.core.downloads import csv_download
from reseau.core.extensions import db
from reseau.core.forms import ConfirmForm
from reseau.core.i18n import ngettext, to_local
from reseau.core.lists import PAGE_SIZE, ListPage
from reseau.core.web import (
    back_to,
    form_status,
    render_confirmation,
    render_page,
    safe_next,
    see_other,
    wants_fragment,
)
from reseau.enrolment import bp, operations, queries
from reseau.enrolment.forms import (
    ActionForm,
    CapacityForm,
    CentreEnrolmentsFilterForm,
    EnrolForm,
    EnrolMemberForm,
    EnrolPersonByEmailForm,
)
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.enrolment.operations import EnrolmentError, OverlapNeedsConfirmation
from reseau.enrolment.queries import get_enrolment_or_404, get_managed_enrolment_or_404
from reseau.enrolment.signals import my_enrolments_shown

# The séances, for the enrol/cancel component (overlaps, dates).
SEANCES = (so.selectinload(TrainingSession.seances),)
# Enrolling: also what the e-mail and its invitation say of the place, theme and module, in
# the same statement (read before the session's lock, not under it).
ENROLLING = (
    *SEANCES,
    so.joinedload(TrainingSession.host_centre),
    so.joinedload(TrainingSession.theme),
    so.joinedload(TrainingSession.module),
)
# ``enrolment_context(adjustment=…)`` not given: read the person's request.
_NOT_READ = object()

DOUBLE_CLICK = "Cette demande a déjà été enregistrée : votre inscription est prise en compte."


# --- Reading helpers ---------------------------------------------------------------------


def enrolment_context(
    session: TrainingSession,
    *,
    error: str | None = None,
    overlap=None,
    form: EnrolForm | None = None,
    enrolled: operations.Enrolled | None = None,
    adjustment=_NOT_READ,
    left: int | None = None,
):
    """Everything the enrol/cancel component needs for the current visitor; ``enrolled``:
    what an enrolment just counted (its seats and position), instead of counting again;
    ``adjustment``: the person's adjustment request when already known (None: none);
    ``left``: the seats left when already read."""
    enrolment = None
    position = None
    if enrolled is not None:
        enrolment, position = enrolled.enrolment, enrolled.position
    elif current_user.is_authenticated:
        enrolment = operations.get_enrolment(session, current_user)
        if enrolment is not None:
            position = operations.waitlist_position(enrolment)
    if adjustment is _NOT_READ:
        adjustment = None
        if current_user.is_authenticated:
            adjustment = adjustment_queries.request_for(current_user, session.id)
    if left is None:
        left = enrolled.seats_left if enrolled is not None else operations.seats_left(session)
    now = utcnow()
    return {
        "session": session,
        "enrolment": enrolment,
        "position": position,
        "left": left,
        "open": session.enrolment_open(now),
        "deadline_passed": session.enrolment_deadline_passed(now),
        "started": session.has_started(now),
        "error": error,
        "overlap": overlap,
        # The person's own adjustment request (they alone see it here), and the form that
        # keeps what they typed when it comes back with an error.
        "adjustment": adjustment,
        "enrol_form": form or (EnrolForm(formdata=None) if current_user.is_authenticated else None),
        "visio_link": session.visio_url
        if current_user.is_authenticated
        and operations.sees_visio_link(current_user, session, enrolment)
        else "",
    }


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session loaded: the answer that follows shows the
    rows as this transaction wrote them, without reading them again (on SQLite a read after
    the commit would begin a new write transaction, and queue behind the other writers)."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def manager_enrol_form(session: TrainingSession, formdata=None):
    """The form a referent (their centre's members) or a coordinator (anyone) enrols with."""
    if not current_user.is_authenticated or session.status != SessionStatus.PUBLISHED:
        return None
    if current_user.is_coordinator:
        form = EnrolPersonByEmailForm(formdata=formdata)
        form.adjustment.id = "person-adjustment"  # the page's own enrol form has "adjustment"
        return form
    if current_user.is_referent:
        members = db.session.scalars(
            sa.select(User)
            .where(
                User.centre_id == current_user.centre_id,
                User.status.in_((UserStatus.ACTIVE, UserStatus.INVITED, UserStatus.GUEST)),
            )
            .order_by(User.last_name, User.first_name)
        ).all()
        form = EnrolMemberForm(formdata=formdata, members=members)
        form.adjustment.id = "person-adjustment"
        return form
    return None


def _refused_request(session: TrainingSession, form: EnrolForm):
    """An adjustment request too long: the page (or component) again, with what was typed
    and the message next to the field; nothing is enrolled."""
    context = enrolment_context(session, form=form)
    if wants_fragment():
        return render_page(
            "enrolment/_enrol_button.html", "enrolment/_enrol_button.html", status=422, **context
        )
    return render_page(
        "enrolment/public_session.html",
        status=422,
        enrol_person_form=manager_enrol_form(session),
        **page_context(session),
        **context,
    )


def page_context(session: TrainingSession, contacts=None) -> dict:
    """What a session page shows besides the component: the référent·es handicap to contact
    (``contacts``: when already read)."""
    if contacts is None:
        contacts = adjustment_queries.disability_contacts()
    return {"adjustment_contacts": contacts}


def _component(session: TrainingSession, *, status: int = 200, **kwargs):
    """Answer htmx with the enrol component, a plain form post with 303 to the session page."""
    if wants_fragment():
        return render_page(
            "enrolment/_enrol_button.html",
            "enrolment/_enrol_button.html",
            status=status,
            **enrolment_context(session, **kwargs),
        )
    form = kwargs.get("form")
    if kwargs.get("overlap") is not None and form is not None and form.adjustment.data:
        # The confirming button must carry the request typed: the page itself, not a redirect.
        return render_page(
            "enrolment/public_session.html",
            status=status,
            enrol_person_form=manager_enrol_form(session),
            **page_context(session),
            **enrolment_context(session, **kwargs),
        )
    if kwargs.get("overlap") is not None:
        flash(kwargs["error"], "warning")
        return see_other(url_for("enrolment.public_session", session_id=session.id, overlap=1))
    if kwargs.get("error"):
        flash(kwargs["error"], "error")
    return see_other(url_for("enrolment.public_session", session_id=session.id))


@bp.app_template_global()
def seat_counts(sessions) -> dict[int, tuple[int, int]]:
    """{session id: (places taken, waitlist length)}, for the coordinator's sessions list
    (the catalogue room, below this one, shows it when this room is there)."""
    return operations.seats_and_waitlists(session.id for session in sessions)


def _enrolled_message(enrolled: operations.Enrolled) -> str:
    status = enrolled.enrolment.status
    if status == EnrolmentStatus.CONFIRMED:
        return "Votre inscription est confirmée. Un e-mail de confirmation vous a été envoyé."
    if status == EnrolmentStatus.PENDING:
        return "Votre demande est transmise à votre centre, qui doit la valider."
    return (
        "La session est complète : vous êtes sur la liste d'attente, "
        f"en position {enrolled.position}."
    )


# --- The participant's own enrolments ----------------------------------------------------


@bp.route("/catalogue/sessions/<int:session_id>/inscription", methods=["POST"])
@login_required
def enrol(session_id: int):
    session = get_session_or_404(session_id, current_user, options=ENROLLING)
    form = EnrolForm()
    if not form.validate_on_submit():
        if not form.adjustment.errors:
            abort(400)
        return _refused_request(session, form)
    try:
        enrolled = operations.enrol_counted(
            current_user, session, actor=current_user, confirm_overlap=form.confirm_overlap.data
        )
        adjustment = adjustment_ops.record_request(
            current_user, session, form.adjustment.data, actor=current_user
        )
        if adjustment is None and not enrolled.first:
            # Read before the commit (on SQLite, a read after it would begin another write
            # transaction). A request is only ever made with an enrolment: a first one has
            # none but what was just recorded.
            adjustment = adjustment_queries.request_for(current_user, session.id)
        commit_keeping_loaded()
    except OverlapNeedsConfirmation as refusal:
        db.session.rollback()
        return _component(
            session, status=409, error=refusal.message, overlap=refusal.other, form=form
        )
    except EnrolmentError as refusal:
        db.session.rollback()
        return _component(session, status=409, error=refusal.message, form=form)
    except IntegrityError:
        # Two clicks at once: the unique (session, person) constraint kept only one.
        db.session.rollback()
        return _component(session, status=409, error=DOUBLE_CLICK)
    if not wants_fragment():
        flash(_enrolled_message(enrolled), "success")
    return _component(enrolled.enrolment.session, enrolled=enrolled, adjustment=adjustment)


@bp.route("/catalogue/sessions/<int:session_id>/desinscription", methods=["POST"])
@login_required
def cancel_own(session_id: int):
    session = get_session_or_404(session_id, current_user, options=SEANCES)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    enrolment = operations.get_enrolment(session, current_user)
    if enrolment is None:
        abort(404)
    try:
        operations.cancel(enrolment, actor=current_user)
        db.session.commit()
    except EnrolmentError as refusal:
        db.session.rollback()
        return _component(session, status=409, error=refusal.message)
    if not wants_fragment():
        flash("Votre inscription est annulée.", "success")
    return _component(session)


@bp.route("/inscriptions/<int:enrolment_id>/accepter", methods=["POST"])
@login_required
def accept_offer(enrolment_id: int):
    enrolment = get_enrolment_or_404(enrolment_id)
    if enrolment.person_id != current_user.id:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    session = enrolment.session
    try:
        operations.accept_offer(enrolment, actor=current_user)
        db.session.commit()
    except EnrolmentError as refusal:
        db.session.rollback()
        if wants_fragment():
            return _component(session, status=409, error=refusal.message)
        flash(refusal.message, "error")
    else:
        if wants_fragment():
            return _component(session)
        flash("C'est noté : la place est à vous, votre inscription est confirmée.", "success")
    return see_other(safe_next(form.next.data, url_for("enrolment.my_enrolments")))


@bp.route("/inscriptions/<int:enrolment_id>/annuler", methods=["GET", "POST"])
@login_required
def cancel_enrolment(enrolment_id: int):
    """Cancel an enrolment: one's own, a member's (referent) or anyone's (coordinator), after a
    confirmation (GET); someone else's cancellation can carry a reason told by e-mail."""
    enrolment = get_managed_enrolment_or_404(current_user, enrolment_id)
    own = enrolment.person_id == current_user.id
    back = back_to(url_for("enrolment.my_enrolments"))
    form = ConfirmForm()
    if own:
        del form.reason
    if form.validate_on_submit():
        reason = "" if own else form.reason.data or ""
        try:
            operations.cancel(enrolment, actor=current_user, reason=reason)
            db.session.commit()
            flash(f"L'inscription de {enrolment.person.full_name} est annulée.", "success")
        except EnrolmentError as refusal:
            db.session.rollback()
            flash(refusal.message, "error")
        return see_other(back)
    return render_confirmation(
        form,
        **_cancel_wording(enrolment, own),
        action=url_for("enrolment.cancel_enrolment", enrolment_id=enrolment.id),
        back=back,
        status=form_status(form),
    )


def _cancel_wording(enrolment: Enrolment, own: bool) -> dict:
    session, person = enrolment.session, enrolment.person
    waiting = enrolment.status == EnrolmentStatus.WAITLISTED
    if own:
        title = f"Annuler votre inscription à « {session.title} » ?"
    elif waiting:
        title = f"Retirer {person.full_name} de la liste d'attente de « {session.title} » ?"
    else:
        title = f"Annuler l'inscription de {person.full_name} à « {session.title} » ?"
    # Where the seat goes: the waiting list only when someone is on it, as this session gives it.
    queue = [] if waiting else operations.waitlist(session)
    if waiting:
        goes = ""
    elif not queue:
        goes = "place est libérée pour une autre personne."
    elif session.promotion_mode == PromotionMode.OFFER:
        goes = "place est proposée à la première personne de la liste d'attente."
    else:
        goes = "place revient à la première personne de la liste d'attente."
    text = [f"Sa {goes}"] if goes else []
    if own:
        text = [f"Votre {goes}"] if goes else []
    else:
        text.append(
            f"{person.first_name} reçoit un e-mail qui le lui dit, avec le motif si vous en "
            "donnez un."
        )
    return {"title": title, "text": text, "yes": "Oui, retirer" if waiting else "Oui, annuler"}


@bp.route("/mes-formations")
@login_required
def my_enrolments():
    now = utcnow()
    enrolments = queries.my_enrolments(current_user.id)
    seances = {e.session_id: e.seances for e in enrolments}
    upcoming, past = [], []
    for e in enrolments:
        (upcoming if e.session.ends_at is None or e.session.ends_at >= now else past).append(e)
    upcoming.reverse()
    positions = queries.waitlist_positions(
        [e for e in upcoming if e.status == EnrolmentStatus.WAITLISTED]
    )
    sections = {}
    person = current_user._get_current_object()
    for _, section in my_enrolments_shown.send(current_app._get_current_object(), person=person):
        sections.update(section or {})
    return render_page(
        "enrolment/my_enrolments.html",
        upcoming=upcoming,
        past=past,
        positions=positions,
        adjustments={e.session_id: e.adjustment for e in enrolments if e.adjustment},
        now=now,
        seances=seances,
        **sections,
    )


# --- Referents and coordinators enrol people ---------------------------------------------


@bp.route("/catalogue/sessions/<int:session_id>/inscrire", methods=["POST"])
@manager_required
def enrol_person(session_id: int):
    session = get_session_or_404(session_id, current_user, options=SEANCES)
    back = url_for("enrolment.public_session", session_id=session.id)
    form = manager_enrol_form(session, formdata=request.form)
    if form is None:
        flash("Cette session n'est pas ouverte aux inscriptions.", "error")
        return see_other(back)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return see_other(back)
    if isinstance(form, EnrolPersonByEmailForm):
        person = db.session.scalar(sa.select(User).where(User.email == form.email.data.lower()))
        if person is None:
            flash("Aucune personne n'a cette adresse e-mail dans Réseau.", "error")
            return see_other(back)
    else:
        person = db.session.get(User, form.person.data)
        if person is None or not can_manage_person(current_user, person):
            abort(404)
    try:
        enrolment = operations.enrol(
            person, session, actor=current_user, confirm_overlap=form.confirm_overlap.data
        )
        adjustment_ops.record_request(person, session, form.adjustment.data, actor=current_user)
        db.session.commit()
    except EnrolmentError as refusal:
        db.session.rollback()
        flash(f"{person.full_name} : {refusal.message}", "error")
        return see_other(back)
    except IntegrityError:
        db.session.rollback()
        flash(f"{person.full_name} est déjà inscrit·e à cette session.", "error")
        return see_other(back)
    flash(f"{person.full_name} : {enrolment.status.label.lower()}.", "success")
    return see_other(back)


# --- The referent's view of their centre -------------------------------------------------


_SENTINEL = 987654321


def _id_link(endpoint: str, key: str, **values) -> tuple[str, str]:
    """The link to ``endpoint`` for any ``key`` (an id) as the text around it: a list of
    200 lines builds its links by joining strings, not by walking the URL map per line."""
    head, _, tail = url_for(endpoint, **{key: _SENTINEL}, **values).partition(str(_SENTINEL))
    return head, tail


def _centre_for(actor: User, form: CentreEnrolmentsFilterForm) -> Centre | None:
    """The centre whose enrolments ``actor`` looks at: their own, or any for a coordinator."""
    if actor.is_coordinator:
        centre_id = form.centre.data
        if centre_id:
            return db.get_or_404(Centre, centre_id)
        return None
    return db.session.get(Centre, actor.centre_id)


@bp.route("/centre/inscriptions")
@manager_required
def centre_enrolments():
    form = CentreEnrolmentsFilterForm()
    centre = _centre_for(current_user, form)
    centre_id = centre.id if centre is not None else None
    now = utcnow()
    # Plain rows, not ORM objects: the list shows names, titles and dates only.
    pending = queries.centre_lines(centre_id, now, pending=True, limit=200)
    number, size = form.page.data, PAGE_SIZE
    items, total = queries.centre_page_lines(centre_id, now, limit=size, offset=(number - 1) * size)
    here = request.full_path
    return render_page(
        "enrolment/centre_enrolments.html",
        centre=centre,
        pending=pending,
        page=ListPage(items, total, number, size),
        links={
            "session": _id_link("enrolment.public_session", "session_id"),
            "approve": _id_link("enrolment.approve", "enrolment_id"),
            "decline": _id_link("enrolment.decline", "enrolment_id"),
            "cancel": _id_link("enrolment.cancel_enrolment", "enrolment_id", next=here),
        },
        here=here,
    )


def _decide(enrolment_id: int, approving: bool):
    enrolment = get_enrolment_or_404(enrolment_id)
    # Only the person's centre (or the coordinator) decides; others do not see it at all.
    if not can_manage_person(current_user, enrolment.person):
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    name = enrolment.person.full_name
    try:
        if approving:
            operations.approve(enrolment, actor=current_user)
            message = f"Inscription de {name} validée."
        else:
            # Mention the waiting list only when someone is on it.
            waiting = bool(operations.waitlist(enrolment.session))
            operations.decline(enrolment, actor=current_user)
            message = f"Demande de {name} refusée ; " + (
                "la place revient à la liste d'attente." if waiting else "la place est libérée."
            )
        db.session.commit()
        flash(message, "success")
    except EnrolmentError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    return see_other(safe_next(form.next.data, url_for("enrolment.centre_enrolments")))


@bp.route("/inscriptions/<int:enrolment_id>/valider", methods=["POST"])
@manager_required
def approve(enrolment_id: int):
    return _decide(enrolment_id, approving=True)


@bp.route("/inscriptions/<int:enrolment_id>/refuser", methods=["POST"])
@manager_required
def decline(enrolment_id: int):
    return _decide(enrolment_id, approving=False)


# --- The coordinator's roster -------------------------------------------------------------


@bp.route("/admin/sessions/<int:session_id>/inscrits", methods=["GET", "POST"])
@coordinator_required
def roster(session_id: int):
    session = get_session_or_404(session_id, current_user, options=SEANCES)
    capacity_form = CapacityForm(obj=session)
    status = 200
    if capacity_form.validate_on_submit():
        try:
            promoted = operations.change_capacity(
                session, capacity_form.capacity.data, actor=current_user
            )
            db.session.commit()
        except EnrolmentError as refusal:
            db.session.rollback()
            capacity_form.capacity.errors.append(refusal.message)
            status = 422
        else:
            message = ngettext(
                "Capacité enregistrée : %(num)s place.",
                "Capacité enregistrée : %(num)s places.",
                session.capacity,
            )
            if promoted:
                message += " " + ngettext(
                    "%(num)s personne passe de la liste d'attente.",
                    "%(num)s personnes passent de la liste d'attente.",
                    len(promoted),
                )
            flash(message, "success")
            return see_other(url_for("enrolment.roster", session_id=session.id))
    elif capacity_form.errors:
        status = 422
    groups = queries.roster_groups(session)
    return render_page(
        "enrolment/roster.html",
        session=session,
        groups=groups,
        left=max(session.capacity - len(groups["holding"]), 0),
        capacity_form=capacity_form,
        form=ActionForm(formdata=None),
        status=status,
    )


@bp.route(
    "/admin/sessions/<int:session_id>/inscrits/<int:enrolment_id>/confirmer", methods=["POST"]
)
@coordinator_required
def move_from_waitlist(session_id: int, enrolment_id: int):
    enrolment = get_enrolment_or_404(enrolment_id)
    if enrolment.session_id != session_id:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        grew = operations.move_from_waitlist(enrolment, actor=current_user)
        db.session.commit()
    except EnrolmentError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        message = f"{enrolment.person.full_name} est inscrit·e."
        if grew:
            message += " " + ngettext(
                "La capacité passe à %(num)s place.",
                "La capacité passe à %(num)s places.",
                enrolment.session.capacity,
            )
        flash(message, "success")
    return see_other(url_for("enrolment.roster", session_id=session_id))


@bp.route("/admin/sessions/<int:session_id>/inscrits.csv")
@coordinator_required
def roster_csv(session_id: int):
    session = get_session_or_404(session_id, current_user, options=SEANCES)
    groups = queries.roster_groups(session)
    rows = [(e, None) for e in groups["holding"]]
    rows += [(e, index) for index, e in enumerate(groups["waitlisted"], start=1)]
    rows += [(e, None) for e in groups["cancelled"]]
    return csv_download(
        f"inscrits-session-{session.id}.csv",
        [
            "Statut",
            "Position",
            "Nom",
            "Prénom",
            "E-mail",
            "Centre",
            "Catégorie",
            "Précision",
            "Inscrit·e le",
        ],
        (
            [
                enrolment.status.label,
                position or "",
                enrolment.person.last_name,
                enrolment.person.first_name,
                enrolment.person.email or "",
                enrolment.person.centre.name if enrolment.person.centre else "",
                enrolment.person.category.label,
                enrolment.person.sub_category,
                to_local(enrolment.queued_at).strftime("%d/%m/%Y %H:%M"),
            ]
            for enrolment, position in rows
        ),
    )
