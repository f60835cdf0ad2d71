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

from reseau.accounts.models import Department, User
from reseau.catalogue.models import (
    Audience,
    Cycle,
    Module,
    Seance,
    SessionKind,
    SessionStatus,
    Theme,
    TrainingSession,
    session_trainer,
)
from reseau.catalogue.queries import get_cycle_or_404, get_session_or_404, get_theme_by_slug_or_404
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.http import public_cacheable
from reseau.core.i18n import date_fr
from reseau.core.lists import paginate
from reseau.core.web import render_page
from reseau.enrolment import bp
from reseau.enrolment.forms import CatalogueFilterForm
from reseau.enrolment.models import Enrolment
from reseau.enrolment.queries import (
    HOLDING,
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


def _version(model, *conditions) -> sa.Select:
    """count, sum of ids and latest change of ``model``'s rows: moves when one changes."""
    return sa.select(
        sa.func.count(model.id),
        sa.func.coalesce(sa.func.sum(model.id), 0),
        sa.func.max(model.updated_at),
    ).where(*conditions)


def _seats_version(sessions) -> sa.Select:
    """What the seats left of ``sessions`` depend on, from the enrolment queue's index alone:
    how many seats are held, and which sessions hold them (sums of the session ids and their
    squares move whenever a seat moves from one session to another)."""
    session_id = Enrolment.session_id
    return sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(session_id), 0),
        sa.func.coalesce(sa.func.sum(session_id * session_id), 0),
    ).where(session_id.in_(sessions), Enrolment.status.in_(HOLDING))


def _upcoming(now: datetime):
    return sa.and_(
        TrainingSession.status == SessionStatus.PUBLISHED, TrainingSession.ends_at >= now
    )


def _catalogue_fingerprint(**_):
    """What the catalogue's pages show: the upcoming sessions, their seats, the filters' lists."""
    now = utcnow()
    upcoming = sa.select(TrainingSession.id).where(_upcoming(now))
    parts = [
        _version(TrainingSession, _upcoming(now)),
        _seats_version(upcoming),
        _version(Theme),
        _version(Cycle),
        _version(Module),
        sa.select(sa.func.count(Department.id), sa.func.max(Department.name)),
    ]
    rows = [tuple(db.session.execute(part).one()) for part in parts]
    return (now.strftime("%Y-%m-%d"), rows)


@bp.route("/catalogue")
@public_cacheable(_catalogue_fingerprint)
def public_catalogue():
    now = utcnow()
    form = CatalogueFilterForm()
    filters = form.filters
    page = paginate(catalogue_query(filters, now), form)
    seats = seats_left_by_session(page.items)
    themes = db.session.scalars(sa.select(Theme).order_by(Theme.position, Theme.name)).all()
    cycles = db.session.scalars(
        sa.select(Cycle)
        .options(so.joinedload(Cycle.theme))  # its name tells same-titled cycles apart
        .where(Cycle.year >= now.year - 1)
        .order_by(Cycle.year.desc(), Cycle.title, Cycle.id)
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


def _session_fingerprint(session_id: int):
    """What a session's public page shows: the session, its séances, trainers, seats, names."""
    now = utcnow()
    trainers = sa.select(session_trainer.c.user_id).where(
        session_trainer.c.session_id == session_id
    )

    def scalar(query):
        return query.scalar_subquery()

    row = db.session.execute(
        sa.select(
            TrainingSession.updated_at,
            TrainingSession.starts_at <= now,
            TrainingSession.enrolment_deadline < now,
            scalar(sa.select(sa.func.count(Seance.id)).where(Seance.session_id == session_id)),
            scalar(
                sa.select(sa.func.max(Seance.updated_at)).where(Seance.session_id == session_id)
            ),
            scalar(
                sa.select(sa.func.count(Enrolment.id)).where(
                    Enrolment.session_id == session_id, Enrolment.status.in_(HOLDING)
                )
            ),
            scalar(
                sa.select(sa.func.coalesce(sa.func.sum(User.id), 0)).where(User.id.in_(trainers))
            ),
            scalar(sa.select(sa.func.max(User.updated_at)).where(User.id.in_(trainers))),
            scalar(
                sa.select(Theme.updated_at)
                .where(Theme.id == TrainingSession.theme_id)
                .correlate(TrainingSession)
            ),
            scalar(
                sa.select(Cycle.updated_at)
                .join(Module, Module.cycle_id == Cycle.id)
                .where(Module.id == TrainingSession.module_id)
                .correlate(TrainingSession)
            ),
            scalar(  # the programme sheet
                sa.select(Module.updated_at)
                .where(Module.id == TrainingSession.module_id)
                .correlate(TrainingSession)
            ),
        ).where(TrainingSession.id == session_id)
    ).first()
    return None if row is None else tuple(row)


@bp.route("/catalogue/sessions/<int:session_id>")
@public_cacheable(_session_fingerprint)
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
@public_cacheable(_catalogue_fingerprint)
def public_cycle(cycle_id: int):
    cycle = get_cycle_or_404(cycle_id)
    sessions, seats = published_sessions(
        sa.select(TrainingSession)
        .join(Module, Module.id == TrainingSession.module_id)
        .where(Module.cycle_id == cycle.id, TrainingSession.ends_at >= utcnow())
    )
    return render_page("enrolment/public_cycle.html", cycle=cycle, sessions=sessions, seats=seats)


@bp.route("/catalogue/thematiques/<slug>")
@public_cacheable(_catalogue_fingerprint)
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
