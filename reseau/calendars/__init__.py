"""The calendars room (see its views module)."""

from flask import Blueprint

bp = Blueprint("calendars", __name__)

from reseau.calendars import views  # noqa: E402, F401
