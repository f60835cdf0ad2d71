"""The needs diagnostic: campaigns, their questionnaire and people's answers."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import Category, User
from reseau.catalogue.models import Audience, Theme
from reseau.core.database import UTCDateTime, utcnow
from reseau.core.enums import LabelledEnum, enum_column
from reseau.core.extensions import db

# Who a campaign (or a session) is for: élu·es and administrateurs·rices are volunteers too.
AUDIENCE_CATEGORIES: dict[Audience, tuple[Category, ...]] = {
    Audience.BENEVOLES: (Category.BENEVOLE, Category.ELU),
    Audience.SALARIES: (Category.SALARIE,),
    Audience.TOUS: tuple(Category),
}


class SkillLevel(LabelledEnum):
    __labels__ = {
        "discover": "Je découvre",
        "know": "Je connais",
        "master": "Je maîtrise",
        "transmit": "Je peux transmettre",
    }
    DISCOVER = "discover"
    KNOW = "know"
    MASTER = "master"
    TRANSMIT = "transmit"


class TrainingWish(LabelledEnum):
    __labels__ = {"no": "Non", "yes": "Oui", "priority": "Oui, en priorité"}
    NO = "no"
    YES = "yes"
    PRIORITY = "priority"


class DiagnosticCampaign(db.Model):
    __tablename__ = "diagnostic_campaign"
    __table_args__ = (sa.CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    audience: so.Mapped[Audience] = so.mapped_column(enum_column(Audience), default=Audience.TOUS)
    introduction: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    opens_on: so.Mapped[date]
    closes_on: so.Mapped[date]
    copied_from_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("diagnostic_campaign.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    skills: so.Mapped[list[DiagnosticSkill]] = so.relationship(
        back_populates="campaign", order_by="DiagnosticSkill.position", cascade="all, delete-orphan"
    )
    questions: so.Mapped[list[DiagnosticQuestion]] = so.relationship(
        order_by="DiagnosticQuestion.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<DiagnosticCampaign {self.id} {self.title!r}>"


class _QuestionnaireItem:
    """A line of a campaign's questionnaire (deleted with it): id and campaign first, its
    place in the questionnaire last."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True, sort_order=-2)
    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("diagnostic_campaign.id", ondelete="CASCADE"), index=True, sort_order=-1
    )
    position: so.Mapped[int] = so.mapped_column(default=0, sort_order=1)


class DiagnosticSkill(_QuestionnaireItem, db.Model):
    """A skill of the questionnaire, in plain language, grouped by theme."""

    __tablename__ = "diagnostic_skill"

    theme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("theme.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    explanation: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    campaign: so.Mapped[DiagnosticCampaign] = so.relationship(back_populates="skills")
    theme: so.Mapped[Theme] = so.relationship()

    def __repr__(self) -> str:
        return f"<DiagnosticSkill {self.id} {self.title!r}>"


class DiagnosticQuestion(_QuestionnaireItem, db.Model):
    """An optional free-text question of a campaign."""

    __tablename__ = "diagnostic_question"

    prompt: so.Mapped[str] = so.mapped_column(sa.String(300))

    def __repr__(self) -> str:
        return f"<DiagnosticQuestion {self.id} {self.prompt!r}>"


class DiagnosticResponse(db.Model):
    """One person's questionnaire for one campaign, filled in little by little."""

    __tablename__ = "diagnostic_response"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "person_id"),
        # The results' latest free texts: a campaign's responses, the latest first.
        sa.Index("ix_diagnostic_response_campaign_updated", "campaign_id", "updated_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("diagnostic_campaign.id", ondelete="CASCADE")
    )
    person_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    other_needs: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    invited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    reminded_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign: so.Mapped[DiagnosticCampaign] = so.relationship()
    person: so.Mapped[User] = so.relationship()
    skill_answers: so.Mapped[list[SkillAnswer]] = so.relationship(cascade="all, delete-orphan")
    question_answers: so.Mapped[list[QuestionAnswer]] = so.relationship(
        cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<DiagnosticResponse {self.id} campaign={self.campaign_id} person={self.person_id}>"


class _ResponsePart:
    """An answer within one person's response (deleted with it): its id and response first."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True, sort_order=-2)
    response_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("diagnostic_response.id", ondelete="CASCADE"), sort_order=-1
    )


class SkillAnswer(_ResponsePart, db.Model):
    __tablename__ = "skill_answer"
    __table_args__ = (sa.UniqueConstraint("response_id", "skill_id"),)

    skill_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("diagnostic_skill.id", ondelete="CASCADE"), index=True
    )
    level: so.Mapped[SkillLevel | None] = so.mapped_column(enum_column(SkillLevel))
    wants_training: so.Mapped[TrainingWish | None] = so.mapped_column(enum_column(TrainingWish))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    skill: so.Mapped[DiagnosticSkill] = so.relationship()

    def __repr__(self) -> str:
        return f"<SkillAnswer response={self.response_id} skill={self.skill_id}>"


class QuestionAnswer(_ResponsePart, db.Model):
    __tablename__ = "question_answer"
    __table_args__ = (sa.UniqueConstraint("response_id", "question_id"),)

    question_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("diagnostic_question.id", ondelete="CASCADE"), index=True
    )
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    def __repr__(self) -> str:
        return f"<QuestionAnswer response={self.response_id} question={self.question_id}>"


# --- summary rows (rollups): the results page reads these, never the answers ----------------
#
# Kept by the answering operations in the same transaction (diagnostic/rollups.py), rebuilt
# from the answers by ``flask rebuild-rollups``. A person counts in the key of their centre's
# département (0: no centre) and their category; ``people`` is how many respondents wish a
# training (on a skill, or on any skill of a theme: a person counts once per theme, with their
# strongest wish), ``priority`` how many of them "en priorité", ``score`` the weighted sum.


class _CountKey:
    """The key every summary row shares: the campaign first, then what the row counts (the
    class's own key column), then the département and the category."""

    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("diagnostic_campaign.id", ondelete="CASCADE"), primary_key=True, sort_order=-1
    )
    department_id: so.Mapped[int] = so.mapped_column(primary_key=True)
    category: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)


class _WishCounts:
    people: so.Mapped[int] = so.mapped_column(default=0)
    priority: so.Mapped[int] = so.mapped_column(default=0)
    score: so.Mapped[int] = so.mapped_column(default=0)


class DiagnosticThemeCount(_CountKey, _WishCounts, db.Model):
    __tablename__ = "diagnostic_theme_count"

    theme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("theme.id"), primary_key=True)

    def __repr__(self) -> str:
        return f"<DiagnosticThemeCount {self.campaign_id}/{self.theme_id}/{self.department_id}>"


class DiagnosticSkillCount(_CountKey, _WishCounts, db.Model):
    __tablename__ = "diagnostic_skill_count"

    skill_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("diagnostic_skill.id", ondelete="CASCADE"), primary_key=True
    )

    def __repr__(self) -> str:
        return f"<DiagnosticSkillCount {self.campaign_id}/{self.skill_id}/{self.department_id}>"


class DiagnosticRespondentCount(_CountKey, db.Model):
    """Respondents (a response with at least one answer) per département and category."""

    __tablename__ = "diagnostic_respondent_count"

    respondents: so.Mapped[int] = so.mapped_column(default=0, sort_order=1)

    def __repr__(self) -> str:
        return f"<DiagnosticRespondentCount {self.campaign_id}/{self.department_id}>"


# The response rates read two more tables, by centre and category (people without a centre
# have no rate): who may be asked, whatever the campaign, and per campaign who answered.


class DiagnosticAudienceCount(db.Model):
    """People who may be asked (active, with an e-mail address) per centre and category.

    Kept by ``rollups.record_people`` when the accounts room flushes a person whose status,
    address, centre or category changed (``accounts.signals.people_changed``)."""

    __tablename__ = "diagnostic_audience_count"

    centre_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("centre.id", ondelete="CASCADE"), primary_key=True
    )
    category: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    people: so.Mapped[int] = so.mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<DiagnosticAudienceCount {self.centre_id}/{self.category} {self.people}>"


class DiagnosticCentreCount(db.Model):
    """Per campaign, centre and category: responses started (``respondents``), submitted,
    and started by people who may no longer be asked (``unlisted``: disabled, anonymised,
    without an address), who count among the concerned people of their centre anyway."""

    __tablename__ = "diagnostic_centre_count"

    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("diagnostic_campaign.id", ondelete="CASCADE"), primary_key=True
    )
    centre_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("centre.id", ondelete="CASCADE"), primary_key=True
    )
    category: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    respondents: so.Mapped[int] = so.mapped_column(default=0)
    submitted: so.Mapped[int] = so.mapped_column(default=0)
    unlisted: so.Mapped[int] = so.mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<DiagnosticCentreCount {self.campaign_id}/{self.centre_id}/{self.category}>"
