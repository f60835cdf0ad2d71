"""Issue 18 in the demo: the accessibility of the centres that host sessions, the phone of
the référente handicap, and two adjustment requests of the demo volunteer (one answered).

The places are the seeds' centres (the Centre social du Blanc at 1, rue Jean Giraudoux,
from the 2011 report); what each offers is made up for the demo, and varied, so that the
catalogue's filter "accessible en fauteuil" keeps some sessions and leaves others out.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from devdata import vocabulary as words
from devdata.demo.specs import BENEVOLE, HANDICAP
from reseau.accounts.models import Centre, User
from reseau.adjustments.models import AdjustmentRequest
from reseau.catalogue.models import PlaceAccessibility, TrainingSession
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus

# (centre, step-free, accessible toilets, hearing loop, public transport, notes)
PLACES = [
    (
        words.BLANC,
        True,
        True,
        False,
        True,
        "Entrée de plain-pied au 1, rue Jean Giraudoux ; deux places de stationnement réservées "
        "devant le centre.",
    ),
    (
        words.VIERZON,
        False,
        False,
        False,
        True,
        "Salle de formation au premier étage, sans ascenseur : prévenez-nous, la formation peut "
        "se tenir dans la salle du rez-de-chaussée. Gare de Vierzon à 10 minutes à pied.",
    ),
    (words.SAINT_JEAN_DE_BRAYE, True, True, True, True, "Tram ligne A, arrêt à 200 m."),
    (("Centre social de Châteauroux", "Châteauroux"), True, False, False, True, ""),
    (("Centre social Quinière", "Blois"), True, True, False, True, "Bus ligne 4, arrêt Quinière."),
    (("Centre social de Châteauneuf-sur-Loire", "Châteauneuf-sur-Loire"), False, True, False, False, ""),
]  # fmt: skip

HANDICAP_PHONE = "02 38 00 18 18"
REQUESTS = (
    "J'entends mal : pouvez-vous me placer près de la formatrice et me donner les supports "
    "par écrit ?",
    "Je me déplace avec une canne : une place près de la porte et une pause toutes les heures, "
    "s'il vous plaît.",
)
ARRANGED = "Place réservée au premier rang ; les supports vous seront envoyés la veille par e-mail."


def add_demo_accessibility(created: Counter) -> None:
    centres = {(c.name, c.town): c for c in db.session.scalars(sa.select(Centre))}
    described = set(db.session.scalars(sa.select(PlaceAccessibility.centre_id)))
    for key, step_free, toilets, loop, transport, notes in PLACES:
        centre = centres.get(key)
        if centre is None or centre.id in described:
            continue
        db.session.add(
            PlaceAccessibility(
                centre_id=centre.id,
                step_free=step_free,
                accessible_toilets=toilets,
                hearing_loop=loop,
                public_transport=transport,
                notes=notes,
            )
        )
        created["accessible_places"] += 1
    referent = db.session.scalar(sa.select(User).where(User.email == HANDICAP))
    if referent is not None and not referent.phone:
        referent.phone = HANDICAP_PHONE
    _requests(created)
    db.session.flush()


def _requests(created: Counter) -> None:
    """The demo volunteer's requests for her next two sessions; the first one answered."""
    volunteer = db.session.scalar(sa.select(User).where(User.email == BENEVOLE))
    answering = db.session.scalar(sa.select(User).where(User.email == HANDICAP))
    if volunteer is None or answering is None:
        return
    sessions = db.session.scalars(
        sa.select(TrainingSession)
        .join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .where(
            Enrolment.person_id == volunteer.id,
            Enrolment.status == EnrolmentStatus.CONFIRMED,
            TrainingSession.starts_at > utcnow(),
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(2)
    ).all()
    asked = set(
        db.session.scalars(
            sa.select(AdjustmentRequest.session_id).where(
                AdjustmentRequest.person_id == volunteer.id
            )
        )
    )
    now = utcnow()
    for index, session in enumerate(sessions):
        if session.id in asked:
            continue
        found = AdjustmentRequest(
            session_id=session.id,
            person_id=volunteer.id,
            text=REQUESTS[index],
            asked_by_id=volunteer.id,
            created_at=now - timedelta(days=3),
            updated_at=now - timedelta(days=3),
        )
        if index == 0:
            found.arranged, found.arranged_by_id = ARRANGED, answering.id
            found.arranged_at = now - timedelta(days=1)
        db.session.add(found)
        created["adjustment_requests"] += 1
