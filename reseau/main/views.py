"""Home pages by role."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from reseau.main import bp
from reseau.main.queries import (
    coordinator_summary,
    my_upcoming_enrolments,
    referent_summary,
    trainer_upcoming_sessions,
)
from reseau.reports.dashboard import attention


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    context = {"my_enrolments": my_upcoming_enrolments(current_user)}
    if current_user.is_coordinator:
        context["coordinator"] = coordinator_summary()
        context["attention"] = attention()
    if current_user.is_referent:
        context["referent"] = referent_summary(current_user)
    if current_user.is_trainer:
        context["trainer_sessions"] = trainer_upcoming_sessions(current_user)
    return render_template("main/home.html", **context)
