"""The catalogue: themes, cycles, modules, sessions and séances."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from reseau.accounts.signals import centre_moved  # noqa: E402
from reseau.catalogue import admin_views, programme  # noqa: E402, F401
from reseau.catalogue.operations import on_centre_moved  # noqa: E402

# A host centre's new address reaches the calendars of the sessions it hosts.
centre_moved.connect(on_centre_moved)
