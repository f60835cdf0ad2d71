"""Builders for test data: sensible defaults, keyword overrides."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from functools import cache

from werkzeug.security import generate_password_hash

from reseau.accounts.models import Category, Centre, Department, Role, User, UserStatus
from reseau.attendance import rollups
from reseau.catalogue.models import (
    Cycle,
    Module,
    Seance,
    SessionStatus,
    Theme,
    TrainingSession,
)
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import today_paris
from reseau.diagnostic.models import DiagnosticCampaign
from reseau.enrolment.models import Enrolment, EnrolmentStatus

PASSWORD = "mot-de-passe-de-test"
_counter = itertools.count(1)


@cache
def password_hash() -> str:
    # scrypt is slow on purpose: hash the test password once for the whole run.
    return generate_password_hash(PASSWORD, method="scrypt")


def _added(model, values: dict, overrides: dict):
    """A new ``model`` row from ``values`` changed by ``overrides``, added and flushed."""
    row = model(**{**values, **overrides})
    db.session.add(row)
    db.session.flush()
    return row


def _parent(overrides: dict, name: str, make) -> None:
    """Give the row a new parent (``name``, made by ``make``) unless the test chose one."""
    if name not in overrides and f"{name}_id" not in overrides:
        overrides[name] = make()


def make_department(**overrides) -> Department:
    n = next(_counter)
    # Three digits: never one of the two-digit codes the tests give real départements (18, 36).
    return _added(Department, {"code": f"{n % 1000:03d}", "name": f"Département {n}"}, overrides)


def make_centre(**overrides) -> Centre:
    n = next(_counter)
    _parent(overrides, "department", make_department)
    values = {
        "name": f"Centre social {n}",
        "town": f"Ville {n}",
        "postcode": "36300",
        "is_member": True,
    }
    return _added(Centre, values, overrides)


def make_user(*, roles=(), password: bool = True, **overrides) -> User:
    n = next(_counter)
    values = {
        "email": f"personne{n}@exemple.test",
        "first_name": f"Prénom{n}",
        "last_name": f"Nom{n}",
        "category": Category.BENEVOLE,
        "status": UserStatus.ACTIVE,
    }
    values.update(overrides)
    user = User(**values)
    if password:
        user.password_hash = password_hash()
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    return user


def make_coordinator(**overrides) -> User:
    return make_user(roles=[Role.COORDINATOR], category=Category.SALARIE, **overrides)


def make_referent(centre: Centre, **overrides) -> User:
    return make_user(roles=[Role.REFERENT], centre=centre, category=Category.SALARIE, **overrides)


def make_trainer(**overrides) -> User:
    return make_user(roles=[Role.TRAINER], category=Category.SALARIE, **overrides)


def make_disability_referent(**overrides) -> User:
    """A référent·e handicap (issue 18): reads and answers the adjustment requests."""
    return make_user(roles=[Role.DISABILITY], category=Category.SALARIE, **overrides)


def make_theme(**overrides) -> Theme:
    n = next(_counter)
    return _added(Theme, {"name": f"Thématique {n}", "slug": f"thematique-{n}"}, overrides)


def make_cycle(**overrides) -> Cycle:
    n = next(_counter)
    _parent(overrides, "theme", make_theme)
    return _added(Cycle, {"title": f"Cycle {n}", "year": 2026}, overrides)


def make_module(**overrides) -> Module:
    n = next(_counter)
    _parent(overrides, "cycle", make_cycle)
    return _added(Module, {"title": f"Module {n}", "duration_hours": 3.0}, overrides)


def make_session(
    *, starts_at: datetime | None = None, seances: int = 1, hours: float = 3.0, **overrides
) -> TrainingSession:
    """Build a published session with ``seances`` half-days starting at ``starts_at``."""
    n = next(_counter)
    start = starts_at or (utcnow() + timedelta(days=14)).replace(
        hour=8, minute=0, second=0, microsecond=0
    )
    values = {"title": f"Session {n}", "status": SessionStatus.PUBLISHED, "capacity": 12}
    values.update(overrides)
    session = TrainingSession(**values)
    for index in range(seances):
        begin = start + timedelta(days=index)
        session.seances.append(Seance(starts_at=begin, ends_at=begin + timedelta(hours=hours)))
    session.sync_dates()
    db.session.add(session)
    db.session.flush()
    if session.status != SessionStatus.DRAFT:
        rollups.refresh([session.id])  # as publishing does: the bilan counts its séances
    return session


# --- Enrolment, diagnostic ----------------------------------------------------------------


def enrol(session, person, status=EnrolmentStatus.CONFIRMED) -> Enrolment:
    """Enrol ``person`` in ``session`` as is (no capacity check, no e-mail)."""
    return _added(Enrolment, {"session": session, "person": person, "status": status}, {})


def make_campaign(*, opens_on=None, closes_on=None, title="Diagnostic 2026", **kw):
    """Build a diagnostic campaign, open from yesterday for 30 days unless told otherwise."""
    today = today_paris()
    campaign = DiagnosticCampaign(
        title=title,
        opens_on=opens_on or today - timedelta(days=1),
        closes_on=closes_on or today + timedelta(days=30),
        **kw,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign
