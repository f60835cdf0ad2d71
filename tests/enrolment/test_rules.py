"""The enrolment rules, called directly: seats, waitlist order, caps, refusals, offers, tick."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from reseau.catalogue.models import PromotionMode, SessionStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment import operations as ops
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.outbox import OutboxMail
from tests.factories import make_centre, make_coordinator, make_referent, make_session, make_user

CONFIRMED = EnrolmentStatus.CONFIRMED
WAITLISTED = EnrolmentStatus.WAITLISTED


def mails_to(person) -> list[OutboxMail]:
    return list(
        db.session.scalars(
            sa.select(OutboxMail)
            .where(OutboxMail.recipient == person.email)
            .order_by(OutboxMail.id)
        )
    )


def test_seats_then_waitlist_in_arrival_order(app):
    session = make_session(capacity=2)
    people = [make_user() for _ in range(5)]
    enrolments = [ops.enrol(p, session, actor=p) for p in people]
    assert [e.status for e in enrolments] == [
        CONFIRMED,
        CONFIRMED,
        WAITLISTED,
        WAITLISTED,
        WAITLISTED,
    ]
    assert [ops.waitlist_position(e) for e in enrolments] == [None, None, 1, 2, 3]
    assert enrolments[0].enrolled_by_id == people[0].id
    assert ops.seats_left(session) == 0
    confirmation = mails_to(people[0])[0]
    assert "Inscription confirmée" in confirmation.subject
    # The calendars room attaches the invitation to confirmations.
    assert confirmation.ics_method == "REQUEST" and "BEGIN:VEVENT" in confirmation.ics
    waitlist_mail = mails_to(people[3])[0]
    assert "Liste d'attente" in waitlist_mail.subject and "position 2" in waitlist_mail.body_text


def test_cancel_promotes_first_waitlisted_and_positions_close_up(app):
    session = make_session(capacity=1)
    first, second, third = make_user(), make_user(), make_user()
    a = ops.enrol(first, session, actor=first)
    b = ops.enrol(second, session, actor=second)
    c = ops.enrol(third, session, actor=third)
    coordinator = make_coordinator()
    ops.cancel(a, actor=coordinator)
    assert (a.status, a.cancelled_by_id) == (EnrolmentStatus.CANCELLED, coordinator.id)
    assert b.status == CONFIRMED
    assert ops.waitlist_position(c) == 1
    assert any("Une place s'est libérée" in m.subject for m in mails_to(second))


def test_reenrolment_goes_to_the_back_of_the_queue(app):
    session = make_session(capacity=1)
    holder, early, late = make_user(), make_user(), make_user()
    ops.enrol(holder, session, actor=holder)
    e_early = ops.enrol(early, session, actor=early)
    e_late = ops.enrol(late, session, actor=late)
    ops.cancel(e_early, actor=early)
    again = ops.enrol(early, session, actor=early)
    assert again.id == e_early.id
    assert again.status == WAITLISTED and again.cancelled_at is None
    assert ops.waitlist_position(e_late) == 1
    assert ops.waitlist_position(again) == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": SessionStatus.DRAFT}, "pas encore ouverte"),
        ({"status": SessionStatus.CANCELLED}, "annulée"),
        ({"status": SessionStatus.CLOSED}, "clôturée"),
        ({"starts_at": utcnow() - timedelta(days=1)}, "déjà commencé"),
        ({"enrolment_deadline": utcnow() - timedelta(hours=1)}, "date limite"),
    ],
)
def test_refusals(app, overrides, message):
    session = make_session(**overrides)
    person = make_user()
    with pytest.raises(ops.EnrolmentError, match=message):
        ops.enrol(person, session, actor=person)
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 0


def test_enrolling_twice_is_refused(app):
    session = make_session(capacity=1)
    person, other = make_user(), make_user()
    ops.enrol(person, session, actor=person)
    with pytest.raises(ops.EnrolmentError, match="Vous êtes déjà inscrit·e"):
        ops.enrol(person, session, actor=person)
    ops.enrol(other, session, actor=other)
    with pytest.raises(ops.EnrolmentError, match="déjà sur la liste d'attente"):
        ops.enrol(other, session, actor=other)
    with pytest.raises(ops.EnrolmentError, match="Cette personne est déjà"):
        ops.enrol(other, session, actor=make_coordinator())


def test_overlap_asks_for_confirmation_naming_the_other_session(app):
    start = (utcnow() + timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    first = make_session(starts_at=start, title="Fonction employeur")
    second = make_session(starts_at=start + timedelta(hours=1))
    person = make_user()
    ops.enrol(person, first, actor=person)
    with pytest.raises(ops.OverlapNeedsConfirmation, match="Fonction employeur") as refusal:
        ops.enrol(person, second, actor=person)
    assert refusal.value.other.id == first.id
    enrolment = ops.enrol(person, second, actor=person, confirm_overlap=True)
    assert enrolment.status == CONFIRMED
    # No overlap on another day.
    third = make_session(starts_at=start + timedelta(days=3))
    assert ops.enrol(person, third, actor=person).status == CONFIRMED


def test_per_centre_cap_waitlists_with_reason_and_promotes_others_first(app):
    centre, other_centre = make_centre(), make_centre()
    session = make_session(capacity=3, centre_cap=1)
    a1, a2 = make_user(centre=centre), make_user(centre=centre)
    b1, b2 = make_user(centre=other_centre), make_user(centre=other_centre)
    e_a1 = ops.enrol(a1, session, actor=a1)
    e_a2 = ops.enrol(a2, session, actor=a2)
    e_b1 = ops.enrol(b1, session, actor=b1)
    e_b2 = ops.enrol(b2, session, actor=b2)
    assert [e.status for e in (e_a1, e_a2, e_b1, e_b2)] == [
        CONFIRMED,
        WAITLISTED,
        CONFIRMED,
        WAITLISTED,
    ]
    assert "par centre" in e_a2.waitlist_reason
    # A seat is left but both waiting people are capped: nobody moves.
    assert ops.promote_waitlist(session) == []
    ops.cancel(e_b1, actor=b1)
    # b1's seat goes to b2 (first waitlisted whose centre is under the cap), a2 keeps waiting.
    assert e_b2.status == CONFIRMED and e_a2.status == WAITLISTED
    assert ops.waitlist_position(e_a2) == 1


def test_capacity_increase_promotes_in_order_and_cannot_go_below_seats_taken(app):
    session = make_session(capacity=1)
    people = [make_user() for _ in range(4)]
    enrolments = [ops.enrol(p, session, actor=p) for p in people]
    coordinator = make_coordinator()
    promoted = ops.change_capacity(session, 3, actor=coordinator)
    assert [e.id for e in promoted] == [enrolments[1].id, enrolments[2].id]
    assert enrolments[3].status == WAITLISTED
    with pytest.raises(ops.EnrolmentError, match="inférieure"):
        ops.change_capacity(session, 2, actor=coordinator)


def test_move_from_waitlist_grows_capacity_never_overbooks(app):
    session = make_session(capacity=1)
    first, second, third = make_user(), make_user(), make_user()
    ops.enrol(first, session, actor=first)
    ops.enrol(second, session, actor=second)
    e3 = ops.enrol(third, session, actor=third)
    assert ops.move_from_waitlist(e3, actor=make_coordinator()) is True
    assert e3.status == CONFIRMED and session.capacity == 2


def test_validation_by_the_referent(app):
    centre = make_centre()
    referent = make_referent(centre)
    session = make_session(capacity=1, requires_validation=True)
    person, next_person = make_user(centre=centre), make_user(centre=centre)
    pending = ops.enrol(person, session, actor=person)
    assert pending.status == EnrolmentStatus.PENDING
    # The pending request holds the seat.
    assert ops.enrol(next_person, session, actor=next_person).status == WAITLISTED
    assert any("à valider" in m.subject for m in mails_to(referent))
    ops.decline(pending, actor=referent)
    assert pending.status == EnrolmentStatus.DECLINED and pending.decided_by_id == referent.id
    waiting = ops.get_enrolment(session, next_person)
    assert waiting.status == EnrolmentStatus.PENDING
    ops.approve(waiting, actor=referent)
    assert waiting.status == CONFIRMED
    with pytest.raises(ops.EnrolmentError):
        ops.approve(waiting, actor=referent)


def test_a_referent_enrolling_a_member_validates_at_once(app):
    centre = make_centre()
    referent = make_referent(centre)
    session = make_session(capacity=2, requires_validation=True)
    member = make_user(centre=centre)
    enrolment = ops.enrol(member, session, actor=referent)
    assert enrolment.status == CONFIRMED and enrolment.decided_by_id == referent.id


def test_offer_mode_accept_and_expiry_through_tick(app):
    session = make_session(capacity=1, promotion_mode=PromotionMode.OFFER, offer_hours=48)
    holder, first, second = make_user(), make_user(), make_user()
    held = ops.enrol(holder, session, actor=holder)
    e1 = ops.enrol(first, session, actor=first)
    e2 = ops.enrol(second, session, actor=second)
    now = utcnow()
    ops.cancel(held, actor=holder, now=now)
    assert e1.status == EnrolmentStatus.OFFERED
    assert e1.offer_expires_at == now + timedelta(hours=48)
    assert any("proposée" in m.subject for m in mails_to(first))
    # Nothing expires before the delay.
    assert ops.tick(now + timedelta(hours=47))["offers_expired"] == 0
    later = now + timedelta(hours=49)
    assert ops.tick(later)["offers_expired"] == 1
    assert e1.status == EnrolmentStatus.CANCELLED
    assert e2.status == EnrolmentStatus.OFFERED
    with pytest.raises(ops.EnrolmentError, match="Aucune place"):
        ops.accept_offer(e1, actor=first, now=later)
    assert ops.tick(later)["offers_expired"] == 0  # idempotent
    ops.accept_offer(e2, actor=second, now=later)
    assert e2.status == CONFIRMED


def test_tick_sends_the_convocation_once(app):
    soon = make_session(starts_at=utcnow() + timedelta(days=1, hours=2), what_to_bring="Un stylo")
    later = make_session(starts_at=utcnow() + timedelta(days=5))
    person = make_user()
    ops.enrol(person, soon, actor=person)
    ops.enrol(person, later, actor=person)
    db.session.commit()
    assert ops.tick()["reminders"] == 1
    db.session.commit()
    assert ops.tick()["reminders"] == 0
    convocations = [m for m in mails_to(person) if m.subject.startswith("Convocation")]
    assert len(convocations) == 1
    assert soon.title in convocations[0].subject and "Un stylo" in convocations[0].body_text


def test_tick_command_is_idempotent(app, runner):
    session = make_session(starts_at=utcnow() + timedelta(days=1))
    person = make_user()
    ops.enrol(person, session, actor=person)
    db.session.commit()
    first = runner.invoke(args=["tick"])
    assert first.exit_code == 0 and "1 convocation" in first.output
    second = runner.invoke(args=["tick"])
    assert "0 convocation" in second.output
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.subject.like("Convocation%"))
        )
        == 1
    )


def test_session_signals_tell_the_people(app):
    from reseau.catalogue.signals import session_cancelled, session_changed

    session = make_session(capacity=1)
    person, waiting = make_user(), make_user()
    ops.enrol(person, session, actor=person)
    ops.enrol(waiting, session, actor=waiting)
    coordinator = make_coordinator()
    session_changed.send(session, actor=coordinator)
    assert any("Changement" in m.subject for m in mails_to(person))
    session_cancelled.send(session, actor=coordinator)
    session_cancelled.send(session, actor=coordinator)
    for someone in (person, waiting):
        assert len([m for m in mails_to(someone) if "Session annulée" in m.subject]) == 1


def test_drafts_are_hidden_from_the_enrol_button(app, client, auth):
    draft = make_session(status=SessionStatus.DRAFT)
    person = make_user()
    db.session.commit()
    auth.login(person)
    assert client.post(f"/catalogue/sessions/{draft.id}/inscription").status_code == 404


def test_capacity_grown_elsewhere_promotes_before_commit(app):
    """The catalogue's session form changes the capacity without calling this room."""
    session = make_session(capacity=1)
    people = [make_user() for _ in range(3)]
    enrolments = [ops.enrol(p, session, actor=p) for p in people]
    db.session.commit()
    session.capacity = 2
    db.session.commit()
    assert [e.status for e in enrolments] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert any("Une place s'est libérée" in m.subject for m in mails_to(people[1]))
    session.capacity = 1  # fewer seats never cancel anyone
    db.session.commit()
    assert enrolments[1].status == CONFIRMED


def test_enrol_counted_gives_what_the_queue_would_say(app):
    """The seats left and the waitlist position counted under the lock are those the
    room's reads give afterwards (the enrol button shows them without reading again)."""
    session = make_session(capacity=2)
    people = [make_user() for _ in range(4)]
    outcomes = [ops.enrol_counted(p, session, actor=p) for p in people]
    for outcome in outcomes:
        assert outcome.position == ops.waitlist_position(outcome.enrolment)
    assert [o.seats_left for o in outcomes] == [1, 0, 0, 0]
    assert [o.position for o in outcomes] == [None, None, 1, 2]
    # A cancelled place comes back: the next enrolment sees it, and is counted on it.
    ops.cancel(outcomes[3].enrolment, actor=people[3])
    again = ops.enrol_counted(people[3], session, actor=people[3])
    assert (again.enrolment.status, again.position) == (WAITLISTED, 2)
    assert again.position == ops.waitlist_position(again.enrolment)
