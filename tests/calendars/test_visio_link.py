"""Issue 23: a visio session's link reaches its confirmed participants and trainers (their
pages, feeds, downloaded .ics, e-mails), never the public, a waiting list or a centre feed."""

from __future__ import annotations

from reseau.calendars.models import FeedKind
from reseau.calendars.tokens import feed_token, issue_token
from reseau.catalogue.models import PlaceKind
from reseau.core.extensions import db
from reseau.enrolment import operations
from reseau.enrolment.models import EnrolmentStatus
from tests.calendars.helpers import events, get, parse_both, sent_to, text_of
from tests.factories import enrol, make_centre, make_referent, make_session, make_trainer, make_user

LINK = "https://visio.exemple.test/salle-secrete"


def _descriptions(client, url: str) -> str:
    response = get(client, url)
    assert response.status_code == 200, (url, response.status_code)
    parsed, _ = parse_both(response.data)
    return "\n".join(str(event.get("DESCRIPTION", "")) for event in events(parsed).values())


def _feed(person, kind=FeedKind.PERSON) -> str:
    row = issue_token(kind, person, actor=person)
    db.session.commit()
    return f"/agenda/prive/{feed_token(row)}.ics"


def _world():
    centre = make_centre()
    trainer = make_trainer()
    session = make_session(title="En ligne", place_kind=PlaceKind.VISIO, visio_url=LINK)
    session.trainers.append(trainer)
    confirmed = make_user(centre=centre, first_name="Confirmée")
    waiting = make_user(centre=centre, first_name="Attente")
    enrol(session, confirmed)
    enrol(session, waiting, EnrolmentStatus.WAITLISTED)
    referent = make_referent(centre)
    db.session.commit()
    return session, trainer, confirmed, waiting, referent


def test_the_rule(app):
    session, trainer, confirmed, waiting, referent = _world()
    assert operations.sees_visio_link(confirmed, session)
    assert operations.sees_visio_link(trainer, session)
    assert not operations.sees_visio_link(waiting, session)
    assert not operations.sees_visio_link(referent, session)
    assert not operations.sees_visio_link(None, session)
    in_person = make_session()
    enrol(in_person, confirmed)
    assert not operations.sees_visio_link(confirmed, in_person)


def test_pages_show_the_link_to_confirmed_participants_and_trainers(client, auth):
    session, trainer, confirmed, waiting, referent = _world()
    assert LINK not in client.get(f"/catalogue/sessions/{session.id}").text
    auth.login(confirmed)
    page = client.get(f"/catalogue/sessions/{session.id}").text
    assert f'href="{LINK}"' in page
    assert f'href="{LINK}"' in client.get("/mes-formations").text
    auth.logout()
    for outsider in (waiting, referent):
        auth.login(outsider)
        assert LINK not in client.get(f"/catalogue/sessions/{session.id}").text
        assert LINK not in client.get("/mes-formations").text
        auth.logout()
    auth.login(trainer)
    assert f'href="{LINK}"' in client.get(f"/mes-sessions/{session.id}").text
    assert f'href="{LINK}"' in client.get(f"/catalogue/sessions/{session.id}").text


def test_feeds_carry_the_link_only_for_confirmed_places_and_trainers(client):
    session, trainer, confirmed, waiting, referent = _world()
    assert LINK in _descriptions(client, _feed(confirmed))
    assert LINK in _descriptions(client, _feed(trainer, FeedKind.TRAINER))
    waiting_feed = get(client, _feed(waiting)).data.decode()
    assert "En ligne (liste d'attente)" in waiting_feed  # the event is there, the link not
    assert LINK not in waiting_feed
    centre_feed = _feed(referent, FeedKind.CENTRE)
    assert LINK not in get(client, centre_feed).data.decode()
    for public in ("/agenda/catalogue.ics", f"/sessions/{session.id}/agenda.ics"):
        response = get(client, public)
        assert response.status_code == 200
        assert LINK not in response.data.decode()
        assert "inscription est confirmée" in _descriptions(client, public)


def test_downloaded_ics_is_personal_for_who_may_join(client, auth):
    session, trainer, confirmed, waiting, _ = _world()
    url = f"/sessions/{session.id}/agenda.ics"
    public = get(client, url)
    assert public.headers["Cache-Control"].startswith("public")
    auth.login(confirmed)
    mine = get(client, url)
    assert LINK in _descriptions(client, url)
    assert mine.headers["Cache-Control"] == "private, no-cache"
    assert mine.headers["ETag"] != public.headers["ETag"]
    auth.logout()
    auth.login(waiting)
    response = get(client, url)
    assert LINK not in response.data.decode()
    assert response.headers["Cache-Control"].startswith("public")


def test_emails_give_the_link_to_confirmed_people_only(app):
    trainer = make_trainer()
    session = make_session(title="Visio", capacity=1, place_kind=PlaceKind.VISIO, visio_url=LINK)
    session.trainers.append(trainer)
    first, second = make_user(), make_user()
    operations.enrol(first, session, actor=first)
    operations.enrol(second, session, actor=second)  # waitlisted
    db.session.commit()
    (confirmation,) = sent_to(first)
    assert LINK in text_of(confirmation)
    (waitlisted,) = sent_to(second)
    assert "Liste d'attente" in waitlisted["Subject"]
    assert LINK not in text_of(waitlisted)
    # The convocation (J-2) of a confirmed place carries it.
    from reseau.enrolment import notifications

    enrolment = operations.get_enrolment(session, first)
    notifications.convocation(enrolment)
    db.session.commit()
    assert LINK in text_of(sent_to(first)[-1])
