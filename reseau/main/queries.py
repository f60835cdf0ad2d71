"""Reads of the home pages: what each person needs first, by role."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
import sqlalchemy.orm as so

from reseau.accounts import counts as people_counts
from reseau.accounts.access import visible_people
from reseau.accounts.models import Centre, User, UserStatus
from reseau.adjustments.queries import open_count_statement
from reseau.catalogue.models import SessionStatus, TrainingSession, session_trainer
from reseau.core.database import counts_statement, run_counts, utcnow
from reseau.core.extensions import db
from reseau.diagnostic.queries import open_campaigns_for, responses_of
from reseau.enrolment.models import Enrolment, EnrolmentStatus

# The statements every home page runs are built once per process (functools.cache), with
# the person and the time as parameters: building a statement and its cache key costs more
# than running these.


@cache
def _upcoming_enrolments() -> sa.Select:
    return (
        sa.select(Enrolment)
        .join(Enrolment.session)
        .options(so.contains_eager(Enrolment.session).joinedload(TrainingSession.host_centre))
        .where(
            Enrolment.person_id == sa.bindparam("person_id"),
            Enrolment.status != EnrolmentStatus.CANCELLED,
            TrainingSession.ends_at >= sa.bindparam("now"),
        )
        .order_by(TrainingSession.starts_at)
        .limit(10)
    )


def my_upcoming_enrolments(person: User) -> list[Enrolment]:
    return list(
        db.session.scalars(_upcoming_enrolments(), {"person_id": person.id, "now": utcnow()})
    )


def my_open_diagnostics(person: User) -> list[dict]:
    """The open questionnaires ``person`` has not sent yet, with whether they started one."""
    campaigns = open_campaigns_for(person)
    responses = responses_of(person, campaigns)
    return [
        {"campaign": c, "started": c.id in responses and responses[c.id].started_at is not None}
        for c in campaigns
        if c.id not in responses or responses[c.id].submitted_at is None
    ]


@cache
def _coordinator_counts() -> sa.Select:
    sessions = sa.select(sa.func.count(TrainingSession.id))
    # The people from the per-centre counts (accounts.counts), not from 90,000 rows.
    return counts_statement(
        # count(*), not count(id): SQLite then counts the table's b-tree without reading
        # its 3,600 rows (0.005 ms instead of 0.12 at national scale); the same on PostgreSQL.
        centres=sa.select(sa.func.count()).select_from(Centre),
        people=people_counts.people(UserStatus.ACTIVE),
        upcoming_sessions=sessions.where(
            TrainingSession.status == SessionStatus.PUBLISHED,
            TrainingSession.starts_at >= sa.bindparam("now"),
        ),
        draft_sessions=sessions.where(TrainingSession.status == SessionStatus.DRAFT),
        pending_people=people_counts.people(UserStatus.PENDING),
        # The coordinator reads the adjustment requests: their count in the same statement.
        open_adjustments=open_count_statement(),
    )


def coordinator_summary() -> dict[str, int]:
    return run_counts(db.session, _coordinator_counts(), now=utcnow())


def referent_summary(referent: User) -> dict[str, int]:
    # The people by status in one pass over the centre's rows (its index): one subquery per
    # status let SQLite count through the status index instead, every active person of the
    # federation read (64 ms at national scale).
    people = visible_people(referent).with_only_columns(
        *(
            sa.func.count().filter(User.status == status).label(name)
            for name, status in (
                ("people", UserStatus.ACTIVE),
                ("invited", UserStatus.INVITED),
                ("pending_people", UserStatus.PENDING),
            )
        )
    )
    # The requests "Inscriptions du centre" lists for validation: members, sessions to come.
    members = sa.select(User.id).where(User.centre_id == referent.centre_id)
    enrolment_requests = (
        sa.select(sa.func.count(Enrolment.id))
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .where(
            Enrolment.status == EnrolmentStatus.PENDING,
            Enrolment.person_id.in_(members),
            TrainingSession.ends_at >= utcnow(),
        )
    )
    row = db.session.execute(
        people.add_columns(enrolment_requests.scalar_subquery().label("enrolment_requests"))
    ).one()
    return {name: int(value or 0) for name, value in row._asdict().items()}


@cache
def _trainer_upcoming_sessions() -> sa.Select:
    return (
        sa.select(TrainingSession)
        .options(so.joinedload(TrainingSession.host_centre))
        .join(session_trainer, session_trainer.c.session_id == TrainingSession.id)
        .where(
            session_trainer.c.user_id == sa.bindparam("trainer_id"),
            TrainingSession.ends_at >= sa.bindparam("now"),
            TrainingSession.status.in_([SessionStatus.PUBLISHED, SessionStatus.DRAFT]),
        )
        .order_by(TrainingSession.starts_at)
        .limit(10)
    )


def trainer_upcoming_sessions(trainer: User) -> list[TrainingSession]:
    return list(
        db.session.scalars(
            _trainer_upcoming_sessions(), {"trainer_id": trainer.id, "now": utcnow()}
        )
    )
