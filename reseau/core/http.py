"""HTTP around every answer: security headers, caching rules, compression, proxies."""

from __future__ import annotations

import flask
from flask import current_app
from werkzeug.middleware.proxy_fix import ProxyFix

from reseau.core.extensions import compress, limiter

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class UploadLimit(flask.Request):
    """A request whose body may be larger than ``MAX_CONTENT_LENGTH`` for the views marked
    with ``allows_upload``. The limit must be known before anything reads the form: the CSRF
    check and ``refuse_nul_bytes`` do, before the view runs (beyond it: a French 413 page)."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and self.endpoint:
            view = current_app.view_functions.get(self.endpoint)
            limit = getattr(view, "max_upload_bytes", None)
            if limit:
                return limit
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def allows_upload(max_bytes: int):
    """Let the view receive a request body of up to ``max_bytes`` (a file upload)."""

    def decorator(view):
        view.max_upload_bytes = max_bytes
        return view

    return decorator


def init_app(app) -> None:
    """Headers on every answer, the rate limiter, compression and the proxies in front."""
    # On top of the request class already set (htmx-flask's, with ``request.htmx``).
    app.request_class = type("Request", (UploadLimit, app.request_class), {})
    _add_security_headers(app)
    # Before the limiter's hook, so that it runs after it (Flask runs them in reverse order).
    app.after_request(_retry_after_only_on_429)
    limiter.init_app(app)
    compress.init_app(app)
    if app.config.get("PROXY_FIX_HOPS"):
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _retry_after_only_on_429(response):
    """Flask-Limiter adds Retry-After to every answer of a limited route: keep it on 429s."""
    if response.status_code != 429:
        response.headers.pop("Retry-After", None)
    return response


def _add_security_headers(app) -> None:
    @app.after_request
    def add_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html":
            # Pages hold personal data: never keep them in shared caches.
            response.headers.setdefault("Cache-Control", "no-store")
        # htmx and plain requests get different bodies from the same URL.
        response.vary.add("HX-Request")
        return response
