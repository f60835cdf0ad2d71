"""The catalogue: themes, cycles, modules, sessions and séances."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from reseau.catalogue import admin_views  # noqa: E402, F401
