"""Access checks: who may see and change what. Every view goes through these."""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required

from reseau.accounts.models import Role, User, UserRole
from reseau.core.extensions import db


def roles_required(*roles: Role):
    """Let the view run only for a logged-in person holding one of ``roles`` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


coordinator_required = roles_required(Role.COORDINATOR)
manager_required = roles_required(Role.COORDINATOR, Role.REFERENT)
trainer_required = roles_required(Role.COORDINATOR, Role.TRAINER)


def visible_people(actor: User) -> sa.Select:
    """Return a SELECT of the people ``actor`` may manage: everyone, or their centre's."""
    query = sa.select(User)
    if actor.is_coordinator:
        return query
    if actor.is_referent:
        # Not the coordinators, even of their centre: a referent who could change a
        # coordinator's e-mail could then reset their password and take their account.
        coordinators = sa.select(UserRole.user_id).where(UserRole.role == Role.COORDINATOR)
        return query.where(User.centre_id == actor.centre_id, User.id.not_in(coordinators))
    return query.where(sa.false())


def can_manage_person(actor: User, person: User) -> bool:
    """Return whether ``person`` is within ``actor``'s reach: their page, their enrolments.

    Acting on the person's account needs more: ``may_act_on_person``.
    """
    if actor.is_coordinator:
        return True
    return actor.is_referent and person.centre_id == actor.centre_id and not person.is_coordinator


def holds_every_role(actor: User, person: User) -> bool:
    """Return whether ``actor`` holds every role ``person`` holds (coordination covers all)."""
    return actor.is_coordinator or person.roles <= actor.roles


def may_act_on_person(actor: User, person: User) -> bool:
    """The one rule for every action on someone's account (edit, e-mail, roles, disable or
    enable, invitation, approval, anonymisation): the person is within reach and ``actor``
    holds every role they hold. A referent who could change a trainer's e-mail could reset
    the password there and log in as the trainer: only the coordinator does that.
    """
    return can_manage_person(actor, person) and holds_every_role(actor, person)


def get_person_or_404(actor: User, person_id: int) -> User:
    """Return the person ``actor`` may see; 404 (not 403) hides others' existence."""
    person = db.session.get(User, person_id)
    if person is None or not can_manage_person(actor, person):
        abort(404)
    return person


def get_person_to_act_on(actor: User, person_id: int) -> User:
    """Return the person ``actor`` may act on: 404 if out of reach, 403 if they hold a role
    ``actor`` does not (the person is visible, so there is nothing to hide)."""
    person = get_person_or_404(actor, person_id)
    if not may_act_on_person(actor, person):
        abort(403)
    return person
