"""The reports room: the annual bilan (figures, charts, exports) on top of every other room."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from reseau.reports import views  # noqa: E402, F401
