"""Complaints and difficulties (Qualiopi indicator 31): anyone sends one, the coordination
keeps the register, answers and closes; the accessibility statement points here."""

from flask import Blueprint

bp = Blueprint("complaints", __name__)

from reseau.complaints import views  # noqa: E402, F401
