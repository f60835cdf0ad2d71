"""The public catalogue: sessions, cycles and themes anyone can browse (no personal data).

It lives in the enrolment room because every list shows seats left and every session page
the visitor's own enrolment: the catalogue room below stays unaware of enrolments.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask import abort, request, url_for
from flask_login import current_user

from reseau.accounts.models import Department, User
from reseau.adjustments.queries import contacts_fingerprint
from reseau.catalogue.models import (
    Audience,
    Cycle,
    Module,
    PlaceAccessibility,
    Seance,
    SessionKind,
    SessionStatus,
    Theme,
    TrainingSession,
    session_trainer,
)
from reseau.catalogue.queries import (
    get_cycle_or_404,
    get_theme_by_slug_or_404,
    may_see,
)
from reseau.core.database import UTCDateTime, utcnow
from reseau.core.extensions import db
from reseau.core.http import RawQuery, public_cacheable, raw_reader
from reseau.core.i18n import date_fr
from reseau.core.lists import PAGE_SIZE, ListPage
from reseau.core.web import render_page
from reseau.enrolment import bp
from reseau.enrolment.forms import CatalogueFilterForm
from reseau.enrolment.models import Enrolment
from reseau.enrolment.queries import (
    HOLDING,
    catalogue_cards,
    find_overlap,
    published_cards,
    session_page,
)
from reseau.enrolment.signals import public_cycle_versions
from reseau.enrolment.views import enrolment_context, manager_enrol_form, page_context


def _month_choices(now: datetime) -> list[tuple[str, str]]:
    choices = [("", "Tous les mois")]
    year, month = now.year, now.month
    for _ in range(12):
        choices.append((f"{year}-{month:02d}", date_fr(date(year, month, 1), "MMMM y")))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return choices


def _version(model) -> list:
    """count and latest change of a small table's rows (themes, cycles, modules)."""
    return [sa.select(sa.func.count(model.id)), sa.select(sa.func.max(model.updated_at))]


_NOW = sa.bindparam("now", type_=UTCDateTime)


def _catalogue_parts() -> list:
    """What every catalogue page shows, as scalar subqueries each read from one index: when
    the next upcoming session ends (``ix_training_session_upcoming``: the list loses a
    session exactly when that moment passes, and sessions are never deleted), the latest
    change of any session and of any enrolment (a seat taken or freed anywhere: an
    enrolment is only deleted with its session), and the filters' small lists."""
    return [
        sa.select(sa.func.min(TrainingSession.ends_at)).where(
            TrainingSession.status == SessionStatus.PUBLISHED, TrainingSession.ends_at >= _NOW
        ),
        sa.select(sa.func.max(TrainingSession.id)),
        sa.select(sa.func.max(TrainingSession.updated_at)),
        sa.select(sa.func.max(Enrolment.updated_at)),
        *_version(Theme),
        *_version(Cycle),
        *_version(Module),
        sa.select(sa.func.count(Department.id)),
        sa.select(sa.func.max(Department.name)),
    ]


_CATALOGUE_VERSION = RawQuery(
    lambda: sa.select(*(part.scalar_subquery() for part in _catalogue_parts()))
)


def _catalogue_fingerprint(reader, **_):
    """What the catalogue's pages show: the upcoming sessions, their seats, the filters' lists."""
    now = utcnow()
    return (now.strftime("%Y-%m-%d"), reader.first(_CATALOGUE_VERSION, {"now": now}))


def _cycle_parts() -> list:
    """The catalogue's parts, and what the cycle's published results depend on beyond the
    sessions (closing one changes it): the rooms above that compute them say what
    (``public_cycle_versions``: late feedback, cold answers, corrections after closing)."""
    extra = [part for _, parts in public_cycle_versions.send(None) for part in parts or ()]
    return [*_catalogue_parts(), *extra]


_CYCLE_VERSION = RawQuery(lambda: sa.select(*(part.scalar_subquery() for part in _cycle_parts())))


def _cycle_fingerprint(reader, cycle_id: int):
    now = utcnow()
    return (now.strftime("%Y-%m-%d"), reader.first(_CYCLE_VERSION, {"now": now}))


def _session_link():
    """``link(id)``: a session's public address, without a ``url_for`` per card."""
    prefix, _, suffix = url_for("enrolment.public_session", session_id=987654321).partition(
        "987654321"
    )
    return lambda session_id: f"{prefix}{session_id}{suffix}"


class _CycleChoice(NamedTuple):
    id: int
    title: str
    theme: str
    year: int


def _filter_lists_statement() -> sa.CompoundSelect:
    return sa.union_all(
        sa.select(sa.literal("theme"), Theme.id, Theme.name, sa.null(), Theme.position),
        sa.select(sa.literal("cycle"), Cycle.id, Cycle.title, Theme.name, Cycle.year)
        .join(Theme, Theme.id == Cycle.theme_id)
        .where(Cycle.year >= sa.bindparam("since", type_=sa.Integer)),
        sa.select(
            sa.literal("department"), Department.id, Department.code, Department.name, sa.null()
        ),
    )


_FILTER_LISTS = RawQuery(_filter_lists_statement)


def _filter_lists(reader, now: datetime) -> dict:
    """The filters' choices, as plain rows read in one statement (three small tables: one
    round trip instead of three) and put in order here: themes, this year's and last year's
    cycles (their theme's name tells same-titled cycles apart), départements."""
    rows = reader.all(_FILTER_LISTS, {"since": now.year - 1})
    lists = {"theme": [], "cycle": [], "department": []}
    for kind, *values in rows:
        lists[kind].append(values)
    themes = sorted(lists["theme"], key=lambda t: (t[3], t[1]))
    cycles = sorted(lists["cycle"], key=lambda c: (-c[3], c[1], c[0]))
    return {
        "themes": [(id_, name) for id_, name, _, _ in themes],
        "cycles": [_CycleChoice(*cycle) for cycle in cycles],
        "departments": [
            (id_, f"{code} – {name}")
            for id_, code, name, _ in sorted(lists["department"], key=lambda d: d[1])
        ],
    }


@bp.route("/catalogue")
@public_cacheable(_catalogue_fingerprint)
def public_catalogue():
    now = utcnow()
    form = CatalogueFilterForm()
    filters = form.filters
    page_number = form.page.data
    with raw_reader() as reader:
        cards, total = catalogue_cards(filters, now, page_number, PAGE_SIZE, reader=reader)
        lists = {} if request.htmx else _filter_lists(reader, now)
    page = ListPage(cards, total, page_number, PAGE_SIZE)
    return render_page(
        "enrolment/public_catalogue.html",
        "enrolment/public_results.html",
        page=page,
        session_link=_session_link(),
        filters=filters,
        months=_month_choices(now),
        kinds=SessionKind.choices(),
        audiences=[a for a in Audience.choices() if a[0] != Audience.TOUS.value],
        **lists,
    )


def _session_fingerprint(reader, session_id: int):
    """What a session's public page shows: the session, its séances, trainers, seats, names."""
    return reader.first(_SESSION_VERSION, {"session_id": session_id, "now": utcnow()})


def _session_version() -> sa.Select:
    """The one statement of ``_session_fingerprint``, compiled once."""
    session_id = sa.bindparam("session_id", type_=sa.Integer)
    trainers = sa.select(session_trainer.c.user_id).where(
        session_trainer.c.session_id == session_id
    )

    def scalar(query):
        return query.scalar_subquery()

    return sa.select(
        TrainingSession.updated_at,
        TrainingSession.starts_at <= _NOW,
        TrainingSession.enrolment_deadline < _NOW,
        scalar(sa.select(sa.func.count(Seance.id)).where(Seance.session_id == session_id)),
        scalar(sa.select(sa.func.max(Seance.updated_at)).where(Seance.session_id == session_id)),
        scalar(
            sa.select(sa.func.count(Enrolment.id)).where(
                Enrolment.session_id == session_id, Enrolment.status.in_(HOLDING)
            )
        ),
        scalar(sa.select(sa.func.coalesce(sa.func.sum(User.id), 0)).where(User.id.in_(trainers))),
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
        # The place's accessibility (the host centre's or the session's own address).
        scalar(
            sa.select(sa.func.max(PlaceAccessibility.updated_at))
            .where(
                sa.or_(
                    PlaceAccessibility.session_id == TrainingSession.id,
                    PlaceAccessibility.centre_id == TrainingSession.host_centre_id,
                )
            )
            .correlate(TrainingSession)
        ),
        # The référent·es handicap whose contact the page shows.
        *contacts_fingerprint(),
    ).where(TrainingSession.id == session_id)


_SESSION_VERSION = RawQuery(_session_version)


@bp.route("/catalogue/sessions/<int:session_id>")
@public_cacheable(_session_fingerprint)
def public_session(session_id: int):

    # Read as plain values (no ORM entity: the page only reads them), in two statements.
    with raw_reader() as reader:
        session, contacts = session_page(reader, session_id)
    if session is None or not may_see(current_user, session):
        abort(404)
    overlap = None
    if request.args.get("overlap") and current_user.is_authenticated:
        # Without JavaScript, the refusal came back here: offer the confirming button.
        overlap = find_overlap(current_user, session)
    context = enrolment_context(session, overlap=overlap, left=session.seats_left)
    return render_page(
        "enrolment/public_session.html",
        enrol_person_form=manager_enrol_form(session),
        **page_context(session, contacts),
        **context,
    )


@bp.route("/catalogue/cycles/<int:cycle_id>")
@public_cacheable(_cycle_fingerprint)
def public_cycle(cycle_id: int):
    cycle = get_cycle_or_404(cycle_id)
    sessions = published_cards(
        TrainingSession.module_id.in_(sa.select(Module.id).where(Module.cycle_id == cycle.id)),
        TrainingSession.ends_at >= utcnow(),
    )
    return render_page(
        "enrolment/public_cycle.html", cycle=cycle, sessions=sessions, session_link=_session_link()
    )


@bp.route("/catalogue/thematiques/<slug>")
@public_cacheable(_catalogue_fingerprint)
def public_theme(slug: str):
    theme = get_theme_by_slug_or_404(slug)
    cycles = db.session.scalars(
        sa.select(Cycle).where(Cycle.theme_id == theme.id).order_by(Cycle.year.desc(), Cycle.title)
    ).all()
    sessions = published_cards(
        TrainingSession.theme_id == theme.id, TrainingSession.ends_at >= utcnow()
    )
    return render_page(
        "enrolment/public_theme.html",
        theme=theme,
        cycles=cycles,
        sessions=sessions,
        session_link=_session_link(),
    )
