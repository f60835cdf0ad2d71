"""Account operations: invitations, password resets, self-registration, approval and edits.

Functions take models and an explicit actor, add to the session and flush; views commit.
Whether ``actor`` may act on a person at all is ``access.may_act_on_person``, checked by views.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from reseau.accounts import signals
from reseau.accounts.models import (
    AccountToken,
    Category,
    Centre,
    Department,
    Role,
    TokenPurpose,
    User,
    UserStatus,
)
from reseau.accounts.queries import centre_referents, get_user_by_email, normalise_email
from reseau.accounts.signals import centre_moved, centre_regrouped
from reseau.accounts.subcategories import normalise_sub_category
from reseau.core.audit import record_audit
from reseau.core.database import lock_row, utcnow
from reseau.core.extensions import db
from reseau.outbox import external_url, queue_mail


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """Create a single-use token for ``user``; return the secret (only its hash is kept).

    Earlier unused tokens of the same purpose are voided, so only the latest link works
    (the person's row is locked: two requests at once leave one valid link).
    """
    return issue_tokens([user], purpose, lifetime)[user.id]


def issue_tokens(users: list[User], purpose: TokenPurpose, lifetime: timedelta) -> dict[int, str]:
    """``issue_token`` for many people at once (an import): {person id: secret}."""
    ids = [user.id for user in users]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        if len(users) == 1:
            lock_row(users[0])
        else:  # the same lock as lock_row, one statement per 500 people
            db.session.execute(
                sa.select(User)
                .where(User.id.in_(chunk))
                .with_for_update(of=User)
                .execution_options(populate_existing=True)
            ).all()
        db.session.execute(
            sa.update(AccountToken)
            .where(
                AccountToken.user_id.in_(chunk),
                AccountToken.purpose == purpose,
                AccountToken.used_at.is_(None),
            )
            .values(used_at=utcnow())
        )
    now = utcnow()
    secrets_by_id = {}
    for user in users:
        secret = secrets.token_urlsafe(32)
        secrets_by_id[user.id] = secret
        db.session.add(
            AccountToken(
                user_id=user.id,
                purpose=purpose,
                token_hash=hash_token(secret),
                expires_at=now + lifetime,
            )
        )
    db.session.flush()
    return secrets_by_id


def void_tokens(user: User) -> None:
    """Void every unused link (invitation, reset) of ``user``."""
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


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
    sub_category: str = "",
) -> User:
    return User(
        email=normalise_email(email),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone.strip(),
        centre=centre,
        category=category,
        sub_category=normalise_sub_category(sub_category),
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
    sub_category: str = "",
) -> User:
    """Create an invited person and queue their invitation e-mail."""
    person = _new_person(
        email, first_name, last_name, phone, centre, category, UserStatus.INVITED, sub_category
    )
    person.invited_by_id = actor.id
    person.set_roles(roles)
    db.session.add(person)
    db.session.flush()
    send_invitation(person, actor=actor)
    record_audit(actor, "person.invite", person, summary=f"Invitation de {person.email}")
    return person


def send_invitation(person: User, *, actor: User) -> None:
    """Queue (again) the invitation e-mail with a fresh link for ``person``."""
    send_invitations([person], actor=actor)


def send_invitations(people: list[User], *, actor: User) -> None:
    """``send_invitation`` for many people at once (an import's invitations)."""
    days = current_app.config["INVITATION_DAYS"]
    secrets_by_id = issue_tokens(people, TokenPurpose.INVITATION, timedelta(days=days))
    for person in people:
        queue_mail(
            person.email,
            "Votre invitation à Réseau",
            "invitation",
            person=person,
            inviter=actor,
            link=external_url("accounts.accept_invitation", token=secrets_by_id[person.id]),
            days=days,
        )


def update_person(person: User, data: dict, *, actor: User, invite: bool = True) -> None:
    """Apply the person form's ``data``; ``centre`` and ``roles`` only when given (coordinator).

    Role and centre changes are audited; a new e-mail goes through ``change_email``.
    """
    lock_row(person)  # two editors at once: the second starts from the first's roles
    before = _roles_and_centre(person)
    group = (person.centre_id, person.category, person.sub_category)
    person.first_name = data["first_name"].strip()
    person.last_name = data["last_name"].strip()
    person.phone = (data.get("phone") or "").strip()
    person.category = Category(data["category"])
    if "sub_category" in data:
        person.sub_category = normalise_sub_category(data["sub_category"])
    if "centre" in data:
        person.centre = data["centre"]
    if "roles" in data:
        person.set_roles(data["roles"])
    after = _roles_and_centre(person)
    if before != after:
        record_audit(
            actor, "person.roles", person, summary=person.full_name, before=before, after=after
        )
    change_email(person, data["email"], actor=actor, invite=invite)
    db.session.flush()
    if (person.centre_id, person.category, person.sub_category) != group:
        signals.person_regrouped.send(person, centre_id=group[0], category=group[1])


def _roles_and_centre(person: User) -> dict:
    return {"roles": sorted(r.value for r in person.roles), "centre_id": person.centre_id}


def change_email(person: User, email: str, *, actor: User, invite: bool = True) -> bool:
    """Give ``person`` a new address; return False if it is the same.

    Whoever controls the address controls the account (password resets go there), so the
    change is audited, the old address is told, the person's sessions end and every link
    sent to the old address stops working. An invited person gets a new invitation.
    """
    old, new = person.email, normalise_email(email)
    if new == old:
        return False
    person.email = new
    person.session_version += 1
    void_tokens(person)
    record_audit(
        actor,
        "person.email",
        person,
        summary=f"Adresse e-mail de la personne n°{person.id} modifiée",
        before={"email": old},
        after={"email": new},
    )
    if old:
        queue_mail(
            old,
            "Votre adresse e-mail Réseau a changé",
            "email_changed",
            person=person,
            actor=actor,
            link=external_url("accounts.login"),
        )
    if invite and person.status == UserStatus.INVITED:
        send_invitation(person, actor=actor)
    db.session.flush()
    return True


def disable_person(person: User, *, actor: User, reason: str = "") -> None:
    """Disable an active or invited account: sessions and links end, the person is told."""
    if lock_row(person).status not in (UserStatus.ACTIVE, UserStatus.INVITED):
        return
    person.status = UserStatus.DISABLED
    person.session_version += 1  # ends the person's open sessions
    void_tokens(person)
    record_audit(actor, "person.disable", person, summary=person.full_name)
    if person.email:
        queue_mail(
            person.email,
            "Votre compte Réseau est désactivé",
            "account_disabled",
            person=person,
            actor=actor,
            reason=reason,
        )
    db.session.flush()


def enable_person(person: User, *, actor: User) -> None:
    """Give a disabled account back; someone disabled before choosing a password goes back
    to "invited" (and can be sent a new invitation)."""
    if lock_row(person).status != UserStatus.DISABLED:
        return
    person.status = UserStatus.ACTIVE if person.password_hash else UserStatus.INVITED
    record_audit(actor, "person.enable", person, summary=person.full_name)
    db.session.flush()


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


# A self-registration link: the address's owner creates the account from it.
REGISTRATION_HOURS = 48


def _registration_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="reseau-registration")


def request_registration(
    *,
    email: str,
    first_name: str,
    last_name: str,
    centre: Centre,
    category: Category,
    phone: str = "",
    sub_category: str = "",
) -> None:
    """Answer a self-registration by e-mail only, the same way for a known or a new address.

    Nothing is stored: a new address gets a signed link from which its owner chooses a
    password and creates the pending account, so nobody can hold an address they cannot
    read. A known address gets a note saying an account exists (as "mot de passe oublié"
    says nothing on the page either).
    """
    email = normalise_email(email)
    existing = get_user_by_email(email)
    if existing is not None:
        queue_mail(
            email,
            "Votre demande de compte Réseau",
            "registration_known_address",
            person=existing,
            login_link=external_url("accounts.login"),
            reset_link=external_url("accounts.forgot_password"),
        )
        return
    data = {
        "email": email,
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "phone": phone.strip(),
        "centre_id": centre.id,
        "category": category.value,
        "sub_category": normalise_sub_category(sub_category),
    }
    queue_mail(
        email,
        "Confirmez votre adresse pour créer votre compte Réseau",
        "registration_confirm",
        first_name=data["first_name"],
        centre=centre,
        link=external_url(
            "accounts.confirm_registration", token=_registration_serializer().dumps(data)
        ),
        hours=REGISTRATION_HOURS,
    )


def find_registration(token: str) -> dict | None:
    """Return the registration a link carries (``centre`` loaded), or None if the link is
    forged, expired, already used or its address has an account by now."""
    try:
        data = _registration_serializer().loads(token, max_age=REGISTRATION_HOURS * 3600)
        centre = db.session.get(Centre, int(data["centre_id"]))
        category = Category(data["category"])
        email = str(data["email"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if centre is None or get_user_by_email(email) is not None:
        return None
    return {**data, "centre": centre, "category": category}


def register_person(
    *,
    email: str,
    first_name: str,
    last_name: str,
    centre: Centre,
    category: Category,
    password: str,
    phone: str = "",
    sub_category: str = "",
) -> User:
    """Create a self-registered account, pending approval by the centre's referents."""
    person = _new_person(
        email, first_name, last_name, phone, centre, category, UserStatus.PENDING, sub_category
    )
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


def approve_person(person: User, *, actor: User) -> bool:
    """Activate a pending self-registration and tell the person; False if already decided."""
    return _decide(
        person,
        UserStatus.ACTIVE,
        actor=actor,
        action="person.approve",
        summary=f"Compte validé : {person.email}",
        subject="Votre compte Réseau est validé",
        template="registration_approved",
        link=external_url("accounts.login"),
    )


def decline_person(person: User, *, actor: User) -> bool:
    """Refuse a pending self-registration (account disabled, person told); False if decided."""
    return _decide(
        person,
        UserStatus.DISABLED,
        actor=actor,
        action="person.decline",
        summary=f"Demande refusée : {person.email}",
        subject="Votre demande de compte Réseau",
        template="registration_declined",
    )


def _decide(
    person: User,
    status: UserStatus,
    *,
    actor: User,
    action: str,
    summary: str,
    subject: str,
    template: str,
    **mail,
) -> bool:
    """Decide a pending self-registration once (the row locked): the new status, the audit
    line and the e-mail to the person; False if someone decided first."""
    if lock_row(person).status != UserStatus.PENDING:
        return False
    person.status = status
    person.approved_by_id = actor.id
    record_audit(actor, action, person, summary=summary)
    queue_mail(person.email, subject, template, person=person, **mail)
    db.session.flush()
    return True


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


def add_person(
    *,
    actor: User,
    email: str | None,
    first_name: str,
    last_name: str,
    centre: Centre | None,
    category: Category,
    phone: str = "",
    sub_category: str = "",
    invite: bool,
) -> User:
    """Create a participant without auditing each one (an import audits itself as a whole).

    With ``invite`` and an e-mail, an invited account whose invitation the caller sends
    (``send_invitations``) now or later (the person's "Renvoyer l'invitation"). Otherwise a
    person without an account (as a walk-in): they can be enrolled and marked present by
    others. Not flushed: many people are added at once.
    """
    invited = invite and bool(email)
    status = UserStatus.INVITED if invited else UserStatus.GUEST
    person = _new_person(email or "", first_name, last_name, phone, centre, category, status)
    person.email = person.email or None
    person.sub_category = sub_category.strip()
    person.invited_by_id = actor.id if invited else None
    person.set_roles([])  # participant
    db.session.add(person)
    return person


# --- Départements and centres ----------------------------------------------------------------


def save_department(department: Department | None, data: dict, *, actor: User) -> Department:
    """Create (``department`` None) or update a département from the form's ``data``."""
    if department is None:
        department = Department()
        db.session.add(department)
    department.code = data["code"].upper()
    department.name = data["name"]
    db.session.flush()
    return department


def save_centre(centre: Centre | None, data: dict, *, actor: User) -> Centre:
    """Create (``centre`` None) or update a centre from the form's ``data``; audited. A
    centre whose name or address changes is announced (``centre_moved``): the sessions it
    hosts show that place."""
    creating = centre is None
    if creating:
        centre = Centre()
        db.session.add(centre)
    else:
        lock_row(centre)
    label_before = None if creating else centre.label
    department_before = centre.department_id
    centre.name = data["name"]
    centre.address = data["address"] or ""
    centre.postcode = data["postcode"] or ""
    centre.town = data["town"]
    centre.department_id = data["department_id"]
    centre.is_member = data["is_member"]
    centre.member_since = data["member_since"] if data["is_member"] else None
    centre.email = (data["email"] or "").lower()
    centre.phone = data["phone"] or ""
    db.session.flush()
    if not creating and centre.department_id != department_before:
        centre_regrouped.send(centre, department_id=department_before)
    record_audit(
        actor, "centre.create" if creating else "centre.update", centre, summary=centre.name
    )
    if not creating and centre.label != label_before:
        centre_moved.send(centre, before=label_before, actor=actor)
    return centre
