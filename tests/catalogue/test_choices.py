"""The one list of sessions to choose from (reseau/catalogue/choices.py): one label, latest
first, each room's own selection; the adjustments' and the complaints register's filters and
the complaint form all read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from reseau.adjustments.models import AdjustmentRequest
from reseau.catalogue.choices import session_choices, session_label, with_blank
from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.complaints import operations as complaint_ops
from reseau.complaints.models import Complaint, ComplaintCategory
from reseau.core.extensions import db
from tests.factories import (
    enrol,
    make_coordinator,
    make_disability_referent,
    make_session,
    make_user,
)

MARCH = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
LABEL = "Animer une réunion (12 mars 2026)"


def test_the_label_names_the_day_or_falls_back_to_the_title():
    assert session_label("Animer une réunion", MARCH) == LABEL
    assert session_label("Sans date", None) == "Sans date"
    assert with_blank(None, [(1, "a")]) == [(1, "a")]
    assert with_blank("Toutes", iter([(1, "a")])) == [("", "Toutes"), (1, "a")]


def test_latest_first_among_those_the_room_chooses(app):
    early = make_session(title="Tôt", starts_at=MARCH)
    late = make_session(title="Tard", starts_at=MARCH + timedelta(days=30))
    draft = make_session(title="Brouillon", starts_at=MARCH, status=SessionStatus.DRAFT)
    db.session.commit()

    assert [value for value, _ in session_choices()] == [late.id, early.id, draft.id]
    assert session_choices(TrainingSession.status != SessionStatus.DRAFT, blank="Toutes") == [
        ("", "Toutes"),
        (late.id, "Tard (11 avr. 2026)"),
        (early.id, "Tôt (12 mars 2026)"),
    ]
    assert session_choices(among=sa.select(sa.literal(early.id))) == [
        (early.id, "Tôt (12 mars 2026)")
    ]
    assert session_choices(limit=1) == [(late.id, "Tard (11 avr. 2026)")]


def test_the_filters_and_the_form_read_the_same_label(client, auth):
    session = make_session(title="Animer une réunion", starts_at=MARCH)
    make_session(title="Sans demande ni réclamation", starts_at=MARCH)
    person = make_user()
    enrol(session, person)
    db.session.add(AdjustmentRequest(session_id=session.id, person_id=person.id, text="LSF"))
    complaint_ops.insert_numbered(
        Complaint(
            received_at=MARCH, category=ComplaintCategory.PLACE, session_id=session.id,
            name="Jean Petit",
            email="jean.petit@exemple.fr", text="Trop loin.",
        )
    )  # fmt: skip
    coordinator, disability = make_coordinator(), make_disability_referent()
    db.session.commit()

    assert LABEL in client.get("/reclamation").text
    auth.login(coordinator)
    register = client.get("/admin/reclamations").text
    assert LABEL in register and "Sans demande ni réclamation" not in register
    auth.logout()
    auth.login(disability)
    requests = client.get("/amenagements").text
    assert LABEL in requests and "Toutes les sessions" in requests
    assert "Sans demande ni réclamation" not in requests
