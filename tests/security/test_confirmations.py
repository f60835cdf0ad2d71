"""Issue 13: destructive actions ask first (a page without JavaScript, the page's <dialog>
with it) and a cancellation or a disabling can carry a reason, told in the e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.outbox.models import OutboxMail
from tests.factories import (
    make_centre,
    make_coordinator,
    make_referent,
    make_session,
    make_trainer,
    make_user,
)

REASON = "La salle est inondée : nous reprogrammons en mars."


class World:
    pass


@pytest.fixture
def world(app):
    w = World()
    w.centre = make_centre()
    w.coordinator = make_coordinator()
    w.referent = make_referent(w.centre)
    w.trainer = make_trainer()
    w.member = make_user(centre=w.centre, email="membre@exemple.test")
    w.session = make_session(title="Accueillir", trainers=[w.trainer])
    w.enrolment = Enrolment(session=w.session, person=w.member, status=EnrolmentStatus.CONFIRMED)
    db.session.add(w.enrolment)
    past = (utcnow() - timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    w.past = make_session(starts_at=past, trainers=[w.trainer])
    db.session.flush()
    db.session.add(
        Attendance(seance=w.past.seances[0], person_id=w.member.id, status=AttendanceStatus.PRESENT)
    )
    db.session.commit()
    return w


# name -> (who, page showing the action, confirmation URL, a reason?, subject of the e-mail)
ACTIONS = {
    "annuler une session": (
        "coordinator",
        "/admin/sessions/{session}",
        "/admin/sessions/{session}/annuler",
        "Session annulée",
    ),
    "annuler la session depuis la liste des inscrits": (
        "coordinator",
        "/admin/sessions/{session}/inscrits",
        "/admin/sessions/{session}/annuler",
        "Session annulée",
    ),
    "annuler l'inscription de quelqu'un": (
        "referent",
        "/centre/inscriptions",
        "/inscriptions/{enrolment}/annuler",
        "Inscription annulée",
    ),
    "désactiver un compte": (
        "coordinator",
        "/personnes/{member}",
        "/personnes/{member}/statut",
        "Votre compte Réseau est désactivé",
    ),
    "clôturer une session": (
        "trainer",
        "/mes-sessions/{past}",
        "/mes-sessions/{past}/cloturer",
        None,
    ),
}


def _values(w: World) -> dict:
    return {
        "session": w.session.id,
        "enrolment": w.enrolment.id,
        "member": w.member.id,
        "past": w.past.id,
    }


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_a_destructive_action_asks_first(client, auth, htmx_headers, world, name):
    who, source, confirm, subject = ACTIONS[name]
    values = _values(world)
    source, confirm = source.format(**values), confirm.format(**values)
    auth.login(getattr(world, who))
    page = client.get(source).text
    # The button is a link to the confirmation, which htmx opens in the page's <dialog>; no
    # form posts the action in one click.
    link = re.search(rf'<a [^>]*href="{re.escape(confirm)}(\?[^"]*)?"[^>]*>', page)
    assert link, f"no link to {confirm} on {source}"
    assert 'data-hx-target="#confirm-dialog"' in link.group(0)
    assert f'action="{confirm}"' not in page
    assert '<dialog id="confirm-dialog"' in page
    # Without JavaScript: a page with the POST form, and a way back.
    answer = client.get(confirm)
    assert answer.status_code == 200
    assert f'<form method="post" action="{confirm}"' in answer.text
    assert "Non, revenir en arrière" in answer.text and "<html" in answer.text
    assert ('name="reason"' in answer.text) is (subject is not None)
    # With it: the same form alone, closed by a <form method="dialog">.
    fragment = client.get(confirm, headers=htmx_headers)
    assert "<html" not in fragment.text and '<form method="dialog">' in fragment.text
    # Confirmed: done, and the reason goes into the e-mail to the people concerned.
    answer = client.post(confirm, data={"reason": REASON} if subject else {})
    assert answer.status_code == 303
    if subject is None:
        db.session.expire_all()
        assert db.session.get(TrainingSession, world.past.id).status == SessionStatus.CLOSED
        return
    (mail,) = db.session.scalars(
        sa.select(OutboxMail).where(
            OutboxMail.recipient == "membre@exemple.test", OutboxMail.subject.startswith(subject)
        )
    ).all()
    assert f"Motif : {REASON}" in mail.body_text


def test_a_reason_too_long_is_refused_next_to_the_field(client, auth, world):
    auth.login(world.coordinator)
    url = f"/personnes/{world.member.id}/statut"
    answer = client.post(url, data={"action": "desactiver", "reason": "x" * 501})
    assert answer.status_code == 422
    assert "Le motif tient en 500 caractères." in answer.text
    assert "x" * 501 in answer.text  # what was typed is kept
    db.session.refresh(world.member)
    assert world.member.status.value == "active"


def test_no_reason_no_motif_line_and_going_back_where_one_came_from(client, auth, world):
    auth.login(world.coordinator)
    roster = f"/admin/sessions/{world.session.id}/inscrits"
    page = client.get(f"/admin/sessions/{world.session.id}/annuler?next={roster}")
    assert f'name="next" type="hidden" value="{roster}"' in page.text
    answer = client.post(f"/admin/sessions/{world.session.id}/annuler", data={"next": roster})
    assert answer.location == roster
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.subject.startswith("Session")))
    assert "Motif" not in mail.body_text
    # Someone cancelling their own enrolment is asked too, without a reason to give.
    other = make_session()
    mine = Enrolment(session=other, person=world.coordinator, status=EnrolmentStatus.CONFIRMED)
    db.session.add(mine)
    db.session.commit()
    page = client.get(f"/inscriptions/{mine.id}/annuler")
    assert "Annuler votre inscription" in page.text and 'name="reason"' not in page.text
