"""A production configuration that passes every deploy check, for tests to spoil one item."""

from __future__ import annotations

SAFE = {
    "DEBUG": False,
    "TESTING": False,
    "SECRET_KEY": "3f9c1e7a8b2d4f6071c5e9a3b8d2f4a6",
    "BASE_URL": "https://formation.exemple.fr",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "TRUSTED_HOSTS": ["formation.exemple.fr"],
    "MAX_CONTENT_LENGTH": 1024,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://reseau@db/reseau",
    "RATELIMIT_STORAGE_URI": "redis://cache:6379",
    "MAIL_SERVER": "smtp.exemple.fr",
    "PROXY_FIX_HOPS": 1,
}
