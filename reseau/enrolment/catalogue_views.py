"""The public catalogue: sessions, cycles and themes anyone can browse (no personal data).

It lives in the enrolment room because every list shows seats left and every session page
the visitor's own enrolment: the catalogue room below stays unaware of enrolments.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import request
from flask_login import current_user

from reseau.accounts.models import Department
from reseau.catalogue.models import (
    Audience,
    Cycle,
    Module,
    SessionKind,
    Theme,
    TrainingSession,
)
from reseau.catalogue.queries import get_cycle_or_404, get_session_or_404, get_theme_by_slug_or_404
from reseau.core.data_version import public_page
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import date_fr
from reseau.core.lists import paginate
from reseau.core.web import render_page
from reseau.enrolment import bp
from reseau.enrolment.forms import CatalogueFilterForm
from reseau.enrolment.queries import (
    catalogue_query,
    find_overlap,
    list_options,
    published_sessions,
    seats_left_by_session,
)
from reseau.enrolment.views import enrolment_context, manager_enrol_form


def _month_choices(now: datetime) -> list[tuple[str, str]]:
    choices = [("", "Tous les mois")]
    year, month = now.year, now.month
    for _ in range(12):
        choices.append((f"{year}-{month:02d}", date_fr(date(year, month, 1), "MMMM y")))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return choices


@bp.route("/catalogue")
@public_page
def public_catalogue():
    now = utcnow()
    form = CatalogueFilterForm()
    filters = form.filters
    page = paginate(catalogue_query(filters, now), form)
    seats = seats_left_by_session(page.items)
    themes = db.session.scalars(sa.select(Theme).order_by(Theme.position, Theme.name)).all()
    cycles = db.session.scalars(
        sa.select(Cycle).where(Cycle.year >= now.year - 1).order_by(Cycle.year.desc(), Cycle.title)
    ).all()
    departments = db.session.scalars(sa.select(Department).order_by(Department.code)).all()
    return render_page(
        "enrolment/public_catalogue.html",
        "enrolment/public_results.html",
        page=page,
        seats=seats,
        filters=filters,
        themes=themes,
        cycles=cycles,
        departments=departments,
        months=_month_choices(now),
        kinds=SessionKind.choices(),
        audiences=[a for a in Audience.choices() if a[0] != Audience.TOUS.value],
    )


@bp.route("/catalogue/sessions/<int:session_id>")
@public_page
def public_session(session_id: int):

    session = get_session_or_404(
        session_id,
        current_user,
        options=(
            *list_options(),
            so.selectinload(TrainingSession.seances),
            so.selectinload(TrainingSession.trainers),
        ),
    )
    overlap = None
    if request.args.get("overlap") and current_user.is_authenticated:
        # Without JavaScript, the refusal came back here: offer the confirming button.
        overlap = find_overlap(current_user, session)
    context = enrolment_context(session, overlap=overlap)
    return render_page(
        "enrolment/public_session.html",
        enrol_person_form=manager_enrol_form(session),
        **context,
    )


@bp.route("/catalogue/cycles/<int:cycle_id>")
@public_page
def public_cycle(cycle_id: int):
    cycle = get_cycle_or_404(cycle_id)
    sessions, seats = published_sessions(
        sa.select(TrainingSession)
        .join(Module, Module.id == TrainingSession.module_id)
        .where(Module.cycle_id == cycle.id, TrainingSession.ends_at >= utcnow())
    )
    return render_page("enrolment/public_cycle.html", cycle=cycle, sessions=sessions, seats=seats)


@bp.route("/catalogue/thematiques/<slug>")
@public_page
def public_theme(slug: str):
    theme = get_theme_by_slug_or_404(slug)
    cycles = db.session.scalars(
        sa.select(Cycle).where(Cycle.theme_id == theme.id).order_by(Cycle.year.desc(), Cycle.title)
    ).all()
    sessions, seats = published_sessions(
        sa.select(TrainingSession).where(
            TrainingSession.theme_id == theme.id, TrainingSession.ends_at >= utcnow()
        )
    )
    return render_page(
        "enrolment/public_theme.html", theme=theme, cycles=cycles, sessions=sessions, seats=seats
    )
