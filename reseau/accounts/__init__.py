"""Accounts: logging in, invitations, self-registration, people, centres and départements."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from reseau.accounts import (  # noqa: E402, F401
    announcements,
    auth_views,
    counts,
    directory_views,
    people_views,
)


def init_app(app) -> None:
    """Logging in (Flask-Login): who the visitor is, on every request."""
    from reseau.accounts.login import init_login

    init_login(app)
