"""Evaluation after the training: cold questionnaire, trainers' and referents' evaluations."""

from flask import Blueprint

bp = Blueprint("evaluation", __name__)

from reseau.evaluation import results, views  # noqa: E402, F401
