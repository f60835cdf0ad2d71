"""The complaint form is rate limited like self-registration: per client, and per address
typed (each complaint mails that address)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from reseau.complaints.models import Complaint
from reseau.core.extensions import db


@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_STORAGE_URI"] = "memory://"
    app_config["RATELIMIT_LOGIN"] = "5 per minute"
    app_config["RATELIMIT_ADDRESS"] = "2 per hour"
    return app_config


def _send(client, email: str):
    return client.post(
        "/reclamation",
        data={
            "kind": "complaint",
            "category": "other",
            "name": "Jean Petit",
            "email": email,
            "text": "Un message assez long pour être reçu.",
        },
    )


def test_one_address_gets_two_complaints_then_a_french_429(client):
    assert _send(client, "jean@exemple.fr").status_code == 303
    assert _send(client, "JEAN@exemple.fr ").status_code == 303
    refused = _send(client, "jean@exemple.fr")
    assert refused.status_code == 429 and "Trop de tentatives" in refused.text
    assert _send(client, "autre@exemple.fr").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 3
    # Showing the form is not an attempt.
    assert client.get("/reclamation").status_code == 200


def test_one_client_is_limited_whatever_the_address(client):
    for n in range(5):
        assert _send(client, f"personne{n}@exemple.fr").status_code == 303
    assert _send(client, "encore@exemple.fr").status_code == 429
