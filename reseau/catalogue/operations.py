"""Catalogue operations: themes, modules, sessions and their séances.

Functions take models and an explicit actor, change the session and flush; views commit.
A refused change raises CatalogueError with a French message for the person.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from reseau.accounts.models import Centre, Department, User
from reseau.catalogue.changes import ChangeKind, SessionChange
from reseau.catalogue.models import (
    PROGRAMME_TEXTS,
    Audience,
    Cycle,
    Module,
    PlaceAccessibility,
    PlaceKind,
    PromotionMode,
    Seance,
    SeanceStatus,
    SessionKind,
    SessionStatus,
    Theme,
    TrainingSession,
)
from reseau.catalogue.signals import (
    session_cancelled,
    session_changed,
    session_published,
    session_regrouped,
)
from reseau.core.audit import record_audit
from reseau.core.database import lock_row, utcnow
from reseau.core.extensions import db
from reseau.core.i18n import from_local

EDITABLE_STATUSES = (SessionStatus.DRAFT, SessionStatus.PUBLISHED)
PLACE_FIELDS = ("place_kind", "host_centre_id", "place_name", "address", "postcode", "town")
PLACE_FIELDS += ("visio_url",)
# What calendar events show of a session besides its place: a change bumps their SEQUENCE.
SHOWN_FIELDS = ("title", "module_id", "theme_id", "what_to_bring")
STATUS_ACTIONS = {
    SessionStatus.PUBLISHED: "session.publish",
    SessionStatus.CANCELLED: "session.cancel",
    SessionStatus.CLOSED: "session.close",
}


class CatalogueError(Exception):
    """A change the rules refuse; ``str(error)`` is the French explanation."""


# Themes, cycles, modules ------------------------------------------------------------------


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:70] or "thematique"


def unique_theme_slug(name: str, theme: Theme | None = None) -> str:
    """Return a slug for ``name`` no other theme uses."""
    base = slugify(name)
    slug, n = base, 1
    while True:
        existing = db.session.scalar(sa.select(Theme.id).where(Theme.slug == slug))
        if existing is None or (theme is not None and existing == theme.id):
            return slug
        n += 1
        slug = f"{base}-{n}"


def save_theme(theme: Theme | None, data: dict[str, Any], *, actor: User) -> Theme:
    """Create (``theme`` None) or update a theme from ``data`` (name, description, position).

    The slug is made once: the theme's page and calendar feed keep their address when it is
    renamed (a subscribed calendar would otherwise stop updating).
    """
    creating = theme is None
    renamed = not creating and theme.name != data["name"]
    if creating:
        with db.session.no_autoflush:
            slug = unique_theme_slug(data["name"])
        theme = Theme(slug=slug)
        db.session.add(theme)
    theme.name = data["name"]
    theme.description = data.get("description") or ""
    theme.position = data.get("position") or 0
    db.session.flush()
    if renamed:
        touch_events(TrainingSession.theme_id == theme.id)
    record_audit(actor, "theme.create" if creating else "theme.update", theme, summary=theme.name)
    return theme


def save_cycle(cycle: Cycle | None, data: dict[str, Any], *, actor: User) -> Cycle:
    """Create (``cycle`` None) or update a cycle from ``data``."""
    creating = cycle is None
    if creating:
        cycle = Cycle()
        db.session.add(cycle)
    cycle.theme_id = data["theme_id"]
    cycle.title = data["title"]
    cycle.year = data["year"]
    cycle.audience = Audience(data["audience"])
    cycle.description = data.get("description") or ""
    cycle.objectives = data.get("objectives") or ""
    db.session.flush()
    record_audit(actor, "cycle.create" if creating else "cycle.update", cycle, summary=cycle.title)
    return cycle


def save_module(
    module: Module | None, data: dict[str, Any], *, actor: User, cycle: Cycle | None = None
) -> Module:
    """Create a module at the end of ``cycle`` (``module`` None) or update ``module``."""
    creating = module is None
    if module is None:
        assert cycle is not None
        lock_row(cycle)  # positions are read, then written
        module = Module(cycle=cycle, position=len(cycle.modules))
        cycle.modules.append(module)
    renamed = module.id is not None and module.title != data["title"]
    module.title = data["title"]
    module.objectives = data.get("objectives") or ""
    module.duration_hours = float(data["duration_hours"])
    for name in PROGRAMME_TEXTS:
        if name in data:
            setattr(module, name, data[name] or "")
    if "free_for_members" in data:
        module.free_for_members = bool(data["free_for_members"])
    db.session.flush()
    record_audit(
        actor, "module.update" if not creating else "module.create", module, summary=module.title
    )
    if renamed:
        touch_events(TrainingSession.module_id == module.id)
    return module


def move_module(module: Module, offset: int, *, actor: User) -> None:
    """Move ``module`` up (-1) or down (+1) in its cycle; positions become 0..n-1."""
    lock_row(module.cycle)
    modules = list(module.cycle.modules)
    index = modules.index(module)
    target = index + offset
    if 0 <= target < len(modules):
        modules[index], modules[target] = modules[target], modules[index]
    for position, item in enumerate(modules):
        item.position = position
    db.session.flush()


# Calendar events ---------------------------------------------------------------------------


def touch_events(sessions_where) -> None:
    """Give SEQUENCE+1 (and a new LAST-MODIFIED) to the scheduled séances of the sessions
    matching ``sessions_where`` (not cancelled ones): a name or address their events show has
    changed. One UPDATE, whatever the number of séances."""
    sessions = sa.select(TrainingSession.id).where(
        sessions_where, TrainingSession.status != SessionStatus.CANCELLED
    )
    db.session.execute(
        sa.update(Seance)
        .where(Seance.session_id.in_(sessions), Seance.status == SeanceStatus.SCHEDULED)
        .values(sequence=Seance.sequence + 1, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


def on_centre_moved(centre: Centre, *, before: str, actor: User | None = None, **extra) -> None:
    """A host centre's name or address changed: its sessions' events say so, and the people
    of its published sessions still to come are told (listens to accounts' signal)."""
    hosted = sa.and_(
        TrainingSession.host_centre_id == centre.id, TrainingSession.place_kind == PlaceKind.CENTRE
    )
    touch_events(hosted)
    upcoming = db.session.scalars(
        sa.select(TrainingSession)
        .where(
            hosted,
            TrainingSession.status == SessionStatus.PUBLISHED,
            TrainingSession.ends_at >= utcnow(),
        )
        .order_by(TrainingSession.id)
    ).all()
    for session in upcoming:
        change = SessionChange(ChangeKind.PLACE, before=before, after=session.place_label)
        session_changed.send(session, actor=actor, changes=[change])


# Sessions ----------------------------------------------------------------------------------


def _department_for(session: TrainingSession) -> int | None:
    """Return the département a session without an explicit one is held in."""
    if session.place_kind == PlaceKind.CENTRE and session.host_centre_id:
        return db.session.get(Centre, session.host_centre_id).department_id
    if session.place_kind == PlaceKind.ADDRESS and len(session.postcode) == 5:
        code = "2A" if session.postcode.startswith("20") else session.postcode[:2]
        if session.postcode[:2] in ("97", "98"):
            code = session.postcode[:3]
        return db.session.scalar(sa.select(Department.id).where(Department.code == code))
    return None


def _place_snapshot(session: TrainingSession) -> tuple:
    return tuple(getattr(session, name) for name in PLACE_FIELDS)


def _apply_session_data(session: TrainingSession, data: dict[str, Any]) -> None:
    module = db.session.get(Module, data["module_id"]) if data.get("module_id") else None
    session.kind = SessionKind(data["kind"])
    session.module = module
    session.theme_id = module.cycle.theme_id if module else data.get("theme_id")
    session.title = data.get("title") or (module.title if module else "")
    session.description = data.get("description") or ""
    session.objectives = data.get("objectives") or (module.objectives if module else "")
    session.audience = Audience(data["audience"])
    session.capacity = data["capacity"]
    session.centre_cap = data.get("centre_cap")
    deadline = data.get("enrolment_deadline")
    if deadline is not None and deadline.tzinfo is None:
        deadline = from_local(deadline)
    session.enrolment_deadline = deadline
    session.place_kind = PlaceKind(data["place_kind"])
    # Only the chosen place is kept, so the page never shows a stale address or link.
    is_centre = session.place_kind == PlaceKind.CENTRE
    is_address = session.place_kind == PlaceKind.ADDRESS
    session.host_centre_id = data.get("host_centre_id") if is_centre else None
    session.place_name = (data.get("place_name") or "") if is_address else ""
    session.address = (data.get("address") or "") if is_address else ""
    session.postcode = (data.get("postcode") or "") if is_address else ""
    session.town = (data.get("town") or "") if is_address else ""
    session.visio_url = (
        (data.get("visio_url") or "") if session.place_kind == PlaceKind.VISIO else ""
    )
    session.department_id = data.get("department_id") or _department_for(session)
    trainer_ids = list(data.get("trainer_ids") or [])
    session.trainers = (
        list(db.session.scalars(sa.select(User).where(User.id.in_(trainer_ids))))
        if trainer_ids
        else []
    )
    session.requires_validation = bool(data.get("requires_validation"))
    session.promotion_mode = PromotionMode(data["promotion_mode"])
    session.offer_hours = data.get("offer_hours") or 48
    session.what_to_bring = data.get("what_to_bring") or ""


def create_session(data: dict[str, Any], *, actor: User) -> TrainingSession:
    """Create a draft session from ``data`` (the session form's fields)."""
    session = TrainingSession(status=SessionStatus.DRAFT)
    with db.session.no_autoflush:
        _apply_session_data(session, data)
    db.session.add(session)
    db.session.flush()
    record_audit(actor, "session.create", session, summary=session.title)
    return session


def update_session(session: TrainingSession, data: dict[str, Any], *, actor: User) -> None:
    """Change a draft or published session; what its events show changing makes calendars
    update (SEQUENCE+1), and a new place or title is announced to the people concerned."""
    lock_row(session)
    if session.status not in EDITABLE_STATUSES:
        raise CatalogueError(f"Une session {session.status.label.lower()} ne se modifie plus.")
    place_before, label_before, shown_before = (
        _place_snapshot(session),
        session.place_label,
        _shown(session),
    )
    title_before, kind_before = session.title, session.kind
    trainers_before = [trainer.full_name for trainer in session.trainers]
    with db.session.no_autoflush:
        _apply_session_data(session, data)
    db.session.flush()
    _record_trainer_change(session, trainers_before, actor)
    place_changed = _place_snapshot(session) != place_before
    changes = []
    if place_changed:
        changes.append(
            SessionChange(ChangeKind.PLACE, before=label_before, after=session.place_label)
        )
    if session.title != title_before:
        changes.append(SessionChange(ChangeKind.TITLE, before=title_before, after=session.title))
    if place_changed or _shown(session) != shown_before:
        for seance in session.seances:
            if seance.status == SeanceStatus.SCHEDULED:
                seance.sequence += 1
        db.session.flush()
    record_audit(
        actor,
        "session.update",
        session,
        summary=session.title + (" (nouveau lieu)" if place_changed else ""),
    )
    if changes and session.status == SessionStatus.PUBLISHED:
        session_changed.send(session, actor=actor, changes=changes)
    if session.kind != kind_before:
        session_regrouped.send(session, actor=actor)


def _record_trainer_change(session: TrainingSession, before: list[str], actor: User) -> None:
    """A published session's trainers changed (one replaced, added, removed): an incident the
    complaints register can take in (``session.trainers``)."""
    after = [trainer.full_name for trainer in session.trainers]
    if session.status != SessionStatus.PUBLISHED or sorted(after) == sorted(before):
        return
    record_audit(
        actor,
        "session.trainers",
        session,
        summary=session.title,
        before={"trainers": before},
        after={"trainers": after},
    )


def _shown(session: TrainingSession) -> tuple:
    """What events show of a session besides its place (trainers in private feeds)."""
    trainers = tuple(sorted(trainer.id for trainer in session.trainers))
    return (*(getattr(session, name) for name in SHOWN_FIELDS), trainers)


def _change_status(session: TrainingSession, status: SessionStatus, actor: User) -> None:
    before = {"status": session.status.value}
    session.status = status
    db.session.flush()
    record_audit(
        actor,
        STATUS_ACTIONS[status],
        session,
        summary=session.title,
        before=before,
        after={"status": status.value},
    )


def publish_session(session: TrainingSession, *, actor: User, confirmed: bool = False) -> None:
    """Make a draft session visible in the catalogue and open to enrolment.

    A session without trainer, place or séance is published only once ``confirmed``.
    """
    lock_row(session)  # two clicks, or two coordinators: the second sees the first's result
    if session.status != SessionStatus.DRAFT:
        raise CatalogueError("Seule une session en brouillon peut être publiée.")
    missing = session.missing_for_publication
    if missing and not confirmed:
        raise CatalogueError(f"Confirmez la publication : la session n'a {', '.join(missing)}.")
    session.published_at = utcnow()
    _change_status(session, SessionStatus.PUBLISHED, actor)
    session_published.send(session, actor=actor)


def cancel_session(session: TrainingSession, *, actor: User, reason: str = "") -> None:
    """Cancel a draft or published session; its séances stay, marked cancelled. The people
    enrolled are told (``session_cancelled``), with ``reason`` if one is given."""
    lock_row(session)
    if session.status not in EDITABLE_STATUSES:
        raise CatalogueError("Cette session ne peut plus être annulée.")
    was_published = session.status == SessionStatus.PUBLISHED
    for seance in session.seances:
        if seance.status == SeanceStatus.SCHEDULED:
            seance.status = SeanceStatus.CANCELLED
            seance.sequence += 1
    session.cancelled_at = utcnow()
    _change_status(session, SessionStatus.CANCELLED, actor)
    if was_published:
        session_cancelled.send(session, actor=actor, reason=reason)


def close_session(session: TrainingSession, *, actor: User) -> None:
    """Close a published session: enrolment and attendance are over.

    The lock makes a second close fail (no second feedback request) and waits for the
    attendance marks in progress (they hold the session shared)."""
    lock_row(session)
    if session.status != SessionStatus.PUBLISHED:
        raise CatalogueError("Seule une session publiée peut être clôturée.")
    session.closed_at = utcnow()
    session.closed_by_id = actor.id
    _change_status(session, SessionStatus.CLOSED, actor)


# Séances -----------------------------------------------------------------------------------


def _hold_seance(seance: Seance) -> TrainingSession:
    """Lock the séance's session, then the séance: edits of one session queue up, and each
    reads the status and SEQUENCE the previous one left."""
    session = lock_row(seance.session)
    lock_row(seance)
    return session


def _check_editable(session: TrainingSession) -> None:
    if session.status not in EDITABLE_STATUSES:
        raise CatalogueError(
            f"Les séances d'une session {session.status.label.lower()} ne se modifient plus."
        )


def _changed(session: TrainingSession, actor: User, change: SessionChange) -> None:
    session.sync_dates()
    db.session.flush()
    if session.status == SessionStatus.PUBLISHED:
        session_changed.send(session, actor=actor, changes=[change])


def _seance_change(kind: ChangeKind, seance: Seance, reason: str = "", **before) -> SessionChange:
    return SessionChange(
        kind,
        seance_id=seance.id,
        starts_at=seance.starts_at,
        ends_at=seance.ends_at,
        reason=(reason or "").strip(),
        **before,
    )


def add_seance(
    session: TrainingSession, starts_at: datetime, ends_at: datetime, *, actor: User
) -> Seance:
    """Add a séance (aware UTC start and end) to a draft or published session."""
    lock_row(session)
    _check_editable(session)
    if ends_at <= starts_at:
        raise CatalogueError("L'heure de fin doit être après l'heure de début.")
    seance = Seance(starts_at=starts_at, ends_at=ends_at)
    session.seances.append(seance)
    db.session.flush()
    record_audit(actor, "seance.create", seance, summary=session.title)
    _changed(session, actor, _seance_change(ChangeKind.SEANCE_ADDED, seance))
    return seance


def update_seance(
    seance: Seance, starts_at: datetime, ends_at: datetime, *, actor: User, reason: str = ""
) -> bool:
    """Move a séance; return whether its time changed (then SEQUENCE grows, people are told,
    with the ``reason`` if one is given)."""
    session = _hold_seance(seance)
    _check_editable(session)
    if ends_at <= starts_at:
        raise CatalogueError("L'heure de fin doit être après l'heure de début.")
    if seance.starts_at == starts_at and seance.ends_at == ends_at:
        return False
    before = {"starts_at": seance.starts_at.isoformat(), "ends_at": seance.ends_at.isoformat()}
    old = {"before_starts_at": seance.starts_at, "before_ends_at": seance.ends_at}
    seance.starts_at, seance.ends_at = starts_at, ends_at
    seance.sequence += 1
    db.session.flush()
    record_audit(
        actor,
        "seance.update",
        seance,
        summary=session.title,
        before=before,
        after={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
    )
    _changed(session, actor, _seance_change(ChangeKind.SEANCE_MOVED, seance, reason, **old))
    return True


def cancel_seance(seance: Seance, *, actor: User, reason: str = "") -> None:
    """Cancel a séance of a published session: it stays, marked cancelled, in calendars; the
    people are told, with the ``reason`` if one is given."""
    session = _hold_seance(seance)
    _check_editable(session)
    if session.status == SessionStatus.DRAFT:
        raise CatalogueError("La session est en brouillon : supprimez plutôt la séance.")
    if seance.status == SeanceStatus.CANCELLED:
        return
    scheduled = [s for s in session.seances if s.status == SeanceStatus.SCHEDULED]
    if scheduled == [seance]:
        raise CatalogueError("C'est la dernière séance prévue : annulez plutôt la session.")
    _switch_seance(session, seance, SeanceStatus.CANCELLED, actor, reason)


def restore_seance(seance: Seance, *, actor: User) -> None:
    """Schedule a cancelled séance again."""
    session = _hold_seance(seance)
    _check_editable(session)
    if seance.status == SeanceStatus.SCHEDULED:
        return
    _switch_seance(session, seance, SeanceStatus.SCHEDULED, actor)


def _switch_seance(
    session: TrainingSession, seance: Seance, status: SeanceStatus, actor: User, reason: str = ""
) -> None:
    """Cancel or schedule again (``status``) a séance of a published session: a new sequence
    for the calendars, the audit line, the people told (with the ``reason``)."""
    cancel = status == SeanceStatus.CANCELLED
    before = SeanceStatus.SCHEDULED if cancel else SeanceStatus.CANCELLED
    seance.status = status
    seance.sequence += 1
    db.session.flush()
    record_audit(
        actor,
        "seance.cancel" if cancel else "seance.restore",
        seance,
        summary=session.title,
        before={"status": before.value},
        after={"status": status.value},
    )
    kind = ChangeKind.SEANCE_CANCELLED if cancel else ChangeKind.SEANCE_RESTORED
    _changed(session, actor, _seance_change(kind, seance, reason))


def delete_seance(seance: Seance, *, actor: User) -> None:
    """Delete a séance of a draft session (nobody has seen it yet)."""
    session = _hold_seance(seance)
    if session.status != SessionStatus.DRAFT:
        raise CatalogueError("La session est publiée : la séance peut être annulée, pas supprimée.")
    record_audit(actor, "seance.delete", seance, summary=session.title)
    session.seances.remove(seance)
    db.session.flush()
    session.sync_dates()
    db.session.flush()


ACCESSIBILITY_FIELDS = ("step_free", "accessible_toilets", "hearing_loop", "public_transport")


def save_accessibility(
    place: Centre | TrainingSession, data: dict[str, Any], *, actor: User
) -> PlaceAccessibility:
    """Record the accessibility of a centre's premises or of a session's own address."""
    lock_row(place)  # two editors at once: the second finds the first's row
    owner = "centre_id" if isinstance(place, Centre) else "session_id"
    access = db.session.scalar(
        sa.select(PlaceAccessibility).where(getattr(PlaceAccessibility, owner) == place.id)
    )
    if access is None:
        access = PlaceAccessibility(**{owner: place.id})
        db.session.add(access)
    before = {name: bool(getattr(access, name)) for name in ACCESSIBILITY_FIELDS}
    for name in ACCESSIBILITY_FIELDS:
        setattr(access, name, bool(data.get(name)))
    access.notes = (data.get("notes") or "").strip()
    access.updated_by_id = actor.id
    access.updated_at = utcnow()
    record_audit(
        actor,
        "place.accessibility",
        place,
        summary=f"Accessibilité : {getattr(place, 'name', None) or place.title}",
        before=before,
        after={name: getattr(access, name) for name in ACCESSIBILITY_FIELDS},
    )
    db.session.flush()
    return access
