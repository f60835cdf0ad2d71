"""Funders: who pays for each session, and each funder's report (FDVA, FOSFORA, OPCO…)."""

from flask import Blueprint

bp = Blueprint("funding", __name__)

from reseau.funding import views  # noqa: E402, F401
