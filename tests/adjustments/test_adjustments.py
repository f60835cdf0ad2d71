"""Adjustment requests (issue 18): asked at enrolment, read and answered only by the
coordinator and the référent·e handicap, shown to the person, never in rosters, sheets,
exports or feeds, exported in "Mes données" and erased by anonymisation."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa

from reseau.accounts.models import UserStatus
from reseau.adjustments.models import AdjustmentRequest
from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.outbox import OutboxMail
from reseau.privacy.operations import anonymise_person
from tests.factories import (
    enrol,
    make_centre,
    make_coordinator,
    make_disability_referent,
    make_referent,
    make_session,
    make_trainer,
    make_user,
)

SECRET = "Je me déplace en fauteuil roulant et j'ai besoin d'un interprète LSF"


@pytest.fixture
def world():
    centre = make_centre(name="Centre social du Blanc")
    w = type("World", (), {})()
    w.centre = centre
    w.coordinator = make_coordinator()
    w.disability = make_disability_referent(
        first_name="Nadia", last_name="Benali", phone="02 54 00 11 22"
    )
    w.trainer = make_trainer()
    w.referent = make_referent(centre)
    w.person = make_user(centre=centre, first_name="Lucie", last_name="Moreau")
    w.other = make_user(centre=centre)
    w.session = make_session(title="Animer une réunion", host_centre=centre, trainers=[w.trainer])
    db.session.commit()
    return w


def _request_of(person, session) -> AdjustmentRequest | None:
    return db.session.scalar(
        sa.select(AdjustmentRequest).where(
            AdjustmentRequest.person_id == person.id, AdjustmentRequest.session_id == session.id
        )
    )


def _mails_to(person) -> list[OutboxMail]:
    return db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.recipient == person.email).order_by(OutboxMail.id)
    ).all()


def _enrol_with_request(client, auth, world, text=SECRET):
    auth.login(world.person)
    answer = client.post(
        f"/catalogue/sessions/{world.session.id}/inscription", data={"adjustment": text}
    )
    assert answer.status_code == 303
    auth.logout()
    return _request_of(world.person, world.session)


def test_a_request_at_enrolment_is_kept_apart_and_the_referent_is_told(client, auth, world):
    found = _enrol_with_request(client, auth, world)
    assert found is not None and found.text == SECRET and not found.is_arranged
    enrolment = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.person_id == world.person.id)
    )
    assert enrolment.status == EnrolmentStatus.CONFIRMED
    # The référent·e handicap gets one e-mail with a link, never the text itself.
    mails = [m for m in _mails_to(world.disability) if "aménagement" in m.subject]
    assert len(mails) == 1
    assert "Lucie Moreau" in mails[0].body_text
    assert f"/amenagements/{found.id}" in mails[0].body_text
    assert "fauteuil" not in mails[0].body_text and "LSF" not in mails[0].body_text
    # Nobody else is told; the person's own confirmation does not repeat it either.
    for person in (world.trainer, world.referent, world.coordinator):
        assert not any("aménagement" in m.subject for m in _mails_to(person))
    assert all("LSF" not in m.body_text for m in db.session.scalars(sa.select(OutboxMail)))
    # Audited without the text.
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "adjustment.request"))
    assert entry is not None and "LSF" not in json.dumps([entry.summary, entry.before, entry.after])


def test_without_a_request_nothing_is_kept(client, auth, world):
    assert _enrol_with_request(client, auth, world, text="   ") is None
    assert not any("aménagement" in m.subject for m in _mails_to(world.disability))


def test_a_too_long_request_comes_back_with_what_was_typed(client, auth, world):
    auth.login(world.person)
    text = "a" * 2001
    for headers in ({}, {"HX-Request": "true"}):
        answer = client.post(
            f"/catalogue/sessions/{world.session.id}/inscription",
            data={"adjustment": text},
            headers=headers,
        )
        assert answer.status_code == 422
        html = answer.get_data(as_text=True)
        assert "2 000 caractères au plus." in html and text in html
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 0


def test_a_referent_enrols_a_member_with_a_request_but_cannot_read_it(client, auth, world):
    auth.login(world.referent)
    answer = client.post(
        f"/catalogue/sessions/{world.session.id}/inscrire",
        data={"person": world.person.id, "adjustment": SECRET},
    )
    assert answer.status_code == 303
    found = _request_of(world.person, world.session)
    assert found is not None and found.asked_by_id == world.referent.id
    assert client.get("/amenagements").status_code == 403
    assert client.get(f"/amenagements/{found.id}").status_code == 403
    # Neither on the session page nor on the centre's enrolments.
    assert "LSF" not in client.get(f"/catalogue/sessions/{world.session.id}").get_data(as_text=True)
    assert "LSF" not in client.get("/centre/inscriptions").get_data(as_text=True)


@pytest.mark.parametrize("reader", ["coordinator", "disability"])
def test_the_readers_see_the_list_and_record_what_was_arranged(client, auth, world, reader):
    found = _enrol_with_request(client, auth, world)
    actor = getattr(world, reader)
    auth.login(actor)
    listing = client.get("/amenagements").get_data(as_text=True)
    assert SECRET.replace("'", "&#39;") in listing and "À traiter" in listing
    assert "Lucie Moreau" in listing
    assert "LSF" not in client.get("/amenagements?etat=prevues").get_data(as_text=True)
    # An empty answer is refused next to the field.
    empty = client.post(f"/amenagements/{found.id}", data={"arranged": "  "})
    assert empty.status_code == 422 and "Écrivez ce qui est prévu" in empty.get_data(as_text=True)
    answer = client.post(
        f"/amenagements/{found.id}",
        data={"arranged": "Salle au rez-de-chaussée, interprète réservée"},
    )
    assert answer.status_code == 303
    db.session.expire_all()
    found = db.session.get(AdjustmentRequest, found.id)
    assert found.is_arranged and found.arranged_by_id == actor.id
    assert found.arranged.startswith("Salle au rez-de-chaussée")
    assert "LSF" in client.get("/amenagements?etat=prevues").get_data(as_text=True)
    assert "LSF" not in client.get("/amenagements?etat=ouvertes").get_data(as_text=True)
    other = make_session(title="Autre session")
    db.session.commit()
    assert "LSF" not in client.get(f"/amenagements?session={other.id}").get_data(as_text=True)
    assert "LSF" in client.get(f"/amenagements?session={world.session.id}").get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "adjustment.arranged"))
    assert entry.actor_id == actor.id and "interprète" not in entry.summary
    # The person is told by e-mail (without the text) and reads the answer on their pages.
    told = [m for m in _mails_to(world.person) if "demande d'aménagement" in m.subject]
    assert len(told) == 1 and "interprète" not in told[0].body_text
    auth.logout()
    auth.login(world.person)
    mine = client.get("/mes-formations").get_data(as_text=True)
    assert "Salle au rez-de-chaussée" in mine and "LSF" in mine
    page = client.get(f"/catalogue/sessions/{world.session.id}").get_data(as_text=True)
    assert "Salle au rez-de-chaussée" in page and "Aménagement prévu" in page


@pytest.mark.parametrize("who", ["trainer", "referent", "other"])
def test_others_never_see_a_request(client, auth, world, who):
    found = _enrol_with_request(client, auth, world)
    auth.login(getattr(world, who))
    assert client.get("/amenagements").status_code == 403
    assert client.get(f"/amenagements/{found.id}").status_code == 403
    assert client.post(f"/amenagements/{found.id}", data={"arranged": "x"}).status_code == 403
    for url in ("/mes-formations", f"/catalogue/sessions/{world.session.id}", "/"):
        assert "LSF" not in client.get(url).get_data(as_text=True), url


def test_never_in_rosters_sheets_exports_or_feeds(client, auth, world):
    start = (utcnow() - timedelta(minutes=30)).replace(microsecond=0)
    running = make_session(starts_at=start, host_centre=world.centre, trainers=[world.trainer])
    enrol(running, world.person)
    db.session.add(AdjustmentRequest(session_id=running.id, person_id=world.person.id, text=SECRET))
    _enrol_with_request(client, auth, world)
    db.session.commit()
    # The trainer's pages and the sign-in sheet.
    auth.login(world.trainer)
    seance = running.seances[0]
    for url in (f"/mes-sessions/{running.id}", f"/mes-sessions/seances/{seance.id}"):
        answer = client.get(url)
        assert answer.status_code == 200 and "Lucie" in answer.get_data(as_text=True)
        assert "LSF" not in answer.get_data(as_text=True)
    sheet = client.get(f"/mes-sessions/seances/{seance.id}/feuille-emargement.pdf")
    assert sheet.status_code == 200
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(sheet.data)).pages)
    assert "Moreau" in text and "LSF" not in text and "fauteuil" not in text
    auth.logout()
    # The coordinator's roster, its CSV, the bilan's exports, the session's calendar file.
    auth.login(world.coordinator)
    roster = client.get(f"/admin/sessions/{world.session.id}/inscrits").get_data(as_text=True)
    assert "Moreau" in roster and "LSF" not in roster
    csv = client.get(f"/admin/sessions/{world.session.id}/inscrits.csv").get_data(as_text=True)
    assert "Moreau" in csv and "LSF" not in csv
    for url in ("/bilan/participants-categorie.csv", f"/sessions/{world.session.id}/agenda.ics"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert "LSF" not in answer.data.decode("utf-8-sig"), url
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/bilan.xlsx").data))
    cells = [str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert cells and not any("LSF" in cell for cell in cells)
    auth.logout()
    # The person's own calendar feed.
    from reseau.calendars.models import FeedKind
    from reseau.calendars.tokens import feed_token, issue_token

    token = issue_token(FeedKind.PERSON, world.person, actor=world.person)
    db.session.commit()
    url = f"/agenda/prive/{feed_token(token)}.ics"
    db.session.rollback()  # no read transaction left open while the feed records its fetch
    feed = client.get(url)
    assert feed.status_code == 200 and b"Animer une r" in feed.data and b"LSF" not in feed.data


def test_my_data_exports_it_and_anonymisation_erases_it(client, auth, world):
    found = _enrol_with_request(client, auth, world)
    found.arranged, found.arranged_at = "Interprète réservée", utcnow()
    db.session.commit()
    auth.login(world.person)
    exported = json.loads(client.get("/mes-donnees.json").data)
    assert exported["amenagements"] == [
        {
            "session": "Animer une réunion",
            "demande": SECRET,
            "demandee_le": found.updated_at.isoformat(),
            "prevu": "Interprète réservée",
            "prevu_le": found.arranged_at.isoformat(),
        }
    ]
    assert "LSF" in client.get("/mes-donnees").get_data(as_text=True)
    auth.logout()
    anonymise_person(world.person, actor=world.coordinator)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AdjustmentRequest.id))) == 0
    auth.login(world.coordinator)
    assert "LSF" not in client.get("/amenagements").get_data(as_text=True)


def test_retention_erases_it_too(app, client, auth, world):
    from reseau.accounts.models import UserStatus
    from reseau.privacy.operations import apply_retention

    _enrol_with_request(client, auth, world)
    old = utcnow() - timedelta(days=40 * 31)
    db.session.execute(sa.update(Enrolment).values(created_at=old, updated_at=old, queued_at=old))
    world.person.created_at = world.person.last_login_at = old
    world.session.seances[0].starts_at -= timedelta(days=40 * 31)
    world.session.seances[0].ends_at -= timedelta(days=40 * 31)
    world.session.sync_dates()
    db.session.commit()
    apply_retention(utcnow(), months=36)
    db.session.commit()
    db.session.refresh(world.person)
    assert world.person.status == UserStatus.ANONYMISED
    assert _request_of(world.person, world.session) is None


def test_every_session_page_gives_the_contact(client, auth, world):
    for login in (None, world.person, world.trainer):
        if login is not None:
            auth.login(login)
        html = client.get(f"/catalogue/sessions/{world.session.id}").get_data(as_text=True)
        assert "Besoin d'un aménagement ?" in html
        assert "Nadia Benali" in html and world.disability.email in html
        assert "02 54 00 11 22" in html
        if login is not None:
            auth.logout()


def test_the_public_page_revalidates_when_the_contact_changes(client, world):
    url = f"/catalogue/sessions/{world.session.id}"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    second = make_disability_referent(first_name="Paul", last_name="Girard")
    db.session.commit()
    answer = client.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 200 and "Paul Girard" in answer.get_data(as_text=True)
    assert second.email in answer.get_data(as_text=True)
    # A contact whose account is disabled leaves the page: the fingerprint moves too.
    etag = answer.headers["ETag"]
    second.status = UserStatus.DISABLED
    db.session.commit()
    answer = client.get(url, headers={"If-None-Match": etag})
    assert answer.status_code == 200 and "Paul Girard" not in answer.get_data(as_text=True)


def test_a_referent_cannot_give_or_take_the_role(client, auth, world):
    """Only the coordinator designates référent·es handicap (the roles field is theirs), and
    a referent may not act on one of their centre (they do not hold that role)."""
    from reseau.accounts.models import Role

    holder = make_disability_referent(centre=world.centre)
    db.session.commit()
    auth.login(world.referent)
    form = {"first_name": "X", "last_name": "Y", "email": holder.email, "category": "salarie"}
    assert client.post(f"/personnes/{holder.id}/modifier", data=form).status_code == 403
    form = {**form, "email": world.other.email, "roles": ["disability"]}
    client.post(f"/personnes/{world.other.id}/modifier", data=form)
    db.session.refresh(world.other)
    assert Role.DISABILITY not in world.other.roles
    auth.logout()
    auth.login(world.coordinator)
    form = {**form, "centre_id": str(world.centre.id)}
    assert client.post(f"/personnes/{world.other.id}/modifier", data=form).status_code == 303
    db.session.refresh(world.other)
    assert Role.DISABILITY in world.other.roles


def test_the_readers_home_counts_the_requests_waiting(client, auth, world):
    _enrol_with_request(client, auth, world)
    for reader in (world.disability, world.coordinator):
        auth.login(reader)
        home = client.get("/").get_data(as_text=True)
        assert "1 demande à traiter" in home and "/amenagements?etat=ouvertes" in home
        auth.logout()
    for other in (world.person, world.referent, world.trainer):
        auth.login(other)
        assert "Demandes d'aménagement" not in client.get("/").get_data(as_text=True)
        auth.logout()


def test_an_overlap_keeps_the_request_typed_until_confirmed(client, auth, world):
    same_time = make_session(title="Même jour", starts_at=world.session.starts_at)
    enrol(same_time, world.person)
    db.session.commit()
    auth.login(world.person)
    url = f"/catalogue/sessions/{world.session.id}/inscription"
    for headers in ({}, {"HX-Request": "true"}):
        answer = client.post(url, data={"adjustment": SECRET}, headers=headers)
        assert answer.status_code == 409
        html = answer.get_data(as_text=True)
        assert "Oui, m&#39;inscrire quand même" in html or "Oui, m'inscrire quand même" in html
        assert 'name="adjustment" value="Je me déplace en fauteuil' in html
    assert _request_of(world.person, world.session) is None
    answer = client.post(url, data={"adjustment": SECRET, "confirm_overlap": "y"})
    assert answer.status_code == 303
    assert _request_of(world.person, world.session).text == SECRET


def test_a_cancelled_enrolment_takes_its_request_off_the_to_do_and_back_on_re_enrolment(
    client, auth, world
):
    from reseau.adjustments.queries import open_count
    from reseau.enrolment import operations as enrolment_ops

    found = _enrol_with_request(client, auth, world)
    assert open_count() == 1 and not found.is_withdrawn
    enrolment = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.person_id == world.person.id)
    )
    enrolment_ops.cancel(enrolment, actor=world.person)
    db.session.commit()
    db.session.refresh(found)
    assert found.is_withdrawn and open_count() == 0

    auth.login(world.disability)
    listed = client.get("/amenagements").text
    assert "Lucie Moreau" in listed and "Inscription annulée" in listed
    assert "Lucie Moreau" not in client.get("/amenagements?etat=ouvertes").text
    assert "Inscription annulée" in client.get(f"/amenagements/{found.id}").text
    auth.logout()

    # She enrols again: the request is hers to follow again, back on the to-do list.
    enrolment_ops.enrol(world.person, world.session, actor=world.person)
    db.session.commit()
    db.session.refresh(found)
    assert not found.is_withdrawn and open_count() == 1
    auth.login(world.disability)
    assert "Lucie Moreau" in client.get("/amenagements?etat=ouvertes").text
