"""What the site navigation (``_nav.html``) needs, decided once per request.

The template used to ask the signed-in person's roles, the request's endpoint and the
diagnostic's open campaigns expression by expression (each a proxy lookup or a property,
some forty a page); ``page_nav()`` answers them in one pass and keeps the answer in ``g``.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import g, request
from flask_login import current_user

from reseau.diagnostic.views import has_open_diagnostic
from reseau.main import bp

# The administration dropdown is "current" on these blueprints' pages.
_ADMIN_BLUEPRINTS = ("catalogue", "diagnostic", "membership", "valuation")
_ADMIN_ENDPOINTS = (
    "enrolment.centre_enrolments",
    "privacy.audit_log",
    "parcours.shared_list",
    "parcours.person_parcours",
)


class Nav(NamedTuple):
    ep: str  # the request's endpoint ('' when none)
    blueprint: str | None
    signed_in: bool
    coordinator: bool
    referent: bool
    trainer: bool
    disability_referent: bool
    centre_id: int | None
    diagnostic: bool  # the "Diagnostic" link (people who answer, not managers)
    manages: bool  # the "Administration" / "Mon centre" group
    admin_title: str
    admin_current: bool


@bp.app_template_global("page_nav")
def page_nav() -> Nav:
    """The navigation's answers for this request (computed on first use)."""
    nav = g.get("_page_nav")
    if nav is None:
        nav = g._page_nav = _decide()
    return nav


def _decide() -> Nav:
    ep, blueprint = request.endpoint or "", request.blueprint
    user = current_user._get_current_object()
    signed_in = user.is_authenticated
    coordinator = signed_in and user.is_coordinator
    referent = signed_in and user.is_referent
    manages = coordinator or referent
    return Nav(
        ep=ep,
        blueprint=blueprint,
        signed_in=signed_in,
        coordinator=coordinator,
        referent=referent,
        trainer=signed_in and user.is_trainer,
        disability_referent=signed_in and user.is_disability_referent,
        centre_id=user.centre_id if signed_in else None,
        diagnostic=signed_in and not manages and has_open_diagnostic(),
        manages=manages,
        admin_title="Administration" if coordinator else "Mon centre",
        admin_current=(
            blueprint in _ADMIN_BLUEPRINTS
            or (blueprint == "adjustments" and coordinator)
            or ep in _ADMIN_ENDPOINTS
            or ep.startswith(("accounts.centre", "accounts.person"))
        ),
    )
