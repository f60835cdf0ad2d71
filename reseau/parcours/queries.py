"""Reads of the parcours room: a person's training record, who may read it, who shared it.

A person's parcours is read in a fixed number of queries whatever the number of sessions:
one for the séances they attended (with each session's module, cycle and theme), one for
their diagnostic ratings, one for the organisation's name on certificates. Whether they
share it is a column of their own row (``User.parcours_shared``): no query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from reseau.accounts.access import can_manage_person, visible_people
from reseau.accounts.models import User, UserStatus
from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.catalogue.models import (
    Cycle,
    Module,
    Seance,
    SeanceStatus,
    SessionStatus,
    Theme,
    TrainingSession,
)
from reseau.core.extensions import db
from reseau.core.i18n import to_local
from reseau.diagnostic.models import (
    DiagnosticCampaign,
    DiagnosticResponse,
    DiagnosticSkill,
    SkillAnswer,
    SkillLevel,
)
from reseau.proof.operations import get_settings

# Sessions whose séances count: a cancelled or draft session was not followed.
FOLLOWED = (SessionStatus.PUBLISHED, SessionStatus.CLOSED)
MAX_SEANCES = 5000
MAX_SHARED = 500
# The diagnostic's four levels as the numbers the parcours shows ("2024 : 2 → 2025 : 4").
LEVEL_NUMBER = {level: index for index, level in enumerate(SkillLevel, start=1)}


@dataclass
class Training:
    """A session the person attended: what the Passeport Bénévole asks (intitulé, organisme,
    dates, durée) and what a VAE file adds (theme, cycle, objectives)."""

    session: TrainingSession
    hours: float = 0.0
    days: list[date] = field(default_factory=list)

    @property
    def first_day(self) -> date:
        return self.days[0]

    @property
    def last_day(self) -> date:
        return self.days[-1]

    @property
    def theme(self) -> str:
        session = self.session
        theme = session.theme or (session.module.cycle.theme if session.module else None)
        return theme.name if theme else ""

    @property
    def cycle(self) -> str:
        module = self.session.module
        return f"{module.cycle.title} ({module.cycle.year})" if module else ""

    @property
    def module(self) -> str:
        return self.session.module.title if self.session.module else ""

    @property
    def objectives(self) -> str:
        """The module's objectives; the session's own when it has no module or none."""
        module = self.session.module
        return ((module.objectives if module else "") or self.session.objectives or "").strip()

    @property
    def closed(self) -> bool:
        return self.session.status == SessionStatus.CLOSED


@dataclass
class Year:
    year: int
    trainings: list[Training]

    @property
    def hours(self) -> float:
        return sum(training.hours for training in self.trainings)


@dataclass
class Rating:
    campaign: str  # its label: the year it opened, or its title when two share a year
    level: SkillLevel

    @property
    def number(self) -> int:
        return LEVEL_NUMBER[self.level]


@dataclass
class SkillTrend:
    """One skill of the diagnostic as the person rated themselves, campaign after campaign."""

    theme: str
    title: str
    ratings: list[Rating] = field(default_factory=list)

    @property
    def arrows(self) -> str:
        """« 2024 : 2 → 2025 : 4 »."""
        return " → ".join(f"{r.campaign} : {r.number}" for r in self.ratings)

    @property
    def change(self) -> int:
        return self.ratings[-1].number - self.ratings[0].number

    @property
    def words(self) -> str:
        """The same in words: « Je connais (2024), puis Je peux transmettre (2025) : en
        progrès de 2 niveaux »."""
        steps = ", puis ".join(f"{r.level.label} ({r.campaign})" for r in self.ratings)
        if len(self.ratings) < 2:
            return f"{steps} : une seule campagne"
        change = self.change
        if change == 0:
            return f"{steps} : stable"
        size = abs(change)
        levels = f"{size} niveau" if size == 1 else f"{size} niveaux"
        return f"{steps} : {'en progrès' if change > 0 else 'en baisse'} de {levels}"


@dataclass
class Parcours:
    person: User
    organisation: str
    years: list[Year]
    campaigns: list[str]
    skills: list[SkillTrend]

    @property
    def hours(self) -> float:
        return sum(year.hours for year in self.years)

    @property
    def scale(self) -> dict[SkillLevel, int]:
        return LEVEL_NUMBER

    @property
    def sessions(self) -> int:
        return sum(len(year.trainings) for year in self.years)


def parcours_of(person: User) -> Parcours:
    """Everything ``person`` followed, newest year first, and their diagnostic ratings."""
    trainings = _trainings(person)
    by_year: dict[int, list[Training]] = {}
    for training in trainings:
        by_year.setdefault(training.first_day.year, []).append(training)
    years = [Year(year, by_year[year]) for year in sorted(by_year, reverse=True)]
    campaigns, skills = _skill_trends(person)
    return Parcours(
        person=person,
        organisation=get_settings().provider_name,
        years=years,
        campaigns=campaigns,
        skills=skills,
    )


def _trainings(person: User) -> list[Training]:
    """The sessions ``person`` attended (the house's "attended": present or late, at a
    scheduled séance), with the hours of those séances; oldest first within a year."""
    rows = db.session.execute(
        sa.select(TrainingSession, Seance.starts_at, Seance.ends_at)
        .join(Seance, Seance.session_id == TrainingSession.id)
        .join(Attendance, Attendance.seance_id == Seance.id)
        .options(
            so.joinedload(TrainingSession.theme),
            so.joinedload(TrainingSession.module).joinedload(Module.cycle).joinedload(Cycle.theme),
        )
        .where(
            Attendance.person_id == person.id,
            Attendance.status.in_(AttendanceStatus.ATTENDED),
            Seance.status == SeanceStatus.SCHEDULED,
            TrainingSession.status.in_(FOLLOWED),
        )
        .order_by(Seance.starts_at, Seance.id)
        .limit(MAX_SEANCES)
    ).all()
    found: dict[int, Training] = {}
    for session, starts_at, ends_at in rows:
        training = found.setdefault(session.id, Training(session))
        training.hours += (ends_at - starts_at).total_seconds() / 3600
        day = to_local(starts_at).date()
        if day not in training.days:
            training.days.append(day)
    return sorted(found.values(), key=lambda t: (t.first_day, t.session.id))


def _campaign_labels(campaigns: list[tuple[int, str, date]]) -> dict[int, str]:
    years = [opens_on.year for _, _, opens_on in campaigns]
    return {
        campaign_id: str(opens_on.year) if years.count(opens_on.year) == 1 else title
        for campaign_id, title, opens_on in campaigns
    }


def _skill_trends(person: User) -> tuple[list[str], list[SkillTrend]]:
    """The campaigns ``person`` rated themselves in (oldest first) and, per skill, their
    ratings. A campaign copied from another has its own skills: the same skill is the same
    title in the same theme."""
    rows = db.session.execute(
        sa.select(
            DiagnosticCampaign.id,
            DiagnosticCampaign.title,
            DiagnosticCampaign.opens_on,
            Theme.name,
            DiagnosticSkill.title,
            SkillAnswer.level,
        )
        .join(DiagnosticResponse, DiagnosticResponse.id == SkillAnswer.response_id)
        .join(DiagnosticCampaign, DiagnosticCampaign.id == DiagnosticResponse.campaign_id)
        .join(DiagnosticSkill, DiagnosticSkill.id == SkillAnswer.skill_id)
        .join(Theme, Theme.id == DiagnosticSkill.theme_id)
        .where(DiagnosticResponse.person_id == person.id, SkillAnswer.level.is_not(None))
        .order_by(DiagnosticCampaign.opens_on, DiagnosticCampaign.id, DiagnosticSkill.position)
    ).all()
    campaigns = list(dict.fromkeys((row[0], row[1], row[2]) for row in rows))
    labels = _campaign_labels(campaigns)
    trends: dict[tuple[str, str], SkillTrend] = {}
    for campaign_id, _title, _opens_on, theme, skill, level in rows:
        key = (theme, " ".join(skill.split()).casefold())
        trend = trends.setdefault(key, SkillTrend(theme=theme, title=skill))
        trend.ratings.append(Rating(labels[campaign_id], level))
    return [labels[c[0]] for c in campaigns], list(trends.values())


# --- Sharing -------------------------------------------------------------------------------


def may_read(actor: User, person: User) -> bool:
    """The person themselves, the coordinator, and the referent of the person's centre when
    the person agreed. Nobody else (a trainer is not a reader)."""
    if actor.id == person.id or actor.is_coordinator:
        return True
    return actor.is_referent and can_manage_person(actor, person) and person.parcours_shared


def get_readable_person_or_404(actor: User, person_id: int) -> User:
    """Return the person whose parcours ``actor`` may read; 404 hides the others."""
    person = db.session.get(User, person_id)
    if person is None or not may_read(actor, person):
        abort(404)
    return person


def shared_people(actor: User) -> list[User]:
    """The people who shared their parcours, among those ``actor`` manages (their centre's
    for a referent, everyone for the coordinator), by name."""
    query = (
        visible_people(actor)
        .options(so.joinedload(User.centre))
        .where(User.parcours_shared.is_(True), User.status != UserStatus.ANONYMISED)
        .order_by(User.last_name, User.first_name, User.id)
        .limit(MAX_SHARED)
    )
    return list(db.session.scalars(query))
