"""Reads of the catalogue room: themes, cycles, modules, sessions and séances.

Each ``get_x_or_404`` raises ``NotFound`` (404) when there is no such object, or when the
viewer may not see it: a draft session is seen by the coordinator only.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from reseau.accounts.models import Centre, User
from reseau.catalogue.models import (
    Cycle,
    Module,
    PlaceAccessibility,
    PlaceKind,
    Seance,
    SessionStatus,
    Theme,
    TrainingSession,
)
from reseau.core.extensions import db

# What the coordinator's session page shows.
ADMIN_SESSION_OPTIONS = (
    so.joinedload(TrainingSession.theme),
    so.joinedload(TrainingSession.module).joinedload(Module.cycle),
    so.joinedload(TrainingSession.host_centre).joinedload(Centre.department),
    so.joinedload(TrainingSession.department),
    so.selectinload(TrainingSession.trainers),
    so.selectinload(TrainingSession.seances),
    so.selectinload(TrainingSession.own_access),
    so.selectinload(TrainingSession.centre_access),
)


def get_theme_or_404(theme_id: int) -> Theme:
    """Return the theme, or abort with 404."""
    return db.get_or_404(Theme, theme_id)


def get_theme_by_slug_or_404(slug: str) -> Theme:
    """Return the theme whose address is ``slug``, or abort with 404."""
    return db.first_or_404(sa.select(Theme).where(Theme.slug == slug[:80]))


def get_cycle_or_404(cycle_id: int) -> Cycle:
    """Return the cycle with its theme and modules, or abort with 404."""
    return db.first_or_404(
        sa.select(Cycle)
        .options(so.joinedload(Cycle.theme), so.selectinload(Cycle.modules))
        .where(Cycle.id == cycle_id)
    )


def get_module_or_404(module_id: int) -> Module:
    """Return the module with its cycle, or abort with 404."""
    return db.first_or_404(
        sa.select(Module)
        .options(so.joinedload(Module.cycle).selectinload(Cycle.modules))
        .where(Module.id == module_id)
    )


def may_see(viewer: User | None, session: TrainingSession) -> bool:
    """Whether ``viewer`` (None: anonymous) may see ``session``: drafts are the coordinator's."""
    if session.status != SessionStatus.DRAFT:
        return True
    return viewer is not None and viewer.is_authenticated and viewer.is_coordinator


def get_session_or_404(session_id: int, viewer: User | None, *, options=()) -> TrainingSession:
    """Return the session (loaded with ``options``) if ``viewer`` may see it (``may_see``),
    else abort with 404."""
    session = db.session.scalar(
        sa.select(TrainingSession).options(*options).where(TrainingSession.id == session_id)
    )
    if session is None or not may_see(viewer, session):
        abort(404)
    return session


def get_seance_or_404(seance_id: int) -> Seance:
    """Return the séance with its session and the session's séances, or abort with 404."""
    return db.first_or_404(
        sa.select(Seance)
        .options(so.joinedload(Seance.session).selectinload(TrainingSession.seances))
        .where(Seance.id == seance_id)
    )


def accessibility_options() -> tuple:
    """Load what a session page says of its place's accessibility, joined to the session's
    own statement (one row each at most: two more round trips and loaders cost a tenth of a
    public session page)."""
    return (
        so.joinedload(TrainingSession.own_access),
        so.joinedload(TrainingSession.centre_access),
    )


def wheelchair_accessible():
    """The condition "a wheelchair can get into the place" (the catalogue's filter): a place
    said to be step-free, the one ``TrainingSession.accessibility`` reads: the host centre's
    premises, or the session's own address.

    A visio is left out: it has no place to get into, so the filter cannot say yes for it,
    and a list of "accessible places" holding distance sessions reads as if their rooms had
    been checked. Without the filter they are listed, marked « En visio »; the filtered list
    says where they went."""
    step_free = PlaceAccessibility.step_free.is_(True)
    centres = sa.select(PlaceAccessibility.centre_id).where(step_free)
    sessions = sa.select(PlaceAccessibility.session_id).where(step_free)
    hosted = sa.and_(
        TrainingSession.place_kind == PlaceKind.CENTRE, TrainingSession.host_centre_id.is_not(None)
    )
    return sa.and_(
        TrainingSession.place_kind != PlaceKind.VISIO,
        sa.or_(
            sa.and_(hosted, TrainingSession.host_centre_id.in_(centres)),
            sa.and_(sa.not_(hosted), TrainingSession.id.in_(sessions)),
        ),
    )


def centre_accessibility(centre_id: int) -> PlaceAccessibility | None:
    return db.session.scalar(
        sa.select(PlaceAccessibility).where(PlaceAccessibility.centre_id == centre_id)
    )
