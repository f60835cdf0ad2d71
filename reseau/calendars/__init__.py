"""The calendars room (see its views module)."""

from flask import Blueprint

bp = Blueprint("calendars", __name__)

# attachments connects the receiver that puts invitations on enrolment e-mails.
from reseau.calendars import attachments, views  # noqa: E402, F401
