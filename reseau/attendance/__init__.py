"""The attendance room: rosters on a phone, walk-ins, self check-in, closing a session,
sign-in sheets, attendance certificates and feedback (see its views module)."""

from flask import Blueprint

bp = Blueprint("attendance", __name__)

from reseau.attendance import receivers, views  # noqa: E402, F401
