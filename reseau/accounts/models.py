"""People, centres and départements: the bottom of Réseau."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from reseau.core.database import UTCDateTime, utcnow
from reseau.core.enums import LabelledEnum, enum_column
from reseau.core.extensions import db


class Category(LabelledEnum):
    """What a person is in the network; reports count people by category."""

    __labels__ = {
        "benevole": "Bénévole",
        "salarie": "Salarié·e",
        "elu": "Élu·e / administrateur·rice",
        "partenaire": "Partenaire",
    }
    BENEVOLE = "benevole"
    SALARIE = "salarie"
    ELU = "elu"
    PARTENAIRE = "partenaire"


class Role(LabelledEnum):
    """What a person may do in Réseau; one person can hold several roles."""

    __labels__ = {
        "participant": "Participant·e",
        "trainer": "Formateur·rice",
        "referent": "Référent·e de centre",
        "coordinator": "Coordinateur·rice régional·e",
        "disability": "Référent·e handicap",
    }
    PARTICIPANT = "participant"
    TRAINER = "trainer"
    REFERENT = "referent"
    COORDINATOR = "coordinator"
    # Reads and answers the adjustment requests; their contact shows on every session page.
    DISABILITY = "disability"


class UserStatus(LabelledEnum):
    __labels__ = {
        "invited": "Invitation envoyée",
        "pending": "En attente de validation",
        "active": "Actif",
        "disabled": "Désactivé",
        "guest": "Invité·e sans compte",
        "anonymised": "Anonymisé",
    }
    INVITED = "invited"
    PENDING = "pending"
    ACTIVE = "active"
    DISABLED = "disabled"
    GUEST = "guest"
    ANONYMISED = "anonymised"


class Department(db.Model):
    __tablename__ = "department"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(3), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)

    centres: so.WriteOnlyMapped[Centre] = so.relationship(back_populates="department")

    @property
    def label(self) -> str:
        return f"{self.code} – {self.name}"

    def __repr__(self) -> str:
        return f"<Department {self.code} {self.name}>"


class Centre(db.Model):
    __tablename__ = "centre"
    __table_args__ = (sa.UniqueConstraint("name", "town"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(160), index=True)
    address: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    postcode: so.Mapped[str] = so.mapped_column(sa.String(10), default="")
    town: so.Mapped[str] = so.mapped_column(sa.String(100))
    department_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("department.id"), index=True)
    is_member: so.Mapped[bool] = so.mapped_column(default=True)
    member_since: so.Mapped[date | None]
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    phone: so.Mapped[str] = so.mapped_column(sa.String(30), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Part of the calendar fingerprint: events of the sessions it hosts show its address.
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    department: so.Mapped[Department] = so.relationship(back_populates="centres")

    @property
    def full_address(self) -> str:
        parts = [self.address, f"{self.postcode} {self.town}".strip()]
        return ", ".join(part for part in parts if part)

    @property
    def label(self) -> str:
        """The centre as a place: its name and address, in one line."""
        return ", ".join(part for part in (self.name, self.full_address) if part)

    def __repr__(self) -> str:
        return f"<Centre {self.id} {self.name}>"


class UserRole(db.Model):
    __tablename__ = "user_role"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: so.Mapped[Role] = so.mapped_column(enum_column(Role), primary_key=True, index=True)

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


class PersonName:
    """A person's name written two ways, for anything with ``first_name`` and ``last_name``
    (the model, and the plain rows pages read instead of it)."""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def sort_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()


class User(PersonName, UserMixin, db.Model):
    """A person of the network, with or without an account (guests have no e-mail)."""

    __tablename__ = "user"
    __table_args__ = (sa.Index("ix_user_centre_name", "centre_id", "last_name", "first_name"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254), unique=True)
    first_name: so.Mapped[str] = so.mapped_column(sa.String(80))
    last_name: so.Mapped[str] = so.mapped_column(sa.String(80), index=True)
    phone: so.Mapped[str] = so.mapped_column(sa.String(30), default="")
    # active_history: the value before a change is known at flush time, even when it was not
    # loaded, for the people counts (reseau/accounts/counts.py).
    centre_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("centre.id"), active_history=True
    )
    category: so.Mapped[Category] = so.mapped_column(enum_column(Category), index=True)
    # Finer than the category, free text ("élu municipal", "agent CAF"): the bilan counts them.
    sub_category: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    status: so.Mapped[UserStatus] = so.mapped_column(
        enum_column(UserStatus), default=UserStatus.ACTIVE, index=True, active_history=True
    )
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(256))
    # Bumped on logout, password change or deactivation to end every other session.
    session_version: so.Mapped[int] = so.mapped_column(default=1)
    directory_consent: so.Mapped[bool] = so.mapped_column(default=False)
    # Issue 19: the person lets their centre's referent read their parcours (reseau/parcours).
    parcours_shared: so.Mapped[bool] = so.mapped_column(default=False)
    invited_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    approved_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    centre: so.Mapped[Centre | None] = so.relationship()
    role_rows: so.Mapped[list[UserRole]] = so.relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[Role]:
        known = self.__dict__.get("_read_roles")
        if known is not None:
            return set(known)
        return {row.role for row in self.role_rows}

    def read_roles(self, roles: frozenset[Role]) -> None:
        """Hold ``roles`` as read with the person (the user loader's statement), so that
        ``roles`` and the ``is_x`` checks do not load ``role_rows``; ``set_roles`` drops it."""
        self.__dict__["_read_roles"] = roles

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles) -> None:
        """Replace this person's roles by ``roles`` (participant is always kept)."""
        wanted = {Role(role) for role in roles} | {Role.PARTICIPANT}
        self.__dict__.pop("_read_roles", None)
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        for role in sorted(wanted - self.roles):
            self.role_rows.append(UserRole(role=role))

    @property
    def mailable(self) -> bool:
        """Whether e-mails go to this person: an address and an active account."""
        return bool(self.email) and self.status == UserStatus.ACTIVE

    @property
    def is_coordinator(self) -> bool:
        return Role.COORDINATOR in self.roles

    @property
    def is_referent(self) -> bool:
        return Role.REFERENT in self.roles and self.centre_id is not None

    @property
    def is_disability_referent(self) -> bool:
        return Role.DISABILITY in self.roles

    @property
    def is_trainer(self) -> bool:
        return Role.TRAINER in self.roles

    @property
    def is_active(self) -> bool:  # Flask-Login: only active people may log in
        return self.status == UserStatus.ACTIVE

    def get_id(self) -> str:
        # Flask-Login's alternative id: a bumped session_version logs out every session.
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class PeopleCount(db.Model):
    """How many people a centre has in each status (centre 0: people without a centre).

    A summary row (issue 21): the coordinator's home shows the network's active and pending
    people without counting 90,000 rows. Kept in the transaction of every change of a
    person's status or centre (``reseau.accounts.counts``), rebuilt by ``rebuild-rollups``.
    """

    __tablename__ = "people_count"

    status: so.Mapped[str] = so.mapped_column(sa.String(16), primary_key=True)
    centre_id: so.Mapped[int] = so.mapped_column(primary_key=True)
    people: so.Mapped[int] = so.mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<PeopleCount {self.status} centre={self.centre_id} {self.people}>"


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a secret)


class AccountToken(db.Model):
    """A single-use link sent by e-mail; only the token's SHA-256 is stored."""

    __tablename__ = "account_token"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    purpose: so.Mapped[TokenPurpose] = so.mapped_column(enum_column(TokenPurpose))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    user: so.Mapped[User] = so.relationship()

    def __repr__(self) -> str:
        return f"<AccountToken {self.id} {self.purpose} user={self.user_id}>"
