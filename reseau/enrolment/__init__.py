"""The enrolment room (see its views module)."""

from flask import Blueprint

bp = Blueprint("enrolment", __name__)

from reseau.enrolment import views  # noqa: E402, F401
