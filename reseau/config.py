"""Configuration: defaults in code, then the environment, then ``instance/config.py``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str] | None:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or None


def default_config(instance_path: str) -> dict:
    """Return the configuration read from code defaults and environment variables."""
    instance = Path(instance_path)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'reseau.sqlite'}"
    if database_url.startswith("postgres://"):
        # Heroku-style URLs name the dialect without the driver we ship.
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return {
        **_site(database_url),
        **_mail(instance),
        **_sessions_and_pages(),
        **_hosts_and_limits(),
        **_calendars_and_the_rest(),
    }


def _site(database_url: str) -> dict:
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        # Not a setting: create_app sets it when the key had to be generated into instance/.
        "SECRET_KEY_GENERATED": False,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # PostgreSQL: a pooled connection idle longer than this is checked before use
        # (core.database.ping_idle_connections), instead of a ping on every request.
        "DATABASE_PING_IDLE_SECONDS": float(os.environ.get("DATABASE_PING_IDLE_SECONDS", "1")),
        "NETWORK_NAME": os.environ.get(
            "NETWORK_NAME", "Fédération des centres sociaux de la région Centre"
        ),
        # The public address for links (e-mails, feeds, QR codes). Unset: the address the
        # server listens on (see outbox.queue.base_url); set it in production.
        "BASE_URL": os.environ.get("BASE_URL") or None,
    }


def _mail(instance: Path) -> dict:
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL", False),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Réseau <ne-pas-repondre@reseau.invalid>"
        ),
        "MAIL_DIRECTORY": os.environ.get("MAIL_DIRECTORY", str(instance / "mail")),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "8")),
    }


def _sessions_and_pages() -> dict:
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "INVITATION_DAYS": 14,
        "PASSWORD_RESET_HOURS": 2,
        # Issue 8: sessions end after 2 hours without a request, and 12 hours after login.
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "120")),
        "SESSION_ABSOLUTE_HOURS": int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")),
        # The idle warning with its « Rester connecté·e » button shows this long before the end.
        "SESSION_WARNING_SECONDS": int(os.environ.get("SESSION_WARNING_SECONDS", "300")),
    }


def _hosts_and_limits() -> dict:
    return {
        # Host names the app answers to (comma-separated); empty accepts any (development).
        "TRUSTED_HOSTS": _env_list("TRUSTED_HOSTS"),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "PROXY_FIX_HOPS": int(os.environ.get("PROXY_FIX_HOPS", "0")),
        # Rate limits: in-memory counts are per process; point this at Redis
        # (redis://host:6379) when several workers serve the app.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_LOGIN": os.environ.get("RATELIMIT_LOGIN", "10 per minute;50 per hour"),
        "RATELIMIT_TOKEN": os.environ.get("RATELIMIT_TOKEN", "30 per minute"),
        # Registration and "mot de passe oublié", counted per e-mail address typed (each
        # request mails that address), on top of RATELIMIT_LOGIN per client.
        "RATELIMIT_ADDRESS": os.environ.get("RATELIMIT_ADDRESS", "3 per hour;10 per day"),
        # Private feeds, counted per address (token): Google and Microsoft fetch everyone's
        # feeds from a few addresses. Wrong addresses count against RATELIMIT_TOKEN instead.
        "RATELIMIT_FEED": os.environ.get("RATELIMIT_FEED", "10 per minute;120 per hour"),
        # QR self check-in, counted per logged-in person (a room may share one address).
        "RATELIMIT_CHECKIN": os.environ.get("RATELIMIT_CHECKIN", "20 per minute"),
    }


def _calendars_and_the_rest() -> dict:
    return {
        # Issue 14, calendars: ORGANIZER of events and invitations (the network's contact
        # address; unset: MAIL_DEFAULT_SENDER's), the host part of event UIDs (unset: fixed at
        # first start and kept in the database), the key of feed addresses (unset: SECRET_KEY),
        # built feeds each worker keeps, and how far back subscription feeds go.
        "NETWORK_CONTACT_EMAIL": os.environ.get("NETWORK_CONTACT_EMAIL") or None,
        "CALENDAR_UID_HOST": os.environ.get("CALENDAR_UID_HOST") or None,
        "CALENDAR_TOKEN_KEY": os.environ.get("CALENDAR_TOKEN_KEY") or None,
        "CALENDAR_FEED_CACHE_ENTRIES": int(os.environ.get("CALENDAR_FEED_CACHE_ENTRIES", "32")),
        "CALENDAR_PAST_MONTHS": int(os.environ.get("CALENDAR_PAST_MONTHS", "12")),
        # Issue 21, figures kept between requests (the bilan, the diagnostic results; see
        # reseau/core/cache.py): in Redis when CACHE_REDIS_URL is set (shared by every worker
        # and host), in each worker's memory otherwise; how long an unused one stays (0: none
        # kept) and, in memory, how many.
        "CACHE_REDIS_URL": os.environ.get("CACHE_REDIS_URL") or None,
        "FIGURES_CACHE_SECONDS": int(os.environ.get("FIGURES_CACHE_SECONDS", "86400")),
        "FIGURES_CACHE_ENTRIES": int(os.environ.get("FIGURES_CACHE_ENTRIES", "200")),
        # Pages and feeds compressed by Flask-Compress when the client accepts it. Not streamed
        # files (static, downloads): its streaming path leaves them open; a proxy does those.
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_STREAMS": False,
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/plain",
            "text/calendar",
            "text/csv",
            "application/javascript",
            "application/json",
            "image/svg+xml",
        ],
        # How long a QR check-in code stays valid.
        "CHECKIN_TOKEN_SECONDS": int(os.environ.get("CHECKIN_TOKEN_SECONDS", str(20 * 60))),
        # Retention: people inactive for this many months are anonymised by `tick` (0: never).
        "RETENTION_MONTHS": int(os.environ.get("RETENTION_MONTHS", "36")),
        # Who signs attendance certificates (« Claire Martin, coordinatrice régionale »);
        # empty: the coordinator who closed the session.
        "CERTIFICATE_SIGNATORY": os.environ.get("CERTIFICATE_SIGNATORY", ""),
        # The first time retention finds people, `tick` says how many and waits this long.
        "RETENTION_NOTICE_DAYS": int(os.environ.get("RETENTION_NOTICE_DAYS", "7")),
        # Issue 16, proof: signing opens this long before a séance and closes this long after;
        # sealed proof is kept until the end of the séance's year plus these years
        # (docs/proof-retention.md); PAdES signature of sealed PDFs with this key and
        # certificate (PEM files; unset: the SHA-256 fingerprints alone); sessions with more
        # participants than this get their evidence pack built by `tick`.
        "SIGNING_WINDOW_MINUTES": int(os.environ.get("SIGNING_WINDOW_MINUTES", "30")),
        "PROOF_RETENTION_YEARS": int(os.environ.get("PROOF_RETENTION_YEARS", "6")),
        "PROOF_SIGNING_KEY": os.environ.get("PROOF_SIGNING_KEY") or None,
        "PROOF_SIGNING_CERT": os.environ.get("PROOF_SIGNING_CERT") or None,
        "PROOF_SIGNING_KEY_PASSWORD": os.environ.get("PROOF_SIGNING_KEY_PASSWORD") or None,
        "PACK_INLINE_MAX_PEOPLE": int(os.environ.get("PACK_INLINE_MAX_PEOPLE", "40")),
    }


def load_config(app, overrides=None) -> None:
    """Fill ``app.config``: code defaults and the environment, then ``instance/config.py``,
    then ``overrides`` (tests); a secret key is generated into ``instance/`` when none is set."""
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(default_config(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if overrides:
        app.config.from_mapping(overrides)
    # One switch for both cookies, wherever it was set (environment or instance/config.py).
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if not app.config.get("SECRET_KEY"):
        # Said by deploy-check: each host would generate its own key.
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
        app.config["SECRET_KEY_GENERATED"] = True


def load_secret_key(instance_path: str) -> str:
    """Return the secret key kept in ``instance/secret_key``, creating it on first run.

    A generated key keeps sessions valid across restarts without ever committing a secret.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    key = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two workers starting together must agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
