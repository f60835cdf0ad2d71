"""Evaluation after the training: operations take their actor (or none, for the tick), flush,
never commit.

The cold questionnaire goes to everyone who attended a closed training session, ``delay``
days after it ended (per cycle, 90 by default), through the outbox; one reminder follows
``reminder`` days later to those who have given no answer yet. The tick marks each session
done (``ColdSurvey``, one row) and each reminder sent (``ColdAnswer.reminded_at``), and every
message has its outbox key: running the tick twice sends nothing twice. A session found more
than ``WINDOW_DAYS`` after its date is left alone (a questionnaire a year late helps nobody,
and installing Réseau on an old database must not mail every past participant).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from reseau.accounts.models import Centre, Role, User
from reseau.accounts.queries import mailable_holders
from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.attendance.operations import attendees
from reseau.catalogue.models import (
    Cycle,
    Module,
    Seance,
    SeanceStatus,
    SessionKind,
    SessionStatus,
    TrainingSession,
)
from reseau.core.audit import record_audit
from reseau.core.database import add_or_lock, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import from_local, to_local
from reseau.evaluation.models import (
    DEFAULT_DELAY_DAYS,
    DEFAULT_REMINDER_DAYS,
    CentreReview,
    ColdAnswer,
    ColdSchedule,
    ColdSurvey,
    ObjectivesReached,
    TrainerEvaluation,
    UseLevel,
)
from reseau.outbox import external_url, queue_mail

WINDOW_DAYS = 30
BATCH = 200
# The referents' yearly question on the previous year goes out from this day (month, day).
REVIEW_FROM = (1, 15)
COLD_FIELDS = ("used", "changes", "gained", "missing", "needs")
TEXT_LIMIT = 5000


class EvaluationError(Exception):
    """A refused answer, with its French message."""


# --- per-cycle schedule ------------------------------------------------------------------------


def schedule_of(cycle: Cycle | None) -> tuple[int, int]:
    """(delay, reminder) in days for the sessions of ``cycle`` (the defaults without one)."""
    row = db.session.get(ColdSchedule, cycle.id) if cycle is not None else None
    if row is None:
        return DEFAULT_DELAY_DAYS, DEFAULT_REMINDER_DAYS
    return row.delay_days, row.reminder_days


def set_schedule(cycle: Cycle, *, delay_days: int, reminder_days: int, actor: User) -> None:
    row = db.session.get(ColdSchedule, cycle.id)
    if row is None:
        row = ColdSchedule(cycle_id=cycle.id)
        db.session.add(row)
    row.delay_days, row.reminder_days = delay_days, reminder_days
    db.session.flush()
    record_audit(
        actor, "cycle.cold_schedule", cycle, summary=f"{delay_days} j, relance {reminder_days} j"
    )


# --- the tick ----------------------------------------------------------------------------------


def _due_sessions(now: datetime) -> list[tuple[TrainingSession, int]]:
    """Closed training sessions whose questionnaire is due now: [(session, reminder days)]."""
    delay = sa.func.coalesce(ColdSchedule.delay_days, DEFAULT_DELAY_DAYS)
    delays = {DEFAULT_DELAY_DAYS, *db.session.scalars(sa.select(ColdSchedule.delay_days))}
    found = []
    for days in sorted(delays):
        due = now - timedelta(days=days)
        rows = db.session.execute(
            sa.select(
                TrainingSession,
                sa.func.coalesce(ColdSchedule.reminder_days, DEFAULT_REMINDER_DAYS),
            )
            .outerjoin(Module, Module.id == TrainingSession.module_id)
            .outerjoin(ColdSchedule, ColdSchedule.cycle_id == Module.cycle_id)
            .where(
                TrainingSession.status == SessionStatus.CLOSED,
                TrainingSession.kind == SessionKind.FORMATION,
                TrainingSession.ends_at <= due,
                TrainingSession.ends_at > due - timedelta(days=WINDOW_DAYS),
                delay == days,
                ~sa.exists().where(ColdSurvey.session_id == TrainingSession.id),
            )
            .order_by(TrainingSession.ends_at, TrainingSession.id)
            .limit(BATCH)
        ).all()
        found += [(row[0], row[1]) for row in rows]
    return found


def _invite(session: TrainingSession, reminder_days: int, now: datetime) -> int:
    """Mark ``session`` done and queue its questionnaire to each attendee; return how many."""
    try:
        with db.session.begin_nested():
            survey = ColdSurvey(session_id=session.id, sent_at=now)
            db.session.add(survey)
    except IntegrityError:
        return 0  # another tick took it since the selection
    link = external_url("evaluation.cold_answer", session_id=session.id)
    invited = 0
    for person, hours in attendees(session):
        if not person.mailable:
            continue
        db.session.add(
            ColdAnswer(
                session_id=session.id,
                person_id=person.id,
                sent_at=now,
                remind_at=now + timedelta(days=reminder_days),
            )
        )
        queue_mail(
            person.email,
            f"Trois mois après « {session.title} » : qu'en avez-vous fait ?",
            "cold_evaluation",
            dedup_key=f"cold-evaluation:{session.id}:{person.id}",
            person=person,
            session=session,
            hours=hours,
            link=link,
        )
        invited += 1
    survey.invited = invited
    db.session.flush()
    return invited


def _remind(now: datetime) -> int:
    """One reminder to each person who has not answered yet, when it is due."""
    answers = db.session.scalars(
        sa.select(ColdAnswer)
        .where(
            ColdAnswer.remind_at <= now,
            ColdAnswer.reminded_at.is_(None),
            ColdAnswer.started_at.is_(None),
            ColdAnswer.person_id.is_not(None),
        )
        .order_by(ColdAnswer.id)
        .limit(BATCH)
        .with_for_update(of=ColdAnswer)  # taken before any flush (see lock_row)
    ).all()
    sent = 0
    for answer in answers:
        answer.reminded_at = now
        person, session = answer.person, answer.session
        if not person.mailable:
            continue
        mail = queue_mail(
            person.email,
            f"Rappel : votre avis sur « {session.title} », quelques mois après",
            "cold_evaluation_reminder",
            dedup_key=f"cold-reminder:{answer.id}",
            person=person,
            session=session,
            link=external_url("evaluation.cold_answer", session_id=session.id),
        )
        sent += mail is not None
    db.session.flush()
    return sent


def _centres_to_review(year: int) -> list[Centre]:
    """Centres with someone who attended a held session of ``year`` and no review asked."""
    lower = from_local(datetime(year, 1, 1))
    upper = from_local(datetime(year + 1, 1, 1))
    attended = (
        sa.select(User.centre_id)
        .join(Attendance, Attendance.person_id == User.id)
        .join(Seance, Seance.id == Attendance.seance_id)
        .join(TrainingSession, TrainingSession.id == Seance.session_id)
        .where(
            Attendance.status.in_((AttendanceStatus.PRESENT, AttendanceStatus.LATE)),
            Seance.status == SeanceStatus.SCHEDULED,
            TrainingSession.status == SessionStatus.CLOSED,
            TrainingSession.starts_at >= lower,
            TrainingSession.starts_at < upper,
        )
    )
    asked = sa.select(CentreReview.centre_id).where(CentreReview.year == year)
    return db.session.scalars(
        sa.select(Centre)
        .where(Centre.id.in_(attended), Centre.id.not_in(asked))
        .order_by(Centre.id)
        .limit(BATCH)
    ).all()


def referents_of(centre_id: int) -> list[User]:
    return mailable_holders(Role.REFERENT, centre_id)


def _ask_reviews(now: datetime) -> int:
    """From 15 January, ask each centre's referents what last year's trainings brought."""
    today = to_local(now).date()
    if (today.month, today.day) < REVIEW_FROM:
        return 0
    year = today.year - 1
    asked = 0
    for centre in _centres_to_review(year):
        db.session.add(CentreReview(centre_id=centre.id, year=year, asked_at=now))
        for referent in referents_of(centre.id):
            mail = queue_mail(
                referent.email,
                f"Ce que les formations {year} ont apporté à votre centre",
                "centre_review_request",
                dedup_key=f"centre-review:{centre.id}:{year}:{referent.id}",
                referent=referent,
                centre=centre,
                year=year,
                link=external_url("evaluation.centre_review", year=year),
            )
            asked += mail is not None
    db.session.flush()
    return asked


def tick(now: datetime | None = None) -> dict[str, int]:
    """The evaluation room's periodic work; safe to run twice (nothing is sent twice)."""
    now = now or utcnow()
    reminders = _remind(now)  # first: its row locks come before any flush
    invited = sessions = 0
    for session, reminder_days in _due_sessions(now):
        count = _invite(session, reminder_days, now)
        invited += count
        sessions += 1
    return {
        "sessions": sessions,
        "invited": invited,
        "reminders": reminders,
        "reviews": _ask_reviews(now),
    }


# --- answers -----------------------------------------------------------------------------------


def own_answer(session: TrainingSession, person: User) -> ColdAnswer | None:
    return db.session.scalar(
        sa.select(ColdAnswer).where(
            ColdAnswer.session_id == session.id, ColdAnswer.person_id == person.id
        )
    )


def save_cold_field(answer: ColdAnswer, name: str, value: str) -> None:
    """Save one field of the questionnaire as it is given (the autosave)."""
    if name not in COLD_FIELDS:
        raise EvaluationError("Cette question n'existe pas.")
    if name == "used":
        if value and value not in {level.value for level in UseLevel}:
            raise EvaluationError("Choisissez une des réponses proposées.")
        answer.used = UseLevel(value) if value else None
    else:
        setattr(answer, name, (value or "").strip()[:TEXT_LIMIT])
    now = utcnow()
    if answer.started_at is None and value:  # an empty field is no answer yet
        answer.started_at = now
    answer.updated_at = now
    db.session.flush()


def submit_cold(answer: ColdAnswer, values: dict[str, str]) -> None:
    for name in COLD_FIELDS:
        if name in values:
            save_cold_field(answer, name, values[name])
    answer.started_at = answer.started_at or utcnow()
    answer.submitted_at = utcnow()
    db.session.flush()


def save_trainer_evaluation(
    session: TrainingSession, trainer: User, data: dict
) -> TrainerEvaluation:
    objectives = ObjectivesReached(data["objectives"])
    # Locked: the same trainer saving twice at once (two tabs, a double click) updates one row.
    evaluation = add_or_lock(
        TrainerEvaluation,
        {"session_id": session.id, "trainer_id": trainer.id},
        objectives=objectives,
    )
    evaluation.objectives = objectives
    for name in ("group_notes", "objectives_notes", "to_change"):
        setattr(evaluation, name, (data.get(name) or "").strip())
    db.session.flush()
    record_audit(trainer, "session.trainer_evaluation", session, summary=session.title)
    return evaluation


def save_centre_review(centre: Centre, year: int, referent: User, data: dict) -> CentreReview:
    # Locked: two referents of the centre answering at once, or the January ask, make one row.
    review = add_or_lock(CentreReview, {"centre_id": centre.id, "year": year})
    for name in ("brought", "missing", "needs"):
        setattr(review, name, (data.get(name) or "").strip())
    review.answered_by_id = referent.id
    review.answered_at = utcnow()
    db.session.flush()
    record_audit(referent, "centre.review", centre, summary=f"{year}")
    return review


def forward_need(answer: ColdAnswer, campaign, *, actor: User):
    """Turn the need of a cold answer into a skill of ``campaign`` (the next diagnostic), in
    the theme of the answer's session."""
    from reseau.diagnostic.operations import add_skill

    session = answer.session
    theme = session.theme or (session.module.cycle.theme if session.module else None)
    if theme is None:
        raise EvaluationError("Cette session n'a pas de thématique : ajoutez le besoin à la main.")
    if not answer.needs.strip():
        raise EvaluationError("Cette réponse n'exprime pas de besoin.")
    title = " ".join(answer.needs.split())
    skill = add_skill(
        campaign,
        theme=theme,
        title=title[:197] + "…" if len(title) > 200 else title,
        explanation=f"Besoin exprimé après « {session.title} » (évaluation à froid).",
        actor=actor,
    )
    answer.need_forwarded_at = utcnow()
    db.session.flush()
    return skill
