"""Issue 23: the certificate reads « Pour la Fédération… » and names who signs it."""

from __future__ import annotations

import pytest

from reseau.attendance.pdf import with_article
from reseau.catalogue.models import SessionStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from tests.attendance.helpers import past_session
from tests.attendance.test_documents import pdf_text
from tests.factories import make_coordinator


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Fédération des centres sociaux de la région Centre", "la Fédération des"),
        ("Union régionale des centres sociaux", "l'Union régionale"),
        ("Réseau des centres sociaux du Cher", "le Réseau des"),
        ("La Fédération du Loiret", "La Fédération du"),
        ("FCSF", "FCSF"),
    ],
)
def test_network_name_gets_its_article(name, expected):
    assert with_article(name).startswith(expected)


def _closed(coordinator):
    session, _, people = past_session(people=1, title="La fonction employeur")
    session.status, session.closed_at = SessionStatus.CLOSED, utcnow()
    session.closed_by_id = coordinator.id
    db.session.commit()
    return session, people[0]


def test_certificate_says_for_whom_and_who_signs(client, auth, app):
    app.config["NETWORK_NAME"] = "Fédération des centres sociaux de la région Centre"
    first = make_coordinator(first_name="Anne", last_name="Première")
    closer = make_coordinator(first_name="Claire", last_name="Martin")
    session, person = _closed(closer)
    auth.login(person)
    _, text = pdf_text(client.get(f"/mes-formations/{session.id}/attestation.pdf"))
    flat = " ".join(text.split())
    assert "La Fédération des centres sociaux de la région Centre atteste que" in flat
    assert "Pour la Fédération des centres sociaux de la région Centre," in flat
    assert "Pour Fédération" not in flat
    assert "Claire Martin, coordination régionale" in flat
    assert first.last_name not in flat
    # A configured signatory wins.
    app.config["CERTIFICATE_SIGNATORY"] = "Zoé Durand, présidente"
    _, text = pdf_text(client.get(f"/mes-formations/{session.id}/attestation.pdf"))
    assert "Zoé Durand, présidente" in " ".join(text.split())
    # The coordinator's batch of certificates says the same.
    app.config["CERTIFICATE_SIGNATORY"] = ""
    auth.logout()
    auth.login(first)
    _, text = pdf_text(client.get(f"/mes-sessions/{session.id}/attestations.pdf"))
    assert "Claire Martin, coordination régionale" in " ".join(text.split())
