"""Privacy (RGPD): one's own data, deletion requests, anonymisation, retention, audit log."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from reseau.privacy import receivers, views  # noqa: E402, F401
