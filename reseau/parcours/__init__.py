"""Mon parcours: a person's training record over the years (sessions attended, hours,
objectives, certificates, their own diagnostic ratings from one campaign to the next), as a
page and a PDF, and whether their centre's referent may read it."""

from flask import Blueprint

bp = Blueprint("parcours", __name__)

from reseau.parcours import views  # noqa: E402, F401
