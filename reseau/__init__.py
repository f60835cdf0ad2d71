"""Réseau: the training programme of a regional network of centres sociaux."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, request

from reseau import data_version
from reseau.config import default_config, load_secret_key
from reseau.database import configure_sqlite, set_read_only
from reseau.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate

MIGRATIONS_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "migrations"))


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the Réseau application; ``config`` overrides everything else (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(default_config(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if config:
        app.config.from_mapping(config)
    # One switch for both cookies, wherever it was set (environment or instance/config.py).
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if not app.config.get("SECRET_KEY"):
        # Said by deploy-check: each host would generate its own key.
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
        app.config["SECRET_KEY_GENERATED"] = True

    _import_models()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file on this machine cannot have dropped the connection: no ping per request.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    data_version.install()
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                configure_sqlite(engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=lambda: "fr", timezone_selector=lambda: "Europe/Paris")
    htmx.init_app(app)
    # Before the limiter's hook, so that it runs after it (Flask runs them in reverse order).
    app.after_request(_retry_after_only_on_429)
    limiter.init_app(app)
    compress.init_app(app)
    if app.config.get("PROXY_FIX_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from reseau import errors, i18n, security
    from reseau.accounts import bp as accounts_bp
    from reseau.accounts.login import init_login
    from reseau.attendance import bp as attendance_bp
    from reseau.calendars import bp as calendars_bp
    from reseau.catalogue import bp as catalogue_bp
    from reseau.cli import register_commands
    from reseau.diagnostic import bp as diagnostic_bp
    from reseau.enrolment import bp as enrolment_bp
    from reseau.main import bp as main_bp
    from reseau.ops import register_ops_commands
    from reseau.outbox.queue import init_links
    from reseau.privacy import bp as privacy_bp
    from reseau.reports import bp as reports_bp

    init_login(app)
    init_links(app)
    i18n.register_filters(app)
    errors.register(app)
    security.register(app)
    security.install_log_redaction(app.logger)
    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(enrolment_bp)
    app.register_blueprint(diagnostic_bp)
    app.register_blueprint(calendars_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(privacy_bp)
    register_commands(app)
    register_ops_commands(app)

    @app.before_request
    def _mark_read_only():
        # SQLite: read-only requests begin deferred transactions (see database.py).
        set_read_only(request.method in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _unmark_read_only(exc):
        set_read_only(False)

    return app


def _retry_after_only_on_429(response):
    """Flask-Limiter adds Retry-After to every answer of a limited route: keep it on 429s."""
    if response.status_code != 429:
        response.headers.pop("Retry-After", None)
    return response


def _import_models() -> None:
    """Import every models module so that the metadata (and Alembic) sees all tables."""
    from reseau import audit, data_version, tick  # noqa: F401
    from reseau.accounts import models as accounts_models  # noqa: F401
    from reseau.attendance import models as attendance_models  # noqa: F401
    from reseau.calendars import models as calendars_models  # noqa: F401
    from reseau.catalogue import models as catalogue_models  # noqa: F401
    from reseau.diagnostic import models as diagnostic_models  # noqa: F401
    from reseau.enrolment import models as enrolment_models  # noqa: F401
    from reseau.outbox import models as outbox_models  # noqa: F401
