"""Themes, cycles, modules, sessions and their séances."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts.models import Centre, Department, User
from reseau.core.database import UTCDateTime, utcnow
from reseau.core.enums import LabelledEnum, enum_column
from reseau.core.extensions import db


class Audience(LabelledEnum):
    __labels__ = {"benevoles": "Bénévoles", "salaries": "Salarié·es", "tous": "Tous publics"}
    BENEVOLES = "benevoles"
    SALARIES = "salaries"
    TOUS = "tous"


class SessionKind(LabelledEnum):
    __labels__ = {
        "formation": "Formation",
        "rencontre_regionale": "Rencontre régionale",
        "journee_departementale": "Journée départementale",
    }
    FORMATION = "formation"
    RENCONTRE_REGIONALE = "rencontre_regionale"
    JOURNEE_DEPARTEMENTALE = "journee_departementale"


class SessionStatus(LabelledEnum):
    __labels__ = {
        "draft": "Brouillon",
        "published": "Publiée",
        "cancelled": "Annulée",
        "closed": "Clôturée",
    }
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class PlaceKind(LabelledEnum):
    __labels__ = {
        "centre": "Dans un centre social",
        "address": "À une autre adresse",
        "visio": "En visio",
    }
    CENTRE = "centre"
    ADDRESS = "address"
    VISIO = "visio"


class PromotionMode(LabelledEnum):
    __labels__ = {
        "automatic": "Automatique",
        "offer": "Proposition à accepter dans un délai",
    }
    AUTOMATIC = "automatic"
    OFFER = "offer"


class SeanceStatus(LabelledEnum):
    __labels__ = {"scheduled": "Prévue", "cancelled": "Annulée"}
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Theme(db.Model):
    __tablename__ = "theme"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(160), unique=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    # Part of the calendar fingerprint: events show this row's name.
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cycles: so.WriteOnlyMapped[Cycle] = so.relationship(back_populates="theme")

    def __repr__(self) -> str:
        return f"<Theme {self.id} {self.slug}>"


class Cycle(db.Model):
    """A yearly programme on a theme, made of modules."""

    __tablename__ = "cycle"
    __table_args__ = (sa.UniqueConstraint("theme_id", "year", "title"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    theme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("theme.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    year: so.Mapped[int] = so.mapped_column(index=True)
    audience: so.Mapped[Audience] = so.mapped_column(enum_column(Audience), default=Audience.TOUS)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    objectives: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Part of the calendar fingerprint: events show this row's title (the cycle feed's name).
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    theme: so.Mapped[Theme] = so.relationship(back_populates="cycles")
    modules: so.Mapped[list[Module]] = so.relationship(
        back_populates="cycle", order_by="Module.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Cycle {self.id} {self.title} {self.year}>"


class Module(db.Model):
    __tablename__ = "module"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cycle_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cycle.id", ondelete="CASCADE"), index=True
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    objectives: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    duration_hours: so.Mapped[float] = so.mapped_column(default=3.0)
    position: so.Mapped[int] = so.mapped_column(default=0)
    # The programme sheet (fiche programme, Qualiopi indicator 1): public, on every session
    # page of the module and in its PDF. ``objectives`` above are its operational objectives.
    prerequisites: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    content: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    methods: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    assessment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    access_delay: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    free_for_members: so.Mapped[bool] = so.mapped_column(default=True)
    cost: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    accessibility: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    contact: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    # Part of the calendar fingerprint: events show this row's title.
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cycle: so.Mapped[Cycle] = so.relationship(back_populates="modules")

    @property
    def has_programme(self) -> bool:
        """Whether any field of the programme sheet is filled in."""
        return any(getattr(self, name) for name in PROGRAMME_TEXTS)

    def __repr__(self) -> str:
        return f"<Module {self.id} {self.title}>"


# The programme sheet's text fields, in the order the page and the PDF show them.
PROGRAMME_TEXTS = (
    "prerequisites",
    "objectives",
    "content",
    "methods",
    "assessment",
    "access_delay",
    "cost",
    "accessibility",
    "contact",
)


session_trainer = sa.Table(
    "session_trainer",
    db.metadata,
    sa.Column(
        "session_id", sa.ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("user_id", sa.ForeignKey("user.id"), primary_key=True, index=True),
)


class TrainingSession(db.Model):
    """One scheduled occurrence of a module, or a standalone event."""

    # "session" is a reserved word in SQL and a busy name in Flask: the table says what it is.
    __tablename__ = "training_session"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("centre_cap IS NULL OR centre_cap >= 1", name="centre_cap_positive"),
        sa.CheckConstraint("offer_hours >= 1", name="offer_hours_positive"),
        # The catalogue's page of upcoming sessions in date order: its ids are a walk of this
        # index in ORDER BY starts_at, id that tests ends_at from it and stops after the page
        # (it also serves what ix_training_session_status_starts, its prefix, served).
        sa.Index("ix_training_session_upcoming_order", "status", "starts_at", "id", "ends_at"),
        # The catalogue's and the dashboard's upcoming/ended sessions, counted from the index,
        # and their start: the catalogue orders a page's ids without reading the table.
        sa.Index("ix_training_session_upcoming", "status", "ends_at", "starts_at", "id"),
        # The latest change of any session: one index lookup (the catalogue's ETag).
        sa.Index("ix_training_session_updated_at", "updated_at"),
        # A period's sessions with what the bilan groups them by, read from the index alone
        # (the rows are wide: a year's table scan cost more than the bilan's grouping).
        sa.Index(
            "ix_training_session_period",
            "starts_at",
            "status",
            "kind",
            "theme_id",
            "module_id",
            "id",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[SessionKind] = so.mapped_column(
        enum_column(SessionKind), default=SessionKind.FORMATION, index=True
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    theme_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("theme.id"), index=True)
    module_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("module.id"), index=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    objectives: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    audience: so.Mapped[Audience] = so.mapped_column(enum_column(Audience), default=Audience.TOUS)
    status: so.Mapped[SessionStatus] = so.mapped_column(
        enum_column(SessionStatus), default=SessionStatus.DRAFT
    )
    capacity: so.Mapped[int] = so.mapped_column(default=12)
    centre_cap: so.Mapped[int | None]
    enrolment_deadline: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    place_kind: so.Mapped[PlaceKind] = so.mapped_column(
        enum_column(PlaceKind), default=PlaceKind.CENTRE
    )
    host_centre_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("centre.id"), index=True)
    place_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    address: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    postcode: so.Mapped[str] = so.mapped_column(sa.String(10), default="")
    town: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    # The département the session is held in (from the host centre, or chosen), for filters.
    department_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("department.id"), index=True
    )
    visio_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    what_to_bring: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    requires_validation: so.Mapped[bool] = so.mapped_column(default=False)
    promotion_mode: so.Mapped[PromotionMode] = so.mapped_column(
        enum_column(PromotionMode), default=PromotionMode.AUTOMATIC
    )
    offer_hours: so.Mapped[int] = so.mapped_column(default=48)
    # Denormalised from the séances (kept by sync_session_dates) so lists sort and filter by
    # date with one indexed column instead of a join and an aggregate.
    starts_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    ends_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    closed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))

    theme: so.Mapped[Theme | None] = so.relationship()
    module: so.Mapped[Module | None] = so.relationship()
    host_centre: so.Mapped[Centre | None] = so.relationship()
    department: so.Mapped[Department | None] = so.relationship()
    trainers: so.Mapped[list[User]] = so.relationship(
        secondary=session_trainer, order_by="User.last_name"
    )
    seances: so.Mapped[list[Seance]] = so.relationship(
        back_populates="session", order_by="Seance.starts_at", cascade="all, delete-orphan"
    )
    # The accessibility of where it happens: its own address's, or its host centre's.
    own_access: so.Mapped[PlaceAccessibility | None] = so.relationship(
        foreign_keys="PlaceAccessibility.session_id", cascade="all, delete-orphan"
    )
    centre_access: so.Mapped[PlaceAccessibility | None] = so.relationship(
        primaryjoin="TrainingSession.host_centre_id == foreign(PlaceAccessibility.centre_id)",
        viewonly=True,
    )

    @property
    def accessibility(self) -> PlaceAccessibility | None:
        """What is known of the place's accessibility (None: a visio, or nothing said)."""
        if self.place_kind == PlaceKind.VISIO:
            return None
        if self.place_kind == PlaceKind.CENTRE and self.host_centre_id is not None:
            return self.centre_access
        return self.own_access

    @property
    def place_label(self) -> str:
        """Return where the session happens, in one line."""
        if self.place_kind == PlaceKind.VISIO:
            return "Visio"
        if self.place_kind == PlaceKind.CENTRE and self.host_centre is not None:
            return self.host_centre.label
        parts = [self.place_name, self.address, f"{self.postcode} {self.town}".strip()]
        return ", ".join(part for part in parts if part)

    @property
    def missing_for_publication(self) -> list[str]:
        """What a session usually has before it is published, and this one lacks (French)."""
        missing = []
        if not self.trainers:
            missing.append("aucun·e formateur·rice")
        if not (self.visio_url if self.place_kind == PlaceKind.VISIO else self.place_label):
            missing.append(
                "aucun lieu" if self.place_kind != PlaceKind.VISIO else "aucun lien de visio"
            )
        if not any(seance.status == SeanceStatus.SCHEDULED for seance in self.seances):
            missing.append("aucune séance")
        return missing

    @property
    def planned_hours(self) -> float:
        return sum(
            seance.hours for seance in self.seances if seance.status == SeanceStatus.SCHEDULED
        )

    def has_started(self, now: datetime) -> bool:
        return self.starts_at is not None and self.starts_at <= now

    def enrolment_deadline_passed(self, now: datetime) -> bool:
        return self.enrolment_deadline is not None and self.enrolment_deadline < now

    def enrolment_open(self, now: datetime) -> bool:
        """Whether people may enrol at ``now``: published, not started, deadline not passed."""
        return (
            self.status == SessionStatus.PUBLISHED
            and not self.has_started(now)
            and not self.enrolment_deadline_passed(now)
        )

    def sync_dates(self) -> None:
        """Recompute ``starts_at``/``ends_at`` from the scheduled séances."""
        scheduled = [s for s in self.seances if s.status == SeanceStatus.SCHEDULED] or self.seances
        self.starts_at = min((s.starts_at for s in scheduled), default=None)
        self.ends_at = max((s.ends_at for s in scheduled), default=None)

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} {self.title!r} {self.status}>"


class Seance(db.Model):
    """One time slot of a session (usually a half-day); attendance is recorded per séance."""

    __tablename__ = "seance"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_seance_session_starts", "session_id", "starts_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE")
    )
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    ends_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    status: so.Mapped[SeanceStatus] = so.mapped_column(
        enum_column(SeanceStatus), default=SeanceStatus.SCHEDULED
    )
    # RFC 5545 SEQUENCE: grows with every change of time, place or status.
    sequence: so.Mapped[int] = so.mapped_column(default=0)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: so.Mapped[TrainingSession] = so.relationship(back_populates="seances")

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def day(self) -> date:
        from reseau.core.i18n import to_local

        return to_local(self.starts_at).date()

    def __repr__(self) -> str:
        return f"<Seance {self.id} session={self.session_id} {self.starts_at:%Y-%m-%d %H:%M}>"


class PlaceAccessibility(db.Model):
    """How accessible a place is: a centre's premises, or the address of one session."""

    __tablename__ = "place_accessibility"
    __table_args__ = (
        sa.CheckConstraint("(centre_id IS NULL) <> (session_id IS NULL)", name="one_place"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    centre_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("centre.id", ondelete="CASCADE"), unique=True
    )
    session_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), unique=True
    )
    step_free: so.Mapped[bool] = so.mapped_column(default=False, index=True)
    accessible_toilets: so.Mapped[bool] = so.mapped_column(default=False)
    hearing_loop: so.Mapped[bool] = so.mapped_column(default=False)
    public_transport: so.Mapped[bool] = so.mapped_column(default=False)
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))

    @property
    def features(self) -> list[str]:
        """What the place offers, in French, in a fixed order."""
        labels = (
            (self.step_free, "Accès de plain-pied, accessible en fauteuil roulant"),
            (self.accessible_toilets, "Toilettes accessibles"),
            (self.hearing_loop, "Boucle magnétique"),
            (self.public_transport, "Transports en commun à proximité"),
        )
        return [label for present, label in labels if present]

    @property
    def is_described(self) -> bool:
        return bool(self.features or self.notes.strip())

    def __repr__(self) -> str:
        owner = f"centre={self.centre_id}" if self.centre_id else f"session={self.session_id}"
        return f"<PlaceAccessibility {self.id} {owner}>"
