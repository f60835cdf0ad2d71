"""Membership of the network (adhésions): per centre and year, the budget it declared, the
fee it owes (0.10 % of that budget by default), the date it paid; the yearly call for fees."""

from flask import Blueprint

bp = Blueprint("membership", __name__)

from reseau.membership import views  # noqa: E402, F401
