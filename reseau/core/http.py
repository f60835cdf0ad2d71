"""HTTP around every answer: security headers, caching rules, compression, proxies."""

from __future__ import annotations

from werkzeug.middleware.proxy_fix import ProxyFix

from reseau.core.extensions import compress, limiter

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def init_app(app) -> None:
    """Headers on every answer, the rate limiter, compression and the proxies in front."""
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
