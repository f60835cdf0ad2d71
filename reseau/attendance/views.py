"""Views of the attendance room.

Trainers: "Mes sessions", the roster of a séance (one tap per person), walk-ins, the QR code
for self check-in, the sign-in sheet, closing the session, the feedback results.
Participants: self check-in, their attendance certificate and their feedback.
The coordinator: everything a trainer can, on every session, also after closing (audited).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, current_app, flash, request, url_for
from flask_login import current_user, login_required

from reseau.accounts.access import coordinator_required, trainer_required
from reseau.accounts.models import Category, Centre, User
from reseau.attendance import bp, checkin, operations
from reseau.attendance.forms import ActionForm, FeedbackForm, GuestForm, WalkInSearchForm
from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.attendance.operations import AttendanceError
from reseau.attendance.queries import (
    SESSION_OPTIONS,
    attended_sessions,
    get_own_closed_session_or_404,
    get_roster_seance_or_404,
    get_trainer_seance_or_404,
    get_trainer_session_or_404,
    hours_attended,
    roster_page_seance_or_404,
    roster_rows,
    search_people,
)
from reseau.catalogue.models import Seance, SeanceStatus, SessionStatus, TrainingSession
from reseau.core.database import utcnow
from reseau.core.downloads import pdf_download
from reseau.core.extensions import db, limiter
from reseau.core.forms import ConfirmForm
from reseau.core.http import session_reader
from reseau.core.i18n import ngettext, to_local, today_paris
from reseau.core.web import (
    back_to,
    form_status,
    render_confirmation,
    render_page,
    see_other,
    wants_fragment,
)
from reseau.enrolment.signals import my_enrolments_shown
from reseau.outbox.queue import external_url

# --- Reading helpers ---------------------------------------------------------------------


# --- "Mes sessions" ----------------------------------------------------------------------


@bp.route("/mes-sessions")
@trainer_required
def my_sessions():
    now = utcnow()
    today = today_paris(now)
    mine = (
        sa.select(TrainingSession)
        .options(*SESSION_OPTIONS)
        .where(
            TrainingSession.trainers.any(User.id == current_user.id),
            TrainingSession.status.in_((SessionStatus.PUBLISHED, SessionStatus.CLOSED)),
        )
    )
    # Today's and upcoming sessions, soonest first; then the latest past ones.
    start_of_today = now - timedelta(hours=24)
    current = db.session.scalars(
        mine.where(
            sa.or_(TrainingSession.ends_at.is_(None), TrainingSession.ends_at >= start_of_today)
        )
        .order_by(TrainingSession.starts_at)
        .limit(200)
    ).all()
    past = db.session.scalars(
        mine.where(TrainingSession.ends_at < start_of_today)
        .order_by(TrainingSession.ends_at.desc())
        .limit(50)
    ).all()
    groups = {"today": [], "upcoming": [], "past": []}
    for session in current:
        days = {s.day for s in session.seances if s.status == SeanceStatus.SCHEDULED}
        if today in days:
            groups["today"].append(session)
        elif session.ends_at is not None and session.ends_at < now:
            groups["past"].insert(0, session)
        else:
            groups["upcoming"].append(session)
    groups["past"].extend(past)
    return render_page("attendance/my_sessions.html", groups=groups, today=today, now=now)


@bp.route("/mes-sessions/<int:session_id>")
@trainer_required
def session_page(session_id: int):
    session = get_trainer_session_or_404(session_id, current_user)
    now = utcnow()
    end = operations.last_seance_end(session)
    enrolled = operations.roster(session.seances[0]).lines if session.seances else []
    return render_page(
        "attendance/session.html",
        session=session,
        lines=enrolled,
        hours=hours_attended(session),
        can_close=session.status == SessionStatus.PUBLISHED and (end is None or end <= now),
        last_end=end,
        today=today_paris(now),
        form=ActionForm(formdata=None),
    )


# --- The roster of a séance --------------------------------------------------------------


def _roster_context(seance, runs: bool | None = None, reader=None) -> dict:
    """What the roster and its parts show, of a ``Seance`` or a ``RosterSeance``; ``runs``:
    whether the viewer is one of the session's trainers, when already known; ``reader``: a
    ``RawReader`` to read the roster on (a page, nothing to flush)."""
    session = seance.session
    return {
        "seance": seance,
        "session": session,
        "roster": roster_rows(seance, reader),
        "editable": operations.can_record(current_user, session, runs=runs)
        and seance.status == SeanceStatus.SCHEDULED,
        "statuses": list(AttendanceStatus),
        # Each person's choices read these plain pairs, not the members' attributes (one
        # enum attribute read per status and line was a fifth of the roster's template).
        "status_choices": [(status.value, status.label) for status in AttendanceStatus],
    }


def _parse_status(value: str | None) -> AttendanceStatus | None:
    try:
        return AttendanceStatus(value) if value else None
    except ValueError:
        return None


@bp.route("/mes-sessions/seances/<int:seance_id>", methods=["GET", "POST"])
@trainer_required
def seance_roster(seance_id: int):
    """The roster of a séance; its POST is the form without JavaScript: the whole roster."""
    if request.method != "POST":
        # The séance and its lines as plain rows on the request's connection: the page only
        # reads them (ORM entity loading was a tenth of it).
        reader = session_reader()
        seance, runs = roster_page_seance_or_404(reader, seance_id, current_user)
        context = _roster_context(seance, runs, reader)
        return render_page("attendance/seance_roster.html", **context)
    seance = get_trainer_seance_or_404(seance_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    statuses = {}
    for key, value in request.form.items():
        if key.startswith("status-") and key[7:].isdigit():
            status = _parse_status(value)
            if status is not None:
                statuses[int(key[7:])] = status
    done, saved = _commit_or_flash(
        lambda: operations.save_roster(seance, statuses, actor=current_user)
    )
    if done:
        flash(
            ngettext(
                "Émargement enregistré (%(num)s changement).",
                "Émargement enregistré (%(num)s changements).",
                saved,
            ),
            "success",
        )
    return see_other(url_for("attendance.seance_roster", seance_id=seance.id))


@bp.route("/mes-sessions/seances/<int:seance_id>/personnes/<int:person_id>", methods=["POST"])
@trainer_required
def set_status(seance_id: int, person_id: int):
    """One tap: save one person's status; htmx gets the person's line back."""
    seance, runs = get_roster_seance_or_404(seance_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    person = operations.roster_person(seance, person_id)
    if person is None:
        abort(404)
    status = _parse_status(request.form.get(f"status-{person_id}") or request.form.get("status"))
    if status is None:
        return _marked(seance, runs, person_id, error="Choisissez un statut.", code=422)
    try:
        operations.set_status(seance, person, status, actor=current_user, runs=runs)
    except AttendanceError as refusal:
        db.session.rollback()
        return _marked(seance, runs, person_id, error=refusal.message, code=409)
    # The answer is drawn before the commit, from this transaction's own rows: after it every
    # object would be read again (the séance, its session, the trainer).
    answer = _marked(seance, runs, person_id)
    db.session.commit()
    return answer


def _marked(seance: Seance, runs: bool, person_id: int, *, error=None, code: int = 200):
    """The answer to a tap: without JavaScript back to the roster (the error flashed); with
    htmx the person's line, and the roster's counter out of band (the counts follow)."""
    if not wants_fragment():
        if error:
            flash(error, "error")
        return see_other(url_for("attendance.seance_roster", seance_id=seance.id))
    context = _roster_context(seance, runs)
    line = next(line for line in context["roster"].lines if line.person.id == person_id)
    return render_page(
        "attendance/_attendee_marked.html",
        "attendance/_attendee_marked.html",
        status=code,
        line=line,
        error=error,
        oob=True,
        **context,
    )


def _commit_or_flash(action):
    """Run ``action`` and commit; return ``(True, result)``.

    A refusal rolls back, flashes its French message and returns ``(False, None)``.
    """
    try:
        result = action()
        db.session.commit()
    except AttendanceError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return False, None
    return True, result


@bp.route("/mes-sessions/seances/<int:seance_id>/tous-presents", methods=["POST"])
@trainer_required
def all_present(seance_id: int):
    seance = get_trainer_seance_or_404(seance_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    done, marked = _commit_or_flash(lambda: operations.mark_all_present(seance, actor=current_user))
    if done:
        flash(
            ngettext(
                "%(num)s personne marquée présente.",
                "%(num)s personnes marquées présentes.",
                marked,
            ),
            "success",
        )
    return see_other(url_for("attendance.seance_roster", seance_id=seance.id))


# --- Walk-ins ----------------------------------------------------------------------------


def _centres() -> list[Centre]:
    return list(db.session.scalars(sa.select(Centre).order_by(Centre.name).limit(2000)))


def _walk_in_page(seance: Seance, guest_form: GuestForm, *, status: int = 200):
    query = WalkInSearchForm().q.data
    people = search_people(query) if query else []
    on_roster = {line.person.id for line in operations.roster(seance).lines}
    return render_page(
        "attendance/walk_in.html",
        "attendance/_walk_in_results.html",
        seance=seance,
        session=seance.session,
        query=query,
        people=people,
        on_roster=on_roster,
        guest_form=guest_form,
        form=ActionForm(formdata=None),
        status=status,
    )


@bp.route("/mes-sessions/seances/<int:seance_id>/sans-inscription", methods=["GET", "POST"])
@trainer_required
def walk_in(seance_id: int):
    """Find a person in the directory (GET ?q=) and add them (POST person_id)."""
    seance = get_trainer_seance_or_404(seance_id, current_user)
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        person = db.session.get(User, request.form.get("person_id", type=int) or 0)
        if person is None:
            abort(404)
        try:
            operations.add_walk_in(seance, person, actor=current_user)
            db.session.commit()
        except AttendanceError as refusal:
            db.session.rollback()
            flash(refusal.message, "error")
            return see_other(url_for("attendance.walk_in", seance_id=seance.id))
        flash(f"{person.full_name} est ajouté·e et marqué·e présent·e.", "success")
        return see_other(url_for("attendance.seance_roster", seance_id=seance.id))
    return _walk_in_page(seance, GuestForm(formdata=None, centres=_centres()))


@bp.route("/mes-sessions/seances/<int:seance_id>/invite", methods=["POST"])
@trainer_required
def add_guest(seance_id: int):
    """Create a person without an account and add them as a walk-in."""
    seance = get_trainer_seance_or_404(seance_id, current_user)
    form = GuestForm(centres=_centres())
    if not form.validate_on_submit():
        return _walk_in_page(seance, form, status=form_status(form))
    centre = db.session.get(Centre, form.centre.data) if form.centre.data else None
    try:
        guest = operations.add_guest(
            seance,
            form.first_name.data,
            form.last_name.data,
            centre,
            Category(form.category.data),
            actor=current_user,
        )
        db.session.commit()
    except AttendanceError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return see_other(url_for("attendance.seance_roster", seance_id=seance.id))
    flash(f"{guest.full_name} est ajouté·e et marqué·e présent·e.", "success")
    return see_other(url_for("attendance.seance_roster", seance_id=seance.id))


# --- Self check-in -----------------------------------------------------------------------


@bp.route("/mes-sessions/seances/<int:seance_id>/qr")
@trainer_required
def seance_qr(seance_id: int):
    seance = get_trainer_seance_or_404(seance_id, current_user)
    token = checkin.make_token(seance.id)
    # On BASE_URL, not the request's Host header (see outbox.queue.external_url).
    link = external_url("attendance.check_in", seance_id=seance.id, token=token)
    seconds = current_app.config.get("CHECKIN_TOKEN_SECONDS", checkin.TOKEN_SECONDS)
    return render_page(
        "attendance/qr.html",
        "attendance/_qr.html",
        seance=seance,
        session=seance.session,
        link=link,
        qr=checkin.qr_data_uri(link),
        valid_until=utcnow() + timedelta(seconds=seconds),
        refresh=max(seconds // 2, 30),
    )


def _checkin_limit() -> str:
    return current_app.config["RATELIMIT_CHECKIN"]


def _checkin_key() -> str:
    # Per person: a whole room behind one venue Wi-Fi address must not be refused, while one
    # account cannot try links endlessly. Anonymous requests only get the login page (the
    # token is not looked at), so they are not counted: a room logging in is never refused.
    return f"checkin-user-{current_user.id}"


@bp.route("/emargement/<int:seance_id>/<token>", methods=["GET", "POST"])
@limiter.limit(
    _checkin_limit,
    key_func=_checkin_key,
    exempt_when=lambda: not current_user.is_authenticated,
)
@login_required
def check_in(seance_id: int, token: str):
    """The link of the QR code: the logged-in participant confirms they are here.

    A GET never records anything (link previews and prefetching must not sign anyone in);
    the page's button does."""
    seance = db.session.get(Seance, seance_id)
    try:
        checkin.check_token(seance_id, token)
    except checkin.CheckinLinkError as refusal:
        return render_page(
            "attendance/check_in.html", seance=None, error=refusal.message, status=400
        )
    if seance is None:
        abort(404)
    record = db.session.scalar(
        sa.select(Attendance).where(
            Attendance.seance_id == seance.id, Attendance.person_id == current_user.id
        )
    )
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            operations.check_in(seance, current_user)
            db.session.commit()
        except AttendanceError as refusal:
            db.session.rollback()
            return render_page(
                "attendance/check_in.html",
                seance=seance,
                record=record,
                error=refusal.message,
                form=ActionForm(formdata=None),
                status=409,
            )
        flash("C'est noté : vous êtes enregistré·e présent·e. Bonne séance !", "success")
        return see_other(url_for("attendance.check_in", seance_id=seance.id, token=token))
    return render_page(
        "attendance/check_in.html",
        seance=seance,
        record=record,
        attended=record is not None and record.status in AttendanceStatus.ATTENDED,
        error=None,
        form=ActionForm(formdata=None),
    )


# --- Closing -----------------------------------------------------------------------------


@bp.route("/mes-sessions/<int:session_id>/cloturer", methods=["GET", "POST"])
@trainer_required
def close_session(session_id: int):
    """Close the session once it is over, after a confirmation (GET)."""
    session = get_trainer_session_or_404(session_id, current_user)
    back = back_to(url_for("attendance.session_page", session_id=session.id))
    form = ConfirmForm()
    del form.reason  # closing tells nobody anything but "give your feedback"
    if form.validate_on_submit():
        done, asked = _commit_or_flash(
            lambda: operations.close_session(session, actor=current_user)
        )
        if done:
            flash(
                f"Session « {session.title} » clôturée. "
                + ngettext(
                    "%(num)s participant·e reçoit une demande d'avis.",
                    "%(num)s participant·es reçoivent une demande d'avis.",
                    asked,
                ),
                "success",
            )
        return see_other(back)
    return render_confirmation(
        form,
        title=f"Clôturer la session « {session.title} » ?",
        text=[
            "Une fois la session clôturée, l'émargement ne se modifie plus. Chaque "
            "participant·e reçoit une demande d'avis et peut télécharger son attestation.",
            "Cette action ne peut pas être défaite.",
        ],
        action=url_for("attendance.close_session", session_id=session.id),
        yes="Oui, clôturer la session",
        back=back,
    )


# --- Documents ---------------------------------------------------------------------------


@bp.route("/mes-sessions/seances/<int:seance_id>/feuille-emargement.pdf")
@trainer_required
def sign_in_sheet(seance_id: int):
    from reseau.attendance import pdf  # fpdf only when a PDF is produced

    seance = get_trainer_seance_or_404(seance_id, current_user)
    people = [line.person for line in operations.roster(seance).lines]
    content = pdf.sign_in_sheet(seance, people, network_name=current_app.config["NETWORK_NAME"])
    day = to_local(seance.starts_at).strftime("%Y-%m-%d")
    return pdf_download(content, f"emargement-session-{seance.session_id}-{day}-{seance.id}.pdf")


@bp.route("/mes-sessions/<int:session_id>/attestations.pdf")
@coordinator_required
def certificates(session_id: int):
    from reseau.attendance import pdf  # fpdf only when a PDF is produced

    session = get_trainer_session_or_404(session_id, current_user)
    if session.status != SessionStatus.CLOSED:
        abort(404)
    content = pdf.issued_certificates(session, operations.attendees(session), current_app.config)
    return pdf_download(content, f"attestations-session-{session.id}.pdf")


@bp.route("/mes-formations/<int:session_id>/attestation.pdf")
@login_required
def my_certificate(session_id: int):
    from reseau.attendance import pdf  # fpdf only when a PDF is produced

    session, hours = get_own_closed_session_or_404(session_id, current_user)
    content = pdf.issued_certificates(session, [(current_user, hours)], current_app.config)
    return pdf_download(content, f"attestation-session-{session.id}.pdf")


# --- Feedback ----------------------------------------------------------------------------


@bp.route("/mes-formations/<int:session_id>/avis", methods=["GET", "POST"])
@login_required
def feedback(session_id: int):
    session, hours = get_own_closed_session_or_404(session_id, current_user)
    given = operations.has_given_feedback(current_user, session)
    form = FeedbackForm()
    if given:
        status = 409 if request.method == "POST" else 200
        return render_page(
            "attendance/feedback_form.html", session=session, form=form, given=True, status=status
        )
    if not operations.feedback_open(session):
        return render_page(
            "attendance/feedback_form.html",
            session=session,
            form=form,
            given=False,
            over=True,
            status=409 if request.method == "POST" else 200,
        )
    if form.validate_on_submit():
        try:
            operations.give_feedback(
                session,
                current_user,
                satisfaction=int(form.satisfaction.data),
                gained=form.gained.data or "",
                missing=form.missing.data or "",
                would_recommend=form.would_recommend.data == "oui",
            )
            db.session.commit()
        except AttendanceError:
            # A second tab or a double click: the first answer is kept.
            db.session.rollback()
            return render_page(
                "attendance/feedback_form.html",
                session=session,
                form=form,
                given=True,
                status=409,
            )
        flash("Merci ! Votre avis est enregistré.", "success")
        return see_other(url_for("enrolment.my_enrolments"))
    return render_page(
        "attendance/feedback_form.html",
        session=session,
        form=form,
        given=False,
        status=form_status(form),
    )


@bp.route("/mes-sessions/<int:session_id>/avis")
@trainer_required
def feedback_results(session_id: int):
    session = get_trainer_session_or_404(session_id, current_user)
    return render_page(
        "attendance/feedback_results.html",
        session=session,
        results=operations.feedback_results(session),
    )


# --- "Mes formations": certificates and feedback waiting ---------------------------------


def _certificates_section(sender, person=None, **extra) -> dict:
    """Receiver of ``my_enrolments_shown``: the certificates and feedback waiting of "Mes
    formations" (``attendance/_my_certificates.html``), read before the page renders."""
    return {"attended": attended_sessions(person)} if person is not None else {}


my_enrolments_shown.connect(_certificates_section)
