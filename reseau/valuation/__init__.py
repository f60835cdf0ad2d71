"""Valuing volunteer time (valorisation du bénévolat): volunteers' hours in training and
volunteer trainers' hours (delivery and preparation) at the year's hourly rate, per centre and
year, the figures an association books as accounts 864 / 870."""

from flask import Blueprint

bp = Blueprint("valuation", __name__)

from reseau.valuation import views  # noqa: E402, F401
