"""Self check-in links: short-lived, signed, one séance each, shown as a QR code."""

from __future__ import annotations

import segno
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

# How long a link shown on the trainer's phone stays valid; the page renews it.
TOKEN_SECONDS = 20 * 60


class CheckinLinkError(Exception):
    """A link that cannot be used; ``message`` is French and shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _serializer(seance_id: int) -> URLSafeTimedSerializer:
    # The séance is in the salt: a link of one séance never opens another.
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"reseau-checkin-seance-{seance_id}"
    )


def make_token(seance_id: int) -> str:
    return _serializer(seance_id).dumps({"seance": seance_id})


def check_token(seance_id: int, token: str, *, max_age: int | None = None) -> None:
    """Raise CheckinLinkError unless ``token`` is a live link for ``seance_id``."""
    max_age = max_age or current_app.config.get("CHECKIN_TOKEN_SECONDS", TOKEN_SECONDS)
    try:
        data = _serializer(seance_id).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise CheckinLinkError(
            "Ce lien d'émargement a expiré. Demandez à la personne qui anime la séance "
            "d'afficher à nouveau le QR code."
        ) from error
    except BadSignature as error:
        raise CheckinLinkError(
            "Ce lien d'émargement n'est pas valable. Scannez le QR code affiché pendant la séance."
        ) from error
    if not isinstance(data, dict) or data.get("seance") != seance_id:
        raise CheckinLinkError("Ce lien d'émargement n'est pas valable.")


def qr_data_uri(url: str) -> str:
    """Return the QR code of ``url`` as an SVG data URI (allowed by the CSP's img-src)."""
    return segno.make(url, error="m").svg_data_uri(scale=6, border=2, dark="#000", light="#fff")
