"""Home pages by role."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flask import render_template
from flask_login import current_user

from reseau.adjustments.queries import open_count, reads_requests
from reseau.attendance.queries import attended_sessions
from reseau.core.cache import kept, key_of
from reseau.core.database import utcnow
from reseau.enrolment.models import EnrolmentStatus
from reseau.evaluation.queries import latest_centre_review
from reseau.main import bp
from reseau.main.nav import page_nav
from reseau.main.queries import (
    coordinator_summary,
    my_open_diagnostics,
    my_upcoming_enrolments,
    referent_summary,
    trainer_upcoming_sessions,
)
from reseau.reports.dashboard import FEEDBACK_DAYS, Attention, attention, next_change

# Certificates of sessions closed this long ago or less are shown on the home page.
RECENT_CERTIFICATES = timedelta(days=120)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    # The person once: each ``current_user`` is a lookup through Flask-Login's proxy.
    person = current_user._get_current_object()
    my_enrolments = my_upcoming_enrolments(person)
    context = {
        "my_enrolments": my_enrolments,
        "offers": [e for e in my_enrolments if e.status == EnrolmentStatus.OFFERED],
        # As in the navigation (its answer, read once): managers reach the diagnostic through
        # its administration; nobody else is asked when no open campaign is meant for them.
        "diagnostics": my_open_diagnostics(person) if page_nav().diagnostic else [],
        **_my_closed_sessions(person),
    }
    if person.is_coordinator:
        context["coordinator"], context["attention"] = _coordinator_figures()
    if person.is_referent:
        context["referent"] = referent_summary(person)
        if person.centre_id:
            context["centre_review"] = latest_centre_review(person.centre_id)
    if person.is_trainer:
        context["trainer_sessions"] = trainer_upcoming_sessions(person)
    if reads_requests(person):
        # Counted with the coordinator's figures when there are some.
        summary = context.get("coordinator")
        context["open_adjustments"] = summary["open_adjustments"] if summary else open_count()
    return render_template("main/home.html", **context)


def _coordinator_figures() -> tuple[dict, Attention]:
    """The network's counts and what needs attention: the same for every coordinator, kept
    between requests until a write to what they read or ``next_change`` (core.cache)."""
    now = utcnow()

    def compute():
        return (coordinator_summary(), attention(now)), next_change(now)

    summary, found = kept(key_of("home-coordinator"), compute)
    # "Since" is shown by the day: today's, whenever the count was taken (it still holds).
    return summary, replace(found, feedback_since=now - timedelta(days=FEEDBACK_DAYS))


def _my_closed_sessions(person) -> dict:
    """Feedback waiting, and the certificates of sessions closed lately (older ones are in
    "Mes formations"), from the attendance room's list."""
    attended = attended_sessions(person)
    since = utcnow() - RECENT_CERTIFICATES
    return {
        "feedback_waiting": [item for item in attended if item["feedback_waiting"]],
        "certificates": [
            item
            for item in attended
            if item["session"].closed_at is None or item["session"].closed_at >= since
        ][:3],
        "attended_count": len(attended),
    }
