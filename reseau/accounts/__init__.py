"""Accounts: logging in, invitations, self-registration, people, centres and départements."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from reseau.accounts import auth_views, directory_views, people_views  # noqa: E402, F401
