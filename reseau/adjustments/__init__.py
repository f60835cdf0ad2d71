"""Adjustments: the confidential requests of people who need an adjustment to follow a
session (disability), read and answered by the coordinator and the référent·e handicap."""

from flask import Blueprint

bp = Blueprint("adjustments", __name__)

from reseau.adjustments import views  # noqa: E402, F401
