"""Home pages by role."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from reseau.enrolment.models import EnrolmentStatus
from reseau.main import bp
from reseau.main.queries import (
    coordinator_summary,
    my_open_diagnostics,
    my_upcoming_enrolments,
    referent_summary,
    trainer_upcoming_sessions,
)
from reseau.reports.dashboard import attention


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    my_enrolments = my_upcoming_enrolments(current_user)
    context = {
        "my_enrolments": my_enrolments,
        "offers": [e for e in my_enrolments if e.status == EnrolmentStatus.OFFERED],
        # Managers reach the diagnostic through its administration (as in the navigation).
        "diagnostics": []
        if current_user.is_coordinator or current_user.is_referent
        else my_open_diagnostics(current_user),
    }
    if current_user.is_coordinator:
        context["coordinator"] = coordinator_summary()
        context["attention"] = attention()
    if current_user.is_referent:
        context["referent"] = referent_summary(current_user)
    if current_user.is_trainer:
        context["trainer_sessions"] = trainer_upcoming_sessions(current_user)
    return render_template("main/home.html", **context)
