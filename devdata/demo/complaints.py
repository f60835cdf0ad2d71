"""The demo's complaints register (issue 18): two complaints of 2012 answered and closed,
with the improvement decided, and one received this year from the demo volunteer. Written
only when the register is empty: a second run adds nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from devdata.demo.specs import BENEVOLE, COORDINATOR
from reseau.accounts.models import User
from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.complaints.models import Complaint, ComplaintCategory, ComplaintKind, ComplaintStatus
from reseau.complaints.operations import insert_numbered
from reseau.core.extensions import db
from reseau.core.i18n import from_local

CLOSED_2012 = [
    (
        "Orléans",
        ComplaintCategory.ORGANISATION,
        "Hélène Martin",
        "helene.martin@exemple.fr",
        "La session d'Orléans a été annulée trois jours avant : j'avais déjà posé ma journée.",
        "Faute d'inscrits, la session a dû être annulée ; nous aurions dû vous prévenir plus "
        "tôt. Vous êtes prioritaire sur la prochaine session de ce module.",
        "Décider du maintien ou de l'annulation dix jours avant chaque session.",
    ),
    (
        "Le Blanc",
        ComplaintCategory.ACCESSIBILITY,
        "Jacques Bernard",
        "jacques.bernard@exemple.fr",
        "La salle était à l'étage, sans ascenseur : un participant en fauteuil n'a pas pu venir.",
        "Nous vous prions de nous excuser. Les prochaines sessions au Blanc auront lieu dans la "
        "salle du rez-de-chaussée.",
        "Indiquer l'accessibilité de chaque lieu sur la fiche programme et vérifier la salle.",
    ),
]


def add_demo_complaints(today: date, created: Counter) -> None:
    if db.session.scalar(sa.select(sa.func.count(Complaint.id))):
        return
    coordinator = db.session.scalar(sa.select(User).where(User.email == COORDINATOR))
    for town, category, name, email, text, answer, improvement in CLOSED_2012:
        session = _session_2012(town)
        ended = session.ends_at if session and session.ends_at else None
        received = (ended or from_local(datetime(2012, 6, 1, 10, 0))) + timedelta(days=2)
        insert_numbered(
            Complaint(
                received_at=received,
                kind=ComplaintKind.COMPLAINT,
                category=category,
                session_id=session.id if session else None,
                name=name,
                email=email,
                text=text,
                status=ComplaintStatus.CLOSED,
                handler_id=coordinator.id,
                answer=answer,
                answered_at=received + timedelta(days=6),
                closed_at=received + timedelta(days=20),
                improvement=improvement,
            )
        )
        created["complaints"] += 1
    _current(today, coordinator, created)


def _session_2012(town: str) -> TrainingSession:
    return db.session.scalars(
        sa.select(TrainingSession)
        .where(TrainingSession.title.like(f"% – {town}, 2012"))
        .order_by(TrainingSession.id)
    ).first()


def _current(today: date, coordinator: User, created: Counter) -> None:
    volunteer = db.session.scalar(sa.select(User).where(User.email == BENEVOLE))
    session = db.session.scalars(
        sa.select(TrainingSession)
        .where(TrainingSession.status == SessionStatus.PUBLISHED)
        .order_by(TrainingSession.starts_at.desc())
    ).first()
    insert_numbered(
        Complaint(
            received_at=from_local(datetime.combine(today - timedelta(days=3), datetime.min.time()))
            + timedelta(hours=18),
            kind=ComplaintKind.DIFFICULTY,
            category=ComplaintCategory.WEBSITE,
            session_id=session.id if session else None,
            person_id=volunteer.id,
            name=volunteer.full_name,
            email=volunteer.email,
            text="Je n'arrive pas à ajouter la session à l'agenda de mon téléphone.",
            status=ComplaintStatus.IN_PROGRESS,
            handler_id=coordinator.id,
        )
    )
    created["complaints"] += 1
