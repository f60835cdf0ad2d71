"""The home page: what each person needs first, by role."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from reseau.main import health, mail_views, nav, views  # noqa: E402, F401
