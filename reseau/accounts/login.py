"""Flask-Login set-up: sessions carry the person's id and session version."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import flash, g, redirect, request
from flask_login.utils import login_url

from reseau.accounts.models import Role, User, UserRole
from reseau.core.errors import render_error
from reseau.core.extensions import db, login_manager
from reseau.core.web import safe_next, wants_fragment


def init_login(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def unauthorized():
        flash(login_manager.login_message, login_manager.login_message_category)
        if not wants_fragment():
            return redirect(login_url(login_manager.login_view, next_url=request.url))
        # An htmx fragment request (a live filter after the session ended): following a
        # redirect would swap the login page into the fragment's place; send the whole
        # window to the login page instead, coming back to the page the person was on.
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        page = current.path + (f"?{current.query}" if current.query else "")
        body, status, headers = render_error(401)
        headers["HX-Redirect"] = login_url(
            login_manager.login_view, next_url=safe_next(page, request.path)
        )
        return body, status, headers

    @login_manager.user_loader
    def load_user(alternative_id: str) -> User | None:
        user_id, _, version = alternative_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = _person(int(user_id))
        if user is None or user.session_version != int(version) or not user.is_active:
            return None
        return user


# What other rooms read of the signed-in person on every page, asked in the user loader's
# statement instead of one statement more per page: ``g`` name -> (a function building a
# column correlated with ``User``, a function giving its bound parameters' values).
_PERSON_COLUMNS: dict[str, tuple[Callable[[], sa.ColumnElement], Callable[[], dict]]] = {}


def read_with_person(name: str, column: Callable[[], sa.ColumnElement], values=dict) -> None:
    """Have the user loader also read ``column()`` (bound with ``values()``) and keep the
    answer as ``g.<name>``, for the request. When the person was loaded otherwise (already
    in the session), ``g`` holds nothing: the reader asks for itself."""
    _PERSON_COLUMNS[name] = (column, values)
    _person_statement.cache_clear()


@cache
def _person_statement() -> sa.Select:
    # Roles and centre joined in: pages ask for them, one query instead of three. Built once
    # per process: every logged-in request runs it, and building a statement (and its cache
    # key) costs more than running it.
    # The roles as one string column (not a joined collection: no row per role, no
    # ``unique()``, no UserRole entity), held on the person by ``User.read_roles``.
    roles = (
        sa.select(sa.func.aggregate_strings(UserRole.role, ","))
        .where(UserRole.user_id == User.id)
        .scalar_subquery()
    )
    return (
        sa.select(User, roles, *(column() for column, _ in _PERSON_COLUMNS.values()))
        .options(so.joinedload(User.centre), so.lazyload(User.role_rows))
        .where(User.id == sa.bindparam("user_id"))
    )


def _person(user_id: int) -> User | None:
    """What ``db.session.get`` would give (the session's copy if it holds one already)."""
    held = db.session.identity_map.get(so.util.identity_key(User, user_id))
    if held is not None:
        return held
    values = {"user_id": user_id}
    for _, more in _PERSON_COLUMNS.values():
        values.update(more())
    row = db.session.execute(_person_statement(), values).one_or_none()
    if row is None:
        return None
    person, roles = row[0], row[1]
    if "role_rows" not in person.__dict__:  # else already loaded: those are the roles
        person.read_roles(
            frozenset(Role(role) for role in roles.split(",")) if roles else frozenset()
        )
    for name, answer in zip(_PERSON_COLUMNS, row[2:], strict=True):
        setattr(g, name, answer)
    return person
