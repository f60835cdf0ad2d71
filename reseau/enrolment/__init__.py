"""The enrolment room (see its views module)."""

from flask import Blueprint

bp = Blueprint("enrolment", __name__)

from reseau.catalogue.signals import session_cancelled, session_changed  # noqa: E402
from reseau.enrolment import catalogue_views, operations, views  # noqa: E402, F401

# The catalogue announces cancellations and changes; this room tells the people enrolled.
session_cancelled.connect(operations.on_session_cancelled)
session_changed.connect(operations.on_session_changed)
# More seats, from whatever form or command, move the waitlist up before the commit.
operations.listen_for_capacity_changes()
