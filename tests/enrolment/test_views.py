"""Pages and buttons: the catalogue, the enrol component, Mes formations, centre, roster."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from reseau.accounts.models import Category
from reseau.catalogue.models import SessionKind, SessionStatus
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.enrolment import operations as ops
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.outbox import OutboxMail
from tests.factories import (
    make_centre,
    make_coordinator,
    make_cycle,
    make_module,
    make_referent,
    make_session,
    make_theme,
    make_trainer,
    make_user,
)


def enrolment_of(person, session):
    return db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.person_id == person.id, Enrolment.session_id == session.id
        )
    )


# --- Public catalogue -----------------------------------------------------------------------


def test_catalogue_is_public_and_filters(client, app):
    theme = make_theme(name="La fonction employeur")
    wanted = make_session(title="Recruter un salarié", theme=theme, capacity=1)
    make_session(title="Communiquer", kind=SessionKind.RENCONTRE_REGIONALE)
    make_session(title="Brouillon secret", status=SessionStatus.DRAFT)
    person = make_user(last_name="Confidentiel")
    ops.enrol(person, wanted, actor=person)
    db.session.commit()
    page = client.get("/catalogue")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Recruter un salarié" in html and "Communiquer" in html
    assert "Brouillon secret" not in html and "Confidentiel" not in html
    filtered = client.get(f"/catalogue?theme={theme.id}").get_data(as_text=True)
    assert "Recruter" in filtered and "Communiquer" not in filtered
    with_places = client.get("/catalogue?places=1").get_data(as_text=True)
    assert "Recruter" not in with_places and "Communiquer" in with_places
    assert "Communiquer" in client.get("/catalogue?type=rencontre_regionale").get_data(as_text=True)
    assert "Recruter" in client.get("/catalogue?q=recruter").get_data(as_text=True)
    # Bad values are ignored, never a 500.
    assert client.get("/catalogue?theme=abc&mois=2026-99&page=-3&public=x").status_code == 200


def test_catalogue_htmx_gets_the_results_fragment(client, app, htmx_headers):
    make_session(title="Fragment")
    db.session.commit()
    answer = client.get("/catalogue?q=frag", headers=htmx_headers)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Fragment" in html and "<html" not in html
    # The inside of #catalogue-results only: swapped into it, it must not nest a second one.
    assert 'id="catalogue-results"' not in html and 'id="catalogue-count"' in html


def test_catalogue_makes_a_fixed_number_of_queries(client, app, count_queries):
    def queries(url):
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    theme = make_theme()
    cycle = make_cycle(theme=theme)
    make_session(theme=theme, module=make_module(cycle=cycle), host_centre=make_centre())
    db.session.commit()
    few = queries("/catalogue")
    for _ in range(6):
        make_session(theme=make_theme(), module=make_module(), host_centre=make_centre())
    db.session.commit()
    assert queries("/catalogue") == few


def test_session_cycle_and_theme_pages(client, app):
    theme = make_theme(name="Les fondamentaux", slug="fondamentaux")
    cycle = make_cycle(theme=theme, title="Cycle bénévoles")
    session = make_session(
        title="Le projet social",
        theme=theme,
        module=make_module(cycle=cycle),
        address="1 rue X",
        town="Le Blanc",
        place_kind="address",
    )
    draft = make_session(status=SessionStatus.DRAFT)
    db.session.commit()
    html = client.get(f"/catalogue/sessions/{session.id}").get_data(as_text=True)
    assert "Le projet social" in html and "openstreetmap" in html
    assert "Se connecter pour s'inscrire" in html
    assert client.get(f"/catalogue/sessions/{draft.id}").status_code == 404
    assert client.get("/catalogue/sessions/99999").status_code == 404
    assert "Le projet social" in client.get(f"/catalogue/cycles/{cycle.id}").get_data(as_text=True)
    assert "Cycle bénévoles" in client.get("/catalogue/thematiques/fondamentaux").get_data(
        as_text=True
    )
    assert client.get("/catalogue/thematiques/inconnue").status_code == 404


# --- The enrol component ---------------------------------------------------------------------


def test_enrol_with_htmx_swaps_the_component(client, auth, app, htmx_headers):
    session = make_session(capacity=1)
    person = make_user()
    db.session.commit()
    auth.login(person)
    answer = client.post(f"/catalogue/sessions/{session.id}/inscription", headers=htmx_headers)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert f'id="inscription-{session.id}"' in html and 'data-hx-target="this"' in html
    assert "Inscription confirmée" in html and "Complet" in html and "<html" not in html
    assert enrolment_of(person, session).status == EnrolmentStatus.CONFIRMED
    # The second click is refused with a French message, in the component, not a 500.
    again = client.post(f"/catalogue/sessions/{session.id}/inscription", headers=htmx_headers)
    assert again.status_code == 409 and "déjà inscrit·e" in again.get_data(as_text=True)
    cancelled = client.post(
        f"/catalogue/sessions/{session.id}/desinscription", headers=htmx_headers
    )
    assert "1 place disponible" in cancelled.get_data(as_text=True)


def test_enrol_without_javascript_redirects_with_303(client, auth, app):
    session = make_session(capacity=1)
    holder, person = make_user(), make_user()
    ops.enrol(holder, session, actor=holder)
    db.session.commit()
    auth.login(person)
    answer = client.post(f"/catalogue/sessions/{session.id}/inscription")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/catalogue/sessions/{session.id}")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "position 1" in page
    assert enrolment_of(person, session).status == EnrolmentStatus.WAITLISTED


def test_overlap_confirmation_through_the_page(client, auth, app, htmx_headers):
    start = (utcnow() + timedelta(days=9)).replace(hour=8, minute=0, second=0, microsecond=0)
    first = make_session(starts_at=start, title="Première session")
    second = make_session(starts_at=start)
    person = make_user()
    ops.enrol(person, first, actor=person)
    db.session.commit()
    auth.login(person)
    answer = client.post(f"/catalogue/sessions/{second.id}/inscription", headers=htmx_headers)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "Première session" in html and "confirm_overlap" in html
    assert enrolment_of(person, second) is None
    plain = client.post(f"/catalogue/sessions/{second.id}/inscription")
    assert plain.status_code == 303 and "overlap=1" in plain.headers["Location"]
    assert "confirm_overlap" in client.get(plain.headers["Location"]).get_data(as_text=True)
    confirmed = client.post(
        f"/catalogue/sessions/{second.id}/inscription",
        data={"confirm_overlap": "y"},
        headers=htmx_headers,
    )
    assert confirmed.status_code == 200
    assert enrolment_of(person, second).status == EnrolmentStatus.CONFIRMED


def test_enrol_needs_login(client, app):
    session = make_session()
    db.session.commit()
    answer = client.post(f"/catalogue/sessions/{session.id}/inscription")
    assert answer.status_code == 302 and "/connexion" in answer.headers["Location"]
    assert client.get("/mes-formations").status_code == 302


def test_my_enrolments_and_offer_acceptance(client, auth, app):
    from reseau.catalogue.models import PromotionMode

    session = make_session(title="Avec offre", capacity=1, promotion_mode=PromotionMode.OFFER)
    holder, person = make_user(), make_user()
    held = ops.enrol(holder, session, actor=holder)
    mine = ops.enrol(person, session, actor=person)
    db.session.commit()
    auth.login(person)
    assert "position 1" in client.get("/mes-formations").get_data(as_text=True)
    ops.cancel(held, actor=holder)
    db.session.commit()
    html = client.get("/mes-formations").get_data(as_text=True)
    assert "Accepter la place" in html
    answer = client.post(f"/inscriptions/{mine.id}/accepter")
    assert answer.status_code == 303
    db.session.expire_all()
    assert enrolment_of(person, session).status == EnrolmentStatus.CONFIRMED
    # Someone else's enrolment is invisible.
    assert client.post(f"/inscriptions/{held.id}/accepter").status_code == 404
    assert client.post(f"/inscriptions/{held.id}/annuler").status_code == 404


# --- Referents ---------------------------------------------------------------------------------


@pytest.fixture
def two_centres(app):
    home, other = make_centre(name="Centre social du Blanc"), make_centre()
    data = {
        "home": home,
        "other": other,
        "referent": make_referent(home),
        "other_referent": make_referent(other),
        "member": make_user(centre=home),
        "stranger": make_user(centre=other),
        "session": make_session(capacity=3, requires_validation=True),
    }
    return data


def test_referent_sees_and_decides_only_their_centre(client, auth, two_centres):
    d = two_centres
    mine = ops.enrol(d["member"], d["session"], actor=d["member"])
    theirs = ops.enrol(d["stranger"], d["session"], actor=d["stranger"])
    db.session.commit()
    auth.login(d["referent"])
    html = client.get("/centre/inscriptions").get_data(as_text=True)
    assert d["member"].full_name in html and d["stranger"].full_name not in html
    assert client.post(f"/inscriptions/{theirs.id}/valider").status_code == 404
    assert client.post(f"/inscriptions/{theirs.id}/refuser").status_code == 404
    assert client.post(f"/inscriptions/{theirs.id}/annuler").status_code == 404
    assert client.post(f"/inscriptions/{mine.id}/valider").status_code == 303
    db.session.expire_all()
    assert enrolment_of(d["member"], d["session"]).status == EnrolmentStatus.CONFIRMED
    assert enrolment_of(d["stranger"], d["session"]).status == EnrolmentStatus.PENDING


def test_referent_enrols_a_member_not_a_stranger(client, auth, two_centres):
    d = two_centres
    db.session.commit()
    auth.login(d["referent"])
    url = f"/catalogue/sessions/{d['session'].id}/inscrire"
    page = client.get(f"/catalogue/sessions/{d['session'].id}").get_data(as_text=True)
    assert d["member"].sort_name in page and d["stranger"].sort_name not in page
    assert client.post(url, data={"person": d["member"].id}).status_code == 303
    client.post(url, data={"person": d["stranger"].id})
    enrolment = enrolment_of(d["member"], d["session"])
    assert enrolment.enrolled_by_id == d["referent"].id
    assert enrolment_of(d["stranger"], d["session"]) is None


def test_coordinator_enrols_anyone_by_email(client, auth, two_centres):
    d = two_centres
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    url = f"/catalogue/sessions/{d['session'].id}/inscrire"
    assert client.post(url, data={"email": d["stranger"].email}).status_code == 303
    assert enrolment_of(d["stranger"], d["session"]).enrolled_by_id == coordinator.id


# --- Roster ---------------------------------------------------------------------------------------


def test_roster_capacity_move_csv_and_cancel(client, auth, app):
    session = make_session(capacity=1, title="Session pleine")
    people = [make_user(first_name=f"P{i}", category=Category.BENEVOLE) for i in range(4)]
    enrolments = [ops.enrol(p, session, actor=p) for p in people]
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    url = f"/admin/sessions/{session.id}/inscrits"
    html = client.get(url).get_data(as_text=True)
    assert (
        html.index(people[1].sort_name)
        < html.index(people[2].sort_name)
        < html.index(people[3].sort_name)
    )
    bad = client.post(url, data={"capacity": "abc"})
    assert bad.status_code == 422 and "nombre" in bad.get_data(as_text=True)
    assert client.post(url, data={"capacity": "2"}).status_code == 303
    db.session.expire_all()
    assert enrolment_of(people[1], session).status == EnrolmentStatus.CONFIRMED
    move = client.post(f"{url}/{enrolments[3].id}/confirmer")
    assert move.status_code == 303
    db.session.expire_all()
    assert enrolment_of(people[3], session).status == EnrolmentStatus.CONFIRMED
    assert db.session.get(type(session), session.id).capacity == 3
    csv = client.get(f"/admin/sessions/{session.id}/inscrits.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    body = csv.get_data(as_text=True)
    assert people[2].last_name in body and "Liste d'attente;1;" in body
    assert client.post(f"/admin/sessions/{session.id}/annuler").status_code == 303
    db.session.expire_all()
    assert db.session.get(type(session), session.id).status == SessionStatus.CANCELLED
    told = db.session.scalars(
        sa.select(OutboxMail.recipient).where(OutboxMail.subject.like("Session annulée%"))
    ).all()
    assert sorted(told) == sorted(p.email for p in people)


@pytest.mark.parametrize("who", ["anonymous", "participant", "trainer", "referent"])
def test_roster_is_for_the_coordinator_only(client, auth, app, who):
    centre = make_centre()
    session = make_session()
    users = {
        "participant": make_user(centre=centre),
        "trainer": make_trainer(),
        "referent": make_referent(centre),
    }
    enrolment = ops.enrol(users["participant"], session, actor=users["participant"])
    db.session.commit()
    if who != "anonymous":
        auth.login(users[who])
    base = f"/admin/sessions/{session.id}/inscrits"
    expected = {302} if who == "anonymous" else {403}
    assert client.get(base).status_code in expected
    assert client.get(f"{base}.csv").status_code in expected
    assert client.post(base, data={"capacity": "40"}).status_code in expected
    assert client.post(f"{base}/{enrolment.id}/confirmer").status_code in expected
    assert client.post(f"/admin/sessions/{session.id}/annuler").status_code in expected
    assert db.session.get(type(session), session.id).status == SessionStatus.PUBLISHED


@pytest.mark.parametrize("who", ["anonymous", "participant", "trainer"])
def test_centre_pages_need_a_manager(client, auth, app, who):
    session = make_session(requires_validation=True)
    member = make_user(centre=make_centre())
    enrolment = ops.enrol(member, session, actor=member)
    users = {"participant": make_user(), "trainer": make_trainer()}
    db.session.commit()
    if who != "anonymous":
        auth.login(users[who])
    expected = 302 if who == "anonymous" else 403
    assert client.get("/centre/inscriptions").status_code == expected
    assert client.post(f"/inscriptions/{enrolment.id}/valider").status_code == expected
    assert (
        client.post(
            f"/catalogue/sessions/{session.id}/inscrire", data={"person": member.id}
        ).status_code
        == expected
    )
    assert enrolment_of(member, session).status == EnrolmentStatus.PENDING


def test_coordinator_sees_every_centre(client, auth, two_centres):
    d = two_centres
    ops.enrol(d["stranger"], d["session"], actor=d["stranger"])
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/centre/inscriptions").get_data(as_text=True)
    assert d["stranger"].full_name in html
    other = client.get(f"/centre/inscriptions?centre={d['home'].id}").get_data(as_text=True)
    assert d["stranger"].full_name not in other


def test_catalogue_month_audience_and_departement_filters(client, app):
    from reseau.catalogue.models import Audience
    from reseau.core.i18n import to_local
    from tests.factories import make_department

    indre = make_department(code="36", name="Indre")
    soon = make_session(title="Bientôt", audience=Audience.SALARIES, department=indre)
    later = make_session(title="Plus tard", starts_at=utcnow() + timedelta(days=70))
    db.session.commit()
    month = to_local(soon.starts_at).strftime("%Y-%m")
    html = client.get(f"/catalogue?mois={month}").get_data(as_text=True)
    assert "Bientôt" in html and later.title not in html
    benevoles = client.get("/catalogue?public=benevoles").get_data(as_text=True)
    assert "Bientôt" not in benevoles and "Plus tard" in benevoles  # "tous publics" stays
    by_department = client.get(f"/catalogue?departement={indre.id}").get_data(as_text=True)
    assert "Bientôt" in by_department and "Plus tard" not in by_department


@pytest.mark.parametrize("who", ["anonymous", "participant", "trainer", "referent", "coordinator"])
def test_public_pages_for_everyone(client, auth, app, who):
    centre = make_centre()
    theme = make_theme(slug="pour-tous")
    cycle = make_cycle(theme=theme)
    session = make_session(theme=theme, module=make_module(cycle=cycle))
    users = {
        "participant": make_user(centre=centre),
        "trainer": make_trainer(),
        "referent": make_referent(centre),
        "coordinator": make_coordinator(),
    }
    db.session.commit()
    if who != "anonymous":
        auth.login(users[who])
    for url in (
        "/catalogue",
        f"/catalogue/sessions/{session.id}",
        f"/catalogue/cycles/{cycle.id}",
        "/catalogue/thematiques/pour-tous",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/catalogue/sessions/{session.id}").get_data(as_text=True)
    assert ("Inscrire une personne" in page) == (who in ("referent", "coordinator"))
    assert ("Liste des inscrits" in page) == (who == "coordinator")


def test_session_page_shows_the_centre_cap_reason(client, auth, app):
    centre = make_centre()
    session = make_session(capacity=5, centre_cap=1)
    first, second = make_user(centre=centre), make_user(centre=centre)
    ops.enrol(first, session, actor=first)
    ops.enrol(second, session, actor=second)
    db.session.commit()
    auth.login(second)
    html = client.get(f"/catalogue/sessions/{session.id}").get_data(as_text=True)
    assert "Liste d'attente, position 1" in html and "1 par centre" in html
    assert "4 places disponibles" in html


def test_centre_page_counts_its_lines_beside_the_page(client, auth, two_centres, monkeypatch):
    """The centre's lines and their total come from one statement (a window count); a page
    past the last one still tells the total, and every centre's page counts apart."""
    from reseau.core import lists

    monkeypatch.setattr("reseau.enrolment.views.PAGE_SIZE", 2)
    d = two_centres
    start = (utcnow() + timedelta(days=20)).replace(hour=8, minute=0, second=0, microsecond=0)
    sessions = [
        make_session(title=f"Rencontre {n}", capacity=10, starts_at=start + timedelta(days=3 * n))
        for n in range(3)
    ]
    for session in sessions:
        ops.enrol(d["member"], session, actor=d["member"])
    ops.enrol(d["stranger"], sessions[0], actor=d["stranger"])
    db.session.commit()
    assert lists.PAGE_SIZE != 2  # the view's own size only
    auth.login(d["referent"])
    first = client.get("/centre/inscriptions").text
    assert "Page 1 sur 2 · 3 résultats" in first
    assert "Rencontre 0" in first and "Rencontre 1" in first and "Rencontre 2" not in first
    second = client.get("/centre/inscriptions?page=2").text
    assert "Page 2 sur 2 · 3 résultats" in second and "Rencontre 2" in second
    past = client.get("/centre/inscriptions?page=5").text
    assert "Aucune inscription à venir." in past and "3 résultats" in past
    auth.logout()
    auth.login(make_coordinator())
    db.session.commit()
    everyone = client.get("/centre/inscriptions").text
    assert "Page 1 sur 2 · 4 résultats" in everyone
