"""Domain verbs of the needs diagnostic: they change models and flush, the caller commits."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from reseau.accounts.models import User
from reseau.catalogue.models import Audience, SessionStatus, Theme, TrainingSession
from reseau.core.audit import record_audit
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import ngettext
from reseau.diagnostic import rollups
from reseau.diagnostic.models import (
    AUDIENCE_CATEGORIES,
    DiagnosticCampaign,
    DiagnosticQuestion,
    DiagnosticResponse,
    DiagnosticSkill,
    QuestionAnswer,
    SkillAnswer,
    SkillLevel,
    TrainingWish,
)
from reseau.diagnostic.queries import (
    eligible_people,
    latest_campaign_with_theme,
    people_wanting_theme,
)
from reseau.outbox import queue as outbox


class DiagnosticError(Exception):
    """A domain rule was broken; the message is French and meant for the user."""


# --- campaigns and questionnaires -------------------------------------------------------------


def create_campaign(
    *,
    title: str,
    audience: Audience,
    opens_on: date,
    closes_on: date,
    introduction: str = "",
    copy_from: DiagnosticCampaign | None = None,
    actor: User,
) -> DiagnosticCampaign:
    """Create a campaign, with a copy of ``copy_from``'s questionnaire when given."""
    campaign = DiagnosticCampaign(
        title=title,
        audience=audience,
        opens_on=opens_on,
        closes_on=closes_on,
        introduction=introduction,
        copied_from_id=copy_from.id if copy_from else None,
    )
    db.session.add(campaign)
    if copy_from is not None:
        for skill in copy_from.skills:
            campaign.skills.append(
                DiagnosticSkill(
                    theme_id=skill.theme_id,
                    title=skill.title,
                    explanation=skill.explanation,
                    position=skill.position,
                )
            )
        for question in copy_from.questions:
            campaign.questions.append(
                DiagnosticQuestion(prompt=question.prompt, position=question.position)
            )
    db.session.flush()
    record_audit(actor, "diagnostic.campaign.create", campaign, summary=title)
    return campaign


def update_campaign(campaign: DiagnosticCampaign, *, actor: User, **values) -> None:
    for key, value in values.items():
        setattr(campaign, key, value)
    db.session.flush()
    record_audit(actor, "diagnostic.campaign.update", campaign, summary=campaign.title)


def _next_position(items) -> int:
    return max((item.position for item in items), default=0) + 1


def add_skill(
    campaign: DiagnosticCampaign, *, theme: Theme, title: str, explanation: str, actor: User
) -> DiagnosticSkill:
    skill = DiagnosticSkill(
        theme=theme, title=title, explanation=explanation, position=_next_position(campaign.skills)
    )
    campaign.skills.append(skill)
    db.session.flush()
    record_audit(actor, "diagnostic.skill.create", skill, summary=title)
    return skill


def update_skill(
    skill: DiagnosticSkill, *, theme: Theme, title: str, explanation: str, actor: User
) -> None:
    moved = skill.theme_id != theme.id
    skill.theme = theme
    skill.title = title
    skill.explanation = explanation
    db.session.flush()
    if moved:  # its answers now count for another theme
        rollups.rebuild(skill.campaign_id)
    record_audit(actor, "diagnostic.skill.update", skill, summary=title)


def delete_skill(skill: DiagnosticSkill, *, actor: User) -> None:
    record_audit(actor, "diagnostic.skill.delete", skill, summary=skill.title)
    campaign_id = skill.campaign_id
    skill.campaign.skills.remove(skill)
    db.session.flush()
    rollups.rebuild(campaign_id)  # its answers are gone with it


def add_question(campaign: DiagnosticCampaign, *, prompt: str, actor: User) -> DiagnosticQuestion:
    question = DiagnosticQuestion(prompt=prompt, position=_next_position(campaign.questions))
    campaign.questions.append(question)
    db.session.flush()
    record_audit(actor, "diagnostic.question.create", question, summary=prompt)
    return question


def delete_question(campaign: DiagnosticCampaign, question: DiagnosticQuestion, *, actor: User):
    record_audit(actor, "diagnostic.question.delete", question, summary=question.prompt)
    campaign.questions.remove(question)
    db.session.flush()


# --- who answers ------------------------------------------------------------------------------


def _insert(table):
    """Return the dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def get_or_create_response(campaign: DiagnosticCampaign, person: User) -> DiagnosticResponse:
    """Return ``person``'s response to ``campaign``, created once even under concurrency and
    locked until the transaction ends: what the caller reads from it is what it changes."""
    db.session.execute(
        _insert(DiagnosticResponse.__table__)
        .values(campaign_id=campaign.id, person_id=person.id, other_needs="", updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["campaign_id", "person_id"])
    )
    return db.session.scalar(
        sa.select(DiagnosticResponse)
        .where(
            DiagnosticResponse.campaign_id == campaign.id,
            DiagnosticResponse.person_id == person.id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _mark_started(response: DiagnosticResponse, keys=None) -> None:
    """Date the response's change; its first one counts it (``keys``: the person's, if
    the caller read them already)."""
    now = utcnow()
    if response.started_at is None:
        rollups.record_started(response, keys=keys)  # first: the rows' order (rollups.py)
        response.started_at = now
    response.updated_at = now


def _upsert_skill_answer(response, skill, level, wants_training) -> bool:
    values = {}
    if level is not None:
        values["level"] = SkillLevel(level).value
    if wants_training is not None:
        values["wants_training"] = TrainingWish(wants_training).value
    if not values:
        return False
    now = utcnow()
    statement = _insert(SkillAnswer.__table__).values(
        response_id=response.id, skill_id=skill.id, updated_at=now, **values
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["response_id", "skill_id"],
            set_={**{key: statement.excluded[key] for key in values}, "updated_at": now},
        )
    )
    return True


def save_answers(response: DiagnosticResponse, answers) -> None:
    """Record several answers ``(skill, level, wants_training)`` and update the summary rows.

    Each answer is a single INSERT … ON CONFLICT DO UPDATE (idempotent, last wins); only the
    values given are written: choosing the level keeps the training wish and conversely. The
    caller holds the response's lock (``get_or_create_response``): the wishes read before
    are this transaction's alone, and those after follow from them and the answers given.
    """
    weights = rollups.answered_weights(response.id)
    before = rollups.wishes_from(weights)
    changed = False
    for skill, level, wants_training in answers:
        if _upsert_skill_answer(response, skill, level, wants_training):
            changed = True
            if wants_training is not None:  # the level alone leaves the wish as it was
                weights[skill.id] = (skill.theme_id, rollups.weight_of(wants_training))
    if not changed:
        return
    after = rollups.wishes_from(weights)
    keys = None
    if after != before or response.started_at is None:
        keys = rollups.person_keys(response.person_id)  # once, for all the rows
    _mark_started(response, keys)
    db.session.flush()
    if after != before:
        rollups.record_answers(response, before, after, keys=keys)


def save_skill_answer(
    response: DiagnosticResponse,
    skill: DiagnosticSkill,
    *,
    level: SkillLevel | None = None,
    wants_training: TrainingWish | None = None,
) -> None:
    """Record one answer (see ``save_answers``): two quick changes hit the unique
    (response, skill) row, never a second row."""
    save_answers(response, [(skill, level, wants_training)])


def save_question_answer(
    response: DiagnosticResponse, question: DiagnosticQuestion, text: str
) -> None:
    """Record the free-text answer to ``question`` (same upsert as the skills)."""
    statement = _insert(QuestionAnswer.__table__).values(
        response_id=response.id, question_id=question.id, text=text[:5000]
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["response_id", "question_id"], set_={"text": statement.excluded.text}
        )
    )
    _mark_started(response)
    db.session.flush()


def save_other_needs(response: DiagnosticResponse, text: str) -> None:
    response.other_needs = text[:5000]
    _mark_started(response)
    db.session.flush()


def submit_response(response: DiagnosticResponse) -> None:
    _mark_started(response)
    if response.submitted_at is None:
        rollups.record_submitted(response)
    response.submitted_at = utcnow()
    db.session.flush()


# --- invitations and reminders ----------------------------------------------------------------


def _answer_link(campaign: DiagnosticCampaign) -> str:
    return outbox.external_url("diagnostic.answer", campaign_id=campaign.id)


def invite_people(campaign: DiagnosticCampaign, *, actor: User) -> int:
    """Invite every eligible person not invited yet; return how many were invited."""
    people = db.session.scalars(
        eligible_people(campaign)
        .options(so.selectinload(User.centre))
        .where(
            ~sa.exists().where(
                DiagnosticResponse.campaign_id == campaign.id,
                DiagnosticResponse.person_id == User.id,
                DiagnosticResponse.invited_at.is_not(None),
            )
        )
        .order_by(User.id)
    ).all()
    link = _answer_link(campaign)
    now = utcnow()
    invited = 0
    for person in people:
        response = get_or_create_response(campaign, person)
        if response.invited_at is not None:
            continue  # invited meanwhile (a second click, another coordinator)
        response.invited_at = now
        invited += 1
        outbox.queue_mail(
            person.email,
            f"Diagnostic des besoins de formation : {campaign.title}",
            "diagnostic_invitation",
            dedup_key=f"diagnostic:invite:{campaign.id}:{person.id}",
            person=person,
            campaign=campaign,
            link=link,
        )
    db.session.flush()
    record_audit(
        actor,
        "diagnostic.invite",
        campaign,
        summary=ngettext("%(num)s personne invitée", "%(num)s personnes invitées", invited),
    )
    return invited


def remind_person(campaign: DiagnosticCampaign, person: User, *, actor: User) -> bool:
    """Send the one reminder to ``person`` if they have not finished; return whether sent."""
    if not person.mailable:
        return False
    response = get_or_create_response(campaign, person)
    if response.submitted_at is not None or response.reminded_at is not None:
        return False
    mail = outbox.queue_mail(
        person.email,
        f"Rappel : diagnostic des besoins de formation ({campaign.title})",
        "diagnostic_reminder",
        dedup_key=f"diagnostic:remind:{campaign.id}:{person.id}",
        person=person,
        campaign=campaign,
        link=_answer_link(campaign),
        started=response.started_at is not None,
    )
    response.reminded_at = utcnow()
    db.session.flush()
    if mail is not None:
        record_audit(actor, "diagnostic.remind", response, summary=person.full_name)
    return mail is not None


# --- from needs to offer ----------------------------------------------------------------------


def create_session_for_need(
    campaign: DiagnosticCampaign, theme: Theme, department_id: int | None, *, actor: User
) -> TrainingSession:
    """Create a draft session on ``theme`` in the département with most demand."""
    session = TrainingSession(
        title=theme.name,
        theme_id=theme.id,
        department_id=department_id,
        audience=campaign.audience,
        status=SessionStatus.DRAFT,
    )
    db.session.add(session)
    db.session.flush()
    # Where it comes from is the coordination's business (audit log), not the public
    # description, which the coordinator writes for the catalogue.
    record_audit(
        actor,
        "diagnostic.session.create",
        session,
        summary=f"{theme.name} : session créée à partir du diagnostic « {campaign.title} »",
    )
    return session


def notify_people_of_session(session: TrainingSession, *, actor: User | None = None) -> int:
    """Tell the people who asked for the session's theme that it is open; once per session.

    The outbox's unique ``dedup_key`` (one per session and person) makes a second publication,
    or a second worker handling the same signal, send nothing more. Returns the mails queued.
    """
    if session.theme_id is None or session.status != SessionStatus.PUBLISHED:
        return 0
    campaign = latest_campaign_with_theme(session.theme_id)
    if campaign is None:
        return 0
    categories = AUDIENCE_CATEGORIES[session.audience]
    people = db.session.scalars(
        people_wanting_theme(campaign, session.theme_id)
        .where(User.category.in_(categories))
        .order_by(User.id)
    ).all()
    link = session_link(session)
    sent = 0
    for person in people:
        mail = outbox.queue_mail(
            person.email,
            f"Une formation que vous avez demandée est ouverte : {session.title}",
            "diagnostic_need_session",
            dedup_key=f"diagnostic:need:{session.id}:{person.id}",
            person=person,
            session=session,
            campaign=campaign,
            link=link,
        )
        sent += mail is not None
    db.session.flush()
    if sent:
        record_audit(
            actor,
            "diagnostic.need_notice",
            session,
            summary=ngettext("%(num)s personne prévenue", "%(num)s personnes prévenues", sent),
        )
    return sent


# The public page of a session, wherever the catalogue room puts it.


def session_link(session: TrainingSession) -> str:
    return outbox.external_url("enrolment.public_session", session_id=session.id)
