"""The cold questionnaire (participants), the trainer's evaluation, the centre's yearly
review (referents), and the results beside the hot feedback (coordinator)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, request, url_for
from flask_login import current_user, login_required

from reseau.accounts.access import coordinator_required, manager_required, trainer_required
from reseau.attendance.operations import is_trainer_of
from reseau.catalogue.forms import choices_of
from reseau.catalogue.models import Cycle, Module, SessionStatus, TrainingSession
from reseau.core.database import lock_row, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.core.web import autosaved, form_status, render_page, see_other
from reseau.diagnostic.models import DiagnosticCampaign
from reseau.enrolment.signals import my_enrolments_shown
from reseau.evaluation import bp, queries
from reseau.evaluation import operations as ops
from reseau.evaluation.forms import (
    CentreReviewForm,
    ColdAnswerForm,
    ForwardNeedForm,
    ScheduleForm,
    TrainerEvaluationForm,
    YearForm,
)
from reseau.evaluation.models import CentreReview, ColdAnswer, UseLevel

# --- the cold questionnaire ----------------------------------------------------------------


@bp.app_template_global()
def session_cold_results(session_id: int) -> dict:
    """The session's cold answers beside its hot feedback (attendance includes the partial):
    how many were sent and answered, and their texts (never names). One query."""
    answers = db.session.scalars(
        sa.select(ColdAnswer).where(ColdAnswer.session_id == session_id).order_by(ColdAnswer.id)
    ).all()
    answered = [a for a in answers if a.started_at is not None]
    return {
        "sent": len(answers),
        "answered": len(answered),
        "rate": queries.rate(len(answered), len(answers)),
        "used": {level: sum(1 for a in answered if a.used == level) for level in UseLevel},
        "answers": [a for a in answered if a.changes or a.gained or a.missing or a.needs],
    }


class WaitingCold(NamedTuple):
    """A cold questionnaire waiting in "Mes formations": what ``_my_cold.html`` shows."""

    session_id: int
    title: str
    started_at: datetime | None


@cache
def _cold_waiting_statement() -> sa.Select:
    # Built once per process: "Mes formations" runs it on every request.
    return (
        sa.select(ColdAnswer.session_id, TrainingSession.title, ColdAnswer.started_at)
        .join(TrainingSession, TrainingSession.id == ColdAnswer.session_id)
        .where(ColdAnswer.person_id == sa.bindparam("person_id"), ColdAnswer.submitted_at.is_(None))
        .order_by(ColdAnswer.sent_at.desc())
        .limit(20)
    )


def my_cold_questionnaires(person) -> list[WaitingCold]:
    """The cold questionnaires sent to ``person`` and not finished ("Mes formations" lists
    them), as plain rows. One query."""
    rows = db.session.execute(_cold_waiting_statement(), {"person_id": person.id})
    return [WaitingCold(*row) for row in rows]


def _cold_section(sender, person=None, **extra) -> dict:
    """Receiver of ``my_enrolments_shown``: the cold questionnaires of "Mes formations"
    (``evaluation/_my_cold.html``), read before the page renders."""
    return {"cold_waiting": my_cold_questionnaires(person)} if person is not None else {}


my_enrolments_shown.connect(_cold_section)


def _own_answer_or_404(session_id: int) -> ColdAnswer:
    """The questionnaire sent to ``current_user`` for this session; 404 if none was sent."""
    answer = db.session.scalar(
        sa.select(ColdAnswer)
        .options(so.joinedload(ColdAnswer.session))
        .where(ColdAnswer.session_id == session_id, ColdAnswer.person_id == current_user.id)
    )
    if answer is None:
        abort(404)
    return answer


@bp.route("/mes-formations/<int:session_id>/evaluation-a-froid", methods=["GET", "POST"])
@login_required
def cold_answer(session_id: int):
    answer = _own_answer_or_404(session_id)
    form = ColdAnswerForm(obj=answer if request.method == "GET" else None)
    if request.method == "GET" and answer.used is not None:
        form.used.data = answer.used.value
    if form.validate_on_submit():
        answer = lock_row(answer)
        values = {name: form[name].data or "" for name in ops.COLD_FIELDS}
        if request.form.get("action") == "submit":
            ops.submit_cold(answer, values)
            message = "Merci ! Vos réponses sont enregistrées."
        else:
            for name, value in values.items():
                ops.save_cold_field(answer, name, value)
            message = "Réponses enregistrées : vous pouvez revenir les compléter."
        db.session.commit()
        flash(message, "success")
        return see_other(url_for("evaluation.cold_answer", session_id=session_id))
    return render_page(
        "evaluation/cold_answer.html", answer=answer, form=form, status=form_status(form)
    )


@bp.route("/mes-formations/<int:session_id>/evaluation-a-froid/<name>", methods=["POST"])
@login_required
def cold_save(session_id: int, name: str):
    """Save one answer as it is given (htmx); without JavaScript, the page's buttons."""
    answer = _own_answer_or_404(session_id)
    if name not in ops.COLD_FIELDS:
        abort(404)
    answer = lock_row(answer)
    try:
        ops.save_cold_field(answer, name, request.form.get(name, ""))
    except ops.EvaluationError as refusal:
        db.session.rollback()
        return _saved(session_id, str(refusal), 422)
    db.session.commit()
    return _saved(session_id)


def _saved(session_id: int, message: str | None = None, status: int = 200):
    return autosaved(url_for("evaluation.cold_answer", session_id=session_id), message, status)


# --- the trainer's evaluation ----------------------------------------------------------------


def _evaluable_session_or_404(session_id: int) -> TrainingSession:
    session = db.session.scalar(
        sa.select(TrainingSession)
        .options(so.selectinload(TrainingSession.trainers))
        .where(TrainingSession.id == session_id)
    )
    if session is None or session.status not in (SessionStatus.PUBLISHED, SessionStatus.CLOSED):
        abort(404)
    if not (current_user.is_coordinator or is_trainer_of(current_user, session)):
        abort(404)
    return session


@bp.route("/mes-sessions/<int:session_id>/bilan-formateur", methods=["GET", "POST"])
@trainer_required
def trainer_evaluation(session_id: int):
    session = _evaluable_session_or_404(session_id)
    mine = is_trainer_of(current_user, session)
    evaluations = queries.trainer_evaluations(session.id)
    own = next((e for e in evaluations if e.trainer_id == current_user.id), None)
    form = TrainerEvaluationForm(obj=own if request.method == "GET" else None)
    if request.method == "GET" and own is not None:
        form.objectives.data = own.objectives.value
    started = session.starts_at is not None and session.starts_at <= utcnow()
    if mine and started and form.validate_on_submit():
        ops.save_trainer_evaluation(session, current_user, form.data)
        db.session.commit()
        flash("Merci : votre bilan de la session est enregistré.", "success")
        return see_other(url_for("evaluation.trainer_evaluation", session_id=session.id))
    status = form_status(form)
    if request.method == "POST" and not (mine and started):
        status = 409
    return render_page(
        "evaluation/trainer_evaluation.html",
        session=session,
        form=form,
        mine=mine,
        started=started,
        evaluations=evaluations,
        status=status,
    )


# --- the centre's yearly review ------------------------------------------------------------


@bp.route("/mon-centre/bilan-annuel/<int:year>", methods=["GET", "POST"])
@manager_required
def centre_review(year: int):
    centre = current_user.centre if current_user.is_referent else None
    this_year = to_local(utcnow()).year
    if centre is None or not 1990 <= year <= this_year:
        abort(404)
    review = db.session.scalar(
        sa.select(CentreReview).where(
            CentreReview.centre_id == centre.id, CentreReview.year == year
        )
    )
    form = CentreReviewForm(obj=review if request.method == "GET" else None)
    if form.validate_on_submit():
        ops.save_centre_review(centre, year, current_user, form.data)
        db.session.commit()
        flash("Merci : le bilan de votre centre est enregistré.", "success")
        return see_other(url_for("evaluation.centre_review", year=year))
    return render_page(
        "evaluation/centre_review.html",
        centre=centre,
        year=year,
        review=review,
        form=form,
        status=form_status(form),
    )


# --- results (coordinator) -----------------------------------------------------------------


def _year() -> tuple[int, YearForm]:
    form = YearForm(formdata=request.args)
    year = to_local(utcnow()).year
    if form.validate() and form.annee.data:
        year = form.annee.data
    return year, form


@bp.route("/admin/evaluations")
@coordinator_required
def results():
    year, form = _year()
    total, cycles, sessions = queries.year_results(year)
    campaigns = queries.open_campaigns(to_local(utcnow()).date())
    return render_page(
        "evaluation/results.html",
        year=year,
        form=form,
        total=total,
        cycles=cycles,
        sessions=sessions,
        comments=queries.cold_comments(year),
        reviews=queries.centre_reviews(year),
        campaigns=campaigns,
        cycle_list=queries.cycles_of_year(year),
        levels=list(UseLevel),
        status=422 if form.errors else 200,
    )


@bp.route("/admin/evaluations/besoins/<int:answer_id>", methods=["POST"])
@coordinator_required
def forward_need(answer_id: int):
    answer = db.first_or_404(
        sa.select(ColdAnswer)
        .options(
            so.joinedload(ColdAnswer.session)
            .joinedload(TrainingSession.module)
            .joinedload(Module.cycle)
        )
        .where(ColdAnswer.id == answer_id)
    )
    form = ForwardNeedForm()
    campaigns = queries.open_campaigns(to_local(utcnow()).date())
    form.campaign_id.choices = choices_of((c.id, c.title) for c in campaigns)
    year = to_local(answer.session.starts_at).year if answer.session.starts_at else None
    back = url_for("evaluation.results", annee=year) + "#besoins"
    if not form.validate_on_submit():
        flash("Choisissez une campagne de diagnostic pas encore close.", "error")
        return see_other(back)
    campaign = db.get_or_404(DiagnosticCampaign, form.campaign_id.data)
    try:
        skill = ops.forward_need(lock_row(answer), campaign, actor=current_user)
    except ops.EvaluationError as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return see_other(back)
    db.session.commit()
    flash(f"Besoin ajouté au diagnostic « {campaign.title} » : « {skill.title} ».", "success")
    return see_other(back)


@bp.route("/admin/evaluations/cycles/<int:cycle_id>", methods=["GET", "POST"])
@coordinator_required
def cycle_schedule(cycle_id: int):
    cycle = db.get_or_404(Cycle, cycle_id)
    delay, reminder = ops.schedule_of(cycle)
    form = ScheduleForm(data={"delay_days": delay, "reminder_days": reminder})
    if form.validate_on_submit():
        ops.set_schedule(
            cycle,
            delay_days=form.delay_days.data,
            reminder_days=form.reminder_days.data,
            actor=current_user,
        )
        db.session.commit()
        flash(f"Évaluation à froid du cycle « {cycle.title} » enregistrée.", "success")
        return see_other(url_for("evaluation.results", annee=cycle.year))
    return render_page(
        "evaluation/cycle_schedule.html", cycle=cycle, form=form, status=form_status(form)
    )
