"""Account operations: invitations, password resets, self-registration and approval.

Functions take models and an explicit actor, add to the session and flush; views commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from reseau.accounts.models import (
    AccountToken,
    Category,
    Centre,
    Role,
    TokenPurpose,
    User,
    UserRole,
    UserStatus,
)
from reseau.audit import record_audit
from reseau.database import lock_row, utcnow
from reseau.extensions import db
from reseau.outbox import external_url, queue_mail


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def issue_token(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """Create a single-use token for ``user``; return the secret (only its hash is kept).

    Earlier unused tokens of the same purpose are voided, so only the latest link works
    (the person's row is locked: two requests at once leave one valid link).
    """
    lock_row(user)
    now = utcnow()
    db.session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    secret = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user=user,
            purpose=purpose,
            token_hash=hash_token(secret),
            expires_at=now + lifetime,
        )
    )
    db.session.flush()
    return secret


def find_valid_token(secret: str, purpose: TokenPurpose) -> AccountToken | None:
    """Return the unused, unexpired token matching ``secret``, or None."""
    token = db.session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == hash_token(secret))
    )
    if token is None or token.purpose != purpose or token.used_at is not None:
        return None
    if token.expires_at <= utcnow():
        return None
    if token.user.status not in (UserStatus.ACTIVE, UserStatus.INVITED):
        # Disabled (or declined, anonymised) since the link was sent: it must not reopen it.
        return None
    return token


def set_password_with_token(token: AccountToken, password: str) -> User | None:
    """Use ``token`` once: set the person's password and activate an invited account.

    None when the token was used meanwhile (the same link posted twice at once)."""
    lock_row(token)
    if token.used_at is not None:
        return None
    user = token.user
    token.used_at = utcnow()
    user.set_password(password)
    user.session_version += 1  # other sessions end with a new password
    if user.status == UserStatus.INVITED:
        user.status = UserStatus.ACTIVE
    db.session.flush()
    return user


def _new_person(
    email: str,
    first_name: str,
    last_name: str,
    phone: str,
    centre: Centre | None,
    category: Category,
    status: UserStatus,
) -> User:
    return User(
        email=normalise_email(email),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone.strip(),
        centre=centre,
        category=category,
        status=status,
    )


def invite_person(
    *,
    actor: User,
    email: str,
    first_name: str,
    last_name: str,
    centre: Centre | None,
    category: Category,
    roles=(),
    phone: str = "",
) -> User:
    """Create an invited person and queue their invitation e-mail."""
    person = _new_person(email, first_name, last_name, phone, centre, category, UserStatus.INVITED)
    person.invited_by_id = actor.id
    person.set_roles(roles)
    db.session.add(person)
    db.session.flush()
    send_invitation(person, actor=actor)
    record_audit(actor, "person.invite", person, summary=f"Invitation de {person.email}")
    return person


def send_invitation(person: User, *, actor: User) -> None:
    """Queue (again) the invitation e-mail with a fresh link for ``person``."""
    days = current_app.config["INVITATION_DAYS"]
    secret = issue_token(person, TokenPurpose.INVITATION, timedelta(days=days))
    queue_mail(
        person.email,
        "Votre invitation à Réseau",
        "invitation",
        person=person,
        inviter=actor,
        link=external_url("accounts.accept_invitation", token=secret),
        days=days,
    )


def request_password_reset(email: str) -> None:
    """Queue a reset link if an active account has ``email``; say nothing either way."""
    user = get_user_by_email(email)
    if user is None or user.status not in (UserStatus.ACTIVE, UserStatus.INVITED):
        return
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    secret = issue_token(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=hours))
    queue_mail(
        user.email,
        "Réinitialiser votre mot de passe Réseau",
        "password_reset",
        person=user,
        link=external_url("accounts.reset_password", token=secret),
        hours=hours,
    )


def register_person(
    *,
    email: str,
    first_name: str,
    last_name: str,
    centre: Centre,
    category: Category,
    password: str,
    phone: str = "",
) -> User:
    """Create a self-registered account, pending approval by the centre's referents."""
    person = _new_person(email, first_name, last_name, phone, centre, category, UserStatus.PENDING)
    person.set_password(password)
    person.set_roles([Role.PARTICIPANT])
    db.session.add(person)
    db.session.flush()
    for referent in centre_referents(centre):
        queue_mail(
            referent.email,
            f"Nouvelle demande de compte : {person.full_name}",
            "registration_to_approve",
            referent=referent,
            person=person,
            link=external_url("accounts.person_pending"),
        )
    return person


def centre_referents(centre: Centre) -> list[User]:
    """Return the active referents of ``centre`` (who approve its registrations)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                User.centre_id == centre.id,
                User.status == UserStatus.ACTIVE,
                User.email.is_not(None),
                UserRole.role == Role.REFERENT,
            )
            .order_by(User.last_name)
        )
    )


def approve_person(person: User, *, actor: User) -> bool:
    """Activate a pending self-registration and tell the person; False if already decided."""
    if lock_row(person).status != UserStatus.PENDING:
        return False
    person.status = UserStatus.ACTIVE
    person.approved_by_id = actor.id
    record_audit(actor, "person.approve", person, summary=f"Compte validé : {person.email}")
    queue_mail(
        person.email,
        "Votre compte Réseau est validé",
        "registration_approved",
        person=person,
        link=external_url("accounts.login"),
    )
    db.session.flush()
    return True


def decline_person(person: User, *, actor: User) -> bool:
    """Refuse a pending self-registration (account disabled, person told); False if decided."""
    if lock_row(person).status != UserStatus.PENDING:
        return False
    person.status = UserStatus.DISABLED
    person.approved_by_id = actor.id
    record_audit(actor, "person.decline", person, summary=f"Demande refusée : {person.email}")
    queue_mail(
        person.email,
        "Votre demande de compte Réseau",
        "registration_declined",
        person=person,
    )
    db.session.flush()
    return True


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()
