"""The diagnostic room (see its views module)."""

from flask import Blueprint

bp = Blueprint("diagnostic", __name__)

from reseau.diagnostic import receivers, views  # noqa: E402, F401
