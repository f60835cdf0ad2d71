"""The diagnostic room (see its views module)."""

from flask import Blueprint

bp = Blueprint("diagnostic", __name__)

from reseau.diagnostic import views  # noqa: E402, F401
