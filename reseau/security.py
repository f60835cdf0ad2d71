"""HTTP security: malformed input refused, security headers on every answer."""

from __future__ import annotations

from itertools import chain

from flask import abort, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def register(app) -> None:
    @app.before_request
    def refuse_nul_bytes():
        # PostgreSQL cannot store NUL in text (the insert would end in a 500) and no person
        # types one: such a request is refused as malformed, for every form of every room.
        fields = chain(request.args.items(multi=True), request.form.items(multi=True))
        if any("\x00" in key or "\x00" in value for key, value in fields):
            abort(400)

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
