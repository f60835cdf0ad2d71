"""What each feed holds: person, trainer, centre, catalogue, cycle, theme, one session."""

from __future__ import annotations

from datetime import timedelta

from reseau.calendars.models import FeedKind
from reseau.calendars.tokens import feed_token, issue_token
from reseau.catalogue.models import SeanceStatus, SessionStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.models import EnrolmentStatus
from tests.calendars.helpers import events, get, parse_both, vevents
from tests.factories import (
    enrol,
    make_centre,
    make_cycle,
    make_module,
    make_referent,
    make_session,
    make_theme,
    make_trainer,
    make_user,
)


def _private_url(user, kind=FeedKind.PERSON) -> str:
    row = issue_token(kind, user, actor=user)
    url = f"/agenda/prive/{feed_token(row)}.ics"
    db.session.commit()
    return url


def _fetch(client, url):
    response = get(client, url)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    parsed, other = parse_both(response.data)
    return response, parsed, other


def uid(seance) -> str:
    return f"seance-{seance.id}@localhost"


def test_person_feed_holds_confirmed_and_waitlisted_only(app, client):
    person = make_user()
    confirmed = make_session(title="Accueil", seances=2)
    waitlisted = make_session(title="Numérique")
    pending = make_session(title="En attente")
    cancelled = make_session(title="Annulée par moi")
    other = make_session(title="Pas la mienne")
    enrol(confirmed, person)
    enrol(waitlisted, person, EnrolmentStatus.WAITLISTED)
    enrol(pending, person, EnrolmentStatus.PENDING)
    enrol(cancelled, person, EnrolmentStatus.CANCELLED)
    enrol(other, make_user())
    url = _private_url(person)

    _, parsed, vcal = _fetch(client, url)
    found = events(parsed)
    expected = {uid(s) for s in confirmed.seances} | {uid(waitlisted.seances[0])}
    assert set(found) == expected
    assert set(vevents(vcal)) == expected
    assert str(found[uid(confirmed.seances[0])]["STATUS"]) == "CONFIRMED"
    tentative = found[uid(waitlisted.seances[0])]
    assert str(tentative["STATUS"]) == "TENTATIVE"
    assert "liste d'attente" in str(tentative["SUMMARY"])
    assert vevents(vcal)[uid(waitlisted.seances[0])].status.value == "TENTATIVE"
    assert b"X-WR-CALNAME:Mes formations" in get(client, url).data


def test_cancelled_enrolment_leaves_the_person_feed(app, client):
    person = make_user()
    session = make_session()
    enrolment = enrol(session, person)
    url = _private_url(person)
    first = get(client, url)
    assert uid(session.seances[0]) in events(parse_both(first.data)[0])

    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.cancelled_at = utcnow()
    db.session.commit()
    second = get(client, url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert events(parse_both(second.data)[0]) == {}
    assert second.headers["ETag"] != first.headers["ETag"]
    assert second.last_modified >= first.last_modified


def test_edit_increments_sequence_and_cancellation_is_kept_then_expires(app, client):
    person = make_user()
    session = make_session(seances=2)
    enrol(session, person)
    url = _private_url(person)
    seance, other = session.seances
    before = events(parse_both(get(client, url).data)[0])[uid(seance)]
    assert int(before["SEQUENCE"]) == 0

    # What the catalogue does on a move: new times, SEQUENCE + 1.
    seance.starts_at += timedelta(hours=1)
    seance.ends_at += timedelta(hours=1)
    seance.sequence += 1
    other.status = SeanceStatus.CANCELLED
    other.sequence += 1
    db.session.commit()
    _, parsed, vcal = _fetch(client, url)
    found = events(parsed)
    assert int(found[uid(seance)]["SEQUENCE"]) == 1
    assert found[uid(seance)].decoded("DTSTART") == seance.starts_at
    assert str(found[uid(other)]["STATUS"]) == "CANCELLED"
    assert str(found[uid(other)]["SUMMARY"]).startswith("Annulé")
    assert vevents(vcal)[uid(other)].status.value == "CANCELLED"
    assert vevents(vcal)[uid(other)].sequence.value == "1"

    # 61 days after the cancellation, the séance has left the feed.
    other.updated_at = utcnow() - timedelta(days=62)
    db.session.commit()
    response, parsed, _ = _fetch(client, url)
    assert set(events(parsed)) == {uid(seance)}
    # Last-Modified moved to the expiry, not back.
    assert response.last_modified.replace(tzinfo=None) >= (
        other.updated_at + timedelta(days=60)
    ).replace(tzinfo=None, microsecond=0)


def test_cancelled_session_is_cancelled_in_the_public_feed(app, client):
    session = make_session(seances=2)
    session.status = SessionStatus.CANCELLED
    for seance in session.seances:
        seance.status = SeanceStatus.CANCELLED
        seance.sequence += 1
    db.session.commit()
    _, parsed, vcal = _fetch(client, "/agenda/catalogue.ics")
    assert {str(e["STATUS"]) for e in events(parsed).values()} == {"CANCELLED"}
    assert {e.status.value for e in vevents(vcal).values()} == {"CANCELLED"}


def test_trainer_feed_holds_the_sessions_they_lead(app, client):
    trainer = make_trainer()
    mine = make_session(title="La mienne", visio_url="https://visio.example/abc")
    mine.trainers.append(trainer)
    make_session(title="Pas la mienne")
    url = _private_url(trainer, FeedKind.TRAINER)
    _, parsed, vcal = _fetch(client, url)
    assert set(events(parsed)) == {uid(mine.seances[0])}
    assert set(vevents(vcal)) == {uid(mine.seances[0])}
    assert trainer.full_name in str(events(parsed)[uid(mine.seances[0])]["DESCRIPTION"])


def test_centre_feed_shows_hosted_and_attended_sessions_with_names(app, client):
    centre = make_centre(name="Centre des Rives")
    referent = make_referent(centre)
    member = make_user(
        centre=centre, first_name="Aïcha", last_name="Benali", directory_consent=True
    )
    outsider = make_user(centre=make_centre(), first_name="Zoé", last_name="Dehors")
    hosted = make_session(title="Chez nous", host_centre=centre)
    attended = make_session(title="Ailleurs")
    unrelated = make_session(title="Sans nous")
    waitlisted_only = make_session(title="Attente")
    enrol(attended, member)
    enrol(attended, outsider)
    enrol(unrelated, outsider)
    enrol(waitlisted_only, member, EnrolmentStatus.WAITLISTED)
    url = _private_url(referent, FeedKind.CENTRE)
    response, parsed, vcal = _fetch(client, url)
    found = events(parsed)
    assert set(found) == {uid(hosted.seances[0]), uid(attended.seances[0])}
    assert set(vevents(vcal)) == set(found)
    description = str(found[uid(attended.seances[0])]["DESCRIPTION"])
    assert "Aïcha Benali" in description
    assert "Zoé" not in response.data.decode()
    assert "Dehors" not in response.data.decode()
    assert b"X-WR-CALNAME:Agenda du centre" in response.data


def test_centre_feed_names_only_who_chose_nom_visible(app, client):
    centre = make_centre()
    referent = make_referent(centre)
    shown = make_user(centre=centre, first_name="Aïcha", last_name="Benali", directory_consent=True)
    shy = [
        make_user(centre=centre, first_name=f"Discrète{n}", last_name="Réservée") for n in (1, 2)
    ]
    session = make_session(title="Ensemble")
    for person in (shown, *shy):
        enrol(session, person)
    url = _private_url(referent, FeedKind.CENTRE)
    first, parsed, _ = _fetch(client, url)
    description = str(events(parsed)[uid(session.seances[0])]["DESCRIPTION"])
    assert "Aïcha Benali, 2 autres personnes" in description
    assert "Réservée" not in first.data.decode()
    # Choosing "nom visible" later changes the feed, and its ETag.
    shy[0].directory_consent = True
    db.session.commit()
    second, parsed, _ = _fetch(client, url)
    assert second.headers["ETag"] != first.headers["ETag"]
    description = str(events(parsed)[uid(session.seances[0])]["DESCRIPTION"])
    assert "Aïcha Benali, Discrète1 Réservée, 1 autre personne" in description


def test_the_centre_feed_etag_follows_every_kind_of_change(app, client):
    """The centre feed's fingerprint reads its sessions once (hosted, or a member's confirmed
    place): each change that reaches the feed moves the ETag, and the new one gets a 304;
    a change elsewhere keeps it."""
    centre = make_centre()
    referent = make_referent(centre)
    member = make_user(centre=centre, first_name="Aïcha", last_name="Benali")
    other = make_user(centre=centre)
    outsider = make_user(centre=make_centre())
    trainer = make_trainer()
    hosted = make_session(title="Chez nous", seances=2, host_centre=centre)
    attended = make_session(title="Ailleurs", seances=2)
    attended.trainers.append(trainer)
    later = make_session(title="Plus tard")
    unrelated = make_session(title="Sans nous")
    enrol(attended, member)
    url = _private_url(referent, FeedKind.CENTRE)
    etag = get(client, url).headers["ETag"]

    def changed(expected: bool = True) -> None:
        nonlocal etag
        db.session.commit()
        again = get(client, url, headers={"If-None-Match": etag})
        assert again.status_code == (200 if expected else 304)
        assert (again.headers["ETag"] != etag) is expected
        etag = again.headers["ETag"]
        assert get(client, url, headers={"If-None-Match": etag}).status_code == 304

    # Elsewhere: an outsider's place, a séance of a session no member attends.
    enrol(unrelated, outsider)
    changed(False)
    unrelated.seances[0].location = "Salle 12"
    changed(False)
    # A member's new confirmed place brings a session in.
    placed = enrol(later, other)
    changed()
    assert b"Plus tard" in get(client, url).data
    # … and its cancellation takes it out again.
    placed.status = EnrolmentStatus.CANCELLED
    changed()
    assert b"Plus tard" not in get(client, url).data
    # A hosted séance moves; a séance of a session a member attends is cancelled.
    hosted.seances[1].starts_at += timedelta(hours=1)
    hosted.seances[1].ends_at += timedelta(hours=1)
    changed()
    attended.seances[0].status = SeanceStatus.CANCELLED
    changed()
    # The trainers: another one leads the session, then one is renamed.
    attended.trainers.append(make_trainer())
    changed()
    trainer.last_name = "Renommée"
    changed()
    # The member's name, then the member leaves the centre (the session leaves the feed).
    member.last_name = "Benali-Martin"
    changed()
    member.centre = outsider.centre
    changed()
    assert b"Ailleurs" not in get(client, url).data


def test_public_feeds_hold_published_sessions_and_no_personal_data(app, client):
    theme = make_theme(slug="numerique")
    cycle = make_cycle(theme=theme)
    module = make_module(cycle=cycle)
    trainer = make_trainer(first_name="Gaëlle", last_name="Formatrice")
    published = make_session(title="Publiée", module=module, visio_url="https://visio/secret")
    published.trainers.append(trainer)
    draft = make_session(title="Brouillon", module=module, status=SessionStatus.DRAFT)
    by_theme = make_session(title="Par thème", theme=theme)
    elsewhere = make_session(title="Autre cycle", module=make_module())
    person = make_user(first_name="Personne", last_name="Inscrite")
    enrol(published, person)
    db.session.commit()

    _, parsed, _ = _fetch(client, "/agenda/catalogue.ics")
    assert set(events(parsed)) == {uid(s.seances[0]) for s in (published, by_theme, elsewhere)}
    assert uid(draft.seances[0]) not in events(parsed)
    _, parsed, _ = _fetch(client, f"/agenda/cycles/{cycle.id}.ics")
    assert set(events(parsed)) == {uid(published.seances[0])}
    _, parsed, _ = _fetch(client, "/agenda/thematiques/numerique.ics")
    assert set(events(parsed)) == {uid(published.seances[0]), uid(by_theme.seances[0])}
    for url in ("/agenda/catalogue.ics", f"/agenda/cycles/{cycle.id}.ics"):
        text = get(client, url).data.decode()
        for private in ("Gaëlle", "Formatrice", "Inscrite", "visio/secret", "@exemple.test"):
            assert private not in text
        assert "ATTENDEE" not in text


def test_session_download_is_a_publish_calendar(app, client):
    session = make_session(seances=3)
    draft = make_session(status=SessionStatus.DRAFT)
    db.session.commit()
    response, parsed, vcal = _fetch(client, f"/sessions/{session.id}/agenda.ics")
    assert b"\r\nMETHOD:PUBLISH\r\n" in response.data
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="session-{session.id}.ics"'
    )
    assert set(events(parsed)) == {uid(s) for s in session.seances}
    assert len(vevents(vcal)) == 3
    assert get(client, f"/sessions/{draft.id}/agenda.ics").status_code == 404
    assert get(client, "/sessions/999999/agenda.ics").status_code == 404


def test_journey_4_centre_calendar_follows_catalogue_changes(app, client):
    """A referent's subscribed centre calendar sees a move, then a cancellation."""
    from reseau.catalogue import operations

    coordinator = make_user()
    centre = make_centre()
    referent = make_referent(centre)
    session = make_session(seances=2, host_centre=centre)
    url = _private_url(referent, FeedKind.CENTRE)
    first = get(client, url)
    seance = session.seances[0]
    moved = seance.starts_at + timedelta(days=7)
    operations.update_seance(seance, moved, moved + timedelta(hours=3), actor=coordinator)
    db.session.commit()
    second = get(client, url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    event = events(parse_both(second.data)[0])[uid(seance)]
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == moved
    assert get(client, url, headers={"If-None-Match": second.headers["ETag"]}).status_code == 304

    operations.cancel_session(session, actor=coordinator)
    db.session.commit()
    third = get(client, url, headers={"If-None-Match": second.headers["ETag"]})
    assert third.status_code == 200
    found = events(parse_both(third.data)[0])
    assert {str(e["STATUS"]) for e in found.values()} == {"CANCELLED"}
    assert int(found[uid(seance)]["SEQUENCE"]) == 2
    assert third.last_modified >= second.last_modified


def test_every_form_of_if_none_match_naming_the_feed_revalidates_it(app, client):
    """A 304 for the feed's ETag as it came, in a list, or with an encoding's suffix (then
    echoed back with it); the feed itself for any other."""
    person = make_user()
    enrol(make_session(), person)
    db.session.commit()
    url = _private_url(person)
    etag = get(client, url).headers["ETag"]
    bare = etag.strip('"')
    for sent, echoed in (
        (etag, etag),
        (f'"other", {etag}', etag),
        (f'"{bare}:gzip"', f'"{bare}:gzip"'),
    ):
        answer = get(client, url, headers={"If-None-Match": sent})
        assert answer.status_code == 304 and answer.headers["ETag"] == echoed, sent
    for sent in ('"other"', f'"{bare}x"'):
        assert get(client, url, headers={"If-None-Match": sent}).status_code == 200, sent
