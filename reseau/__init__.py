"""Réseau: the training programme of a regional network of centres sociaux."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from reseau.config import load_config

MIGRATIONS_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "migrations"))


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the Réseau application; ``config`` overrides everything else (tests)."""
    from reseau import (
        accounts,
        adjustments,
        attendance,
        calendars,
        catalogue,
        complaints,
        diagnostic,
        enrolment,
        evaluation,
        funding,
        imports,
        main,
        membership,
        outbox,
        parcours,
        privacy,
        proof,
        reports,
        valuation,
    )
    from reseau.cli import register_commands
    from reseau.core import cache, database, errors, http, i18n, security
    from reseau.core.extensions import csrf, htmx
    from reseau.core.web import ReseauEnvironment

    app = Flask(__name__, instance_relative_config=True)
    app.jinja_environment = ReseauEnvironment  # before anything creates app.jinja_env
    load_config(app, config)
    _import_models()
    database.init_app(app, MIGRATIONS_DIR)
    cache.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    i18n.init_app(app)
    http.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    accounts.init_app(app)
    outbox.init_app(app)
    for room in (main, accounts, catalogue, enrolment, diagnostic, calendars, reports):
        app.register_blueprint(room.bp)
    for room in (
        attendance,
        proof,
        privacy,
        imports,
        funding,
        evaluation,
        membership,
        valuation,
        complaints,
        parcours,
        adjustments,
    ):
        app.register_blueprint(room.bp)
    register_commands(app)
    return app


def _import_models() -> None:
    """Import every models module so that the metadata (and Alembic) sees all tables."""
    from reseau.accounts import models as accounts_models  # noqa: F401
    from reseau.adjustments import models as adjustments_models  # noqa: F401
    from reseau.attendance import models as attendance_models  # noqa: F401
    from reseau.calendars import models as calendars_models  # noqa: F401
    from reseau.catalogue import models as catalogue_models  # noqa: F401
    from reseau.complaints import models as complaints_models  # noqa: F401
    from reseau.core import audit, changes, tick  # noqa: F401
    from reseau.diagnostic import models as diagnostic_models  # noqa: F401
    from reseau.enrolment import models as enrolment_models  # noqa: F401
    from reseau.evaluation import models as evaluation_models  # noqa: F401
    from reseau.funding import models as funding_models  # noqa: F401
    from reseau.imports import models as imports_models  # noqa: F401
    from reseau.membership import models as membership_models  # noqa: F401
    from reseau.outbox import models as outbox_models  # noqa: F401
    from reseau.proof import models as proof_models  # noqa: F401
    from reseau.valuation import models as valuation_models  # noqa: F401
