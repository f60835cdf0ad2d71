"""Mon parcours: the figures against a hand-computed fixture (tests/parcours/fixtures.py),
the page, the PDF read back, the sharing choice (audited, in "Mes données", reset by
anonymisation), the referent's list, and a fixed number of queries."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from reseau.accounts.models import User
from reseau.core.audit import AuditLog
from reseau.core.extensions import db
from reseau.parcours import queries
from reseau.privacy.operations import anonymise_person
from tests.parcours.fixtures import OBJECTIVES, add_sessions, build_world


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_figures_of_two_years_and_two_campaigns(app):
    world = build_world()
    parcours = queries.parcours_of(world.person)
    assert parcours.sessions == 2
    assert parcours.hours == 8.5
    assert [(year.year, year.hours) for year in parcours.years] == [(2025, 5.0), (2024, 3.5)]
    [s3], [s1] = (year.trainings for year in parcours.years)
    assert (s1.session.id, s1.hours, s1.closed) == (world.s1.id, 3.5, True)
    assert [d.isoformat() for d in s1.days] == ["2024-03-12"]
    assert (s1.theme, s1.cycle, s1.module) == (
        "L'accueil en centre social",
        "Cycle accueil (2024)",
        "Accueillir",
    )
    assert s1.objectives == OBJECTIVES  # the module's
    assert (s3.session.id, s3.hours, s3.closed) == (world.s3.id, 5.0, False)
    assert [d.isoformat() for d in s3.days] == ["2025-02-04", "2025-02-06"]
    assert (s3.theme, s3.cycle) == ("Animer la vie associative", "")
    assert s3.objectives == "Préparer, animer et conclure une réunion."  # no module: the session's
    assert parcours.campaigns == ["2024", "2025"]
    assert [(s.title, s.arrows, s.change) for s in parcours.skills] == [
        ("Accueillir un nouveau bénévole", "2024 : 2 → 2025 : 4", 2),
        ("Animer une réunion", "2024 : 3 → 2025 : 2", -1),
        ("Utiliser les outils numériques", "2025 : 1", 0),
    ]
    assert [s.words for s in parcours.skills] == [
        "Je connais (2024), puis Je peux transmettre (2025) : en progrès de 2 niveaux",
        "Je maîtrise (2024), puis Je connais (2025) : en baisse de 1 niveau",
        "Je découvre (2025) : une seule campagne",
    ]
    # The other person's record holds only their own session and answer.
    other = queries.parcours_of(world.other)
    assert (other.sessions, other.hours) == (1, 7.0)
    assert [s.arrows for s in other.skills] == ["2024 : 4"]


def test_the_page_lists_the_trainings_and_links_the_certificates(client, auth):
    world = build_world()
    s1, s3 = world.s1.id, world.s3.id
    db.session.commit()
    auth.login(world.person)
    html = client.get("/mon-parcours").get_data(as_text=True)
    text = _text(html)
    assert "Passeport Bénévole" in text and "(VAE)" in text
    assert re.search(r'id="total-sessions">2 formations<', html)
    assert re.search(r'id="total-hours">8,5 h<', html)
    assert "2025 — 5 h" in text and "2024 — 3,5 h" in text
    assert "Durée suivie 3,5 h" in text
    assert "le mardi 12 mars 2024" in text
    assert "du mardi 4 février 2025 au jeudi 6 février 2025 (2 jours)" in text
    assert "Cycle accueil (2024) — module « Accueillir »" in text
    assert "2024 : 2 → 2025 : 4" in text
    assert "en progrès de 2 niveaux" in text
    assert "Excusée" not in text and "Annulée" not in text
    # Certificates: the closed session's, not the running one's.
    assert f"/mes-formations/{s1}/attestation.pdf" in html
    assert f"/mes-formations/{s1}/certificat-realisation.pdf" in html
    assert f"/mes-formations/{s3}/" not in html
    assert "Formation en cours" in text
    assert client.get(f"/mes-formations/{s1}/attestation.pdf").status_code == 200
    # Off by default.
    assert "checked" not in re.search(r"<input[^>]*name=\"shared\"[^>]*>", html).group(0)


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_reads_back(client, auth):
    world = build_world()
    db.session.commit()
    auth.login(world.person)
    text = _pdf_text(client.get("/mon-parcours.pdf"))
    for expected in (
        "Parcours de formation",
        "Martine Robin",
        "Centre social du Blanc",
        "Formations effectuées",
        "Passeport Bénévole",
        "En tout : 2 formations, 8,5 h suivies.",
        "2025 — 5 h",
        "2024 — 3,5 h",
        "Accueillir les nouveaux bénévoles",
        "Dates : le 12 mars 2024",
        "Dates : du 4 février 2025 au 6 février 2025",
        "Durée : 3,5 h",
        "Durée : 5 h",
        "Thématique : L'accueil en centre social",
        "Cycle : Cycle accueil (2024) — module « Accueillir »",
        "Objectifs : " + OBJECTIVES,
        "Animer une réunion d’équipe",
        "Formation en cours.",
        "2024 : 2 → 2025 : 4",
        "2024 : 3 → 2025 : 2",
        "2025 : 1",
        "en baisse de 1 niveau",
    ):
        assert expected in text, expected
    assert "Excusée" not in text and "Annulée" not in text
    assert text.index("2025 — 5 h") < text.index("2024 — 3,5 h")


def _sharing_audits(person) -> list[AuditLog]:
    return db.session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.action == "parcours.sharing", AuditLog.object_id == person.id)
        .order_by(AuditLog.id)
    ).all()


def test_sharing_is_off_by_default_audited_and_shown_in_my_data(client, auth):
    world = build_world()
    db.session.commit()
    person_id = world.person.id
    auth.login(world.person)
    assert 'id="parcours-partage">Non' in client.get("/mes-donnees").get_data(as_text=True)
    answer = client.post("/mon-parcours/partage", data={"shared": "y"})
    assert answer.status_code == 303 and answer.location.endswith("/mon-parcours#partage")
    db.session.expire_all()
    assert db.session.get(User, person_id).parcours_shared is True
    html = client.get("/mon-parcours").get_data(as_text=True)
    assert "checked" in re.search(r"<input[^>]*name=\"shared\"[^>]*>", html).group(0)
    assert 'id="parcours-partage">Oui' in client.get("/mes-donnees").get_data(as_text=True)
    client.post("/mon-parcours/partage", data={"shared": "y"})  # unchanged: no new entry
    client.post("/mon-parcours/partage", data={})
    db.session.expire_all()
    assert db.session.get(User, person_id).parcours_shared is False
    audits = _sharing_audits(world.person)
    assert [(a.actor_id, a.before, a.after) for a in audits] == [
        (person_id, {"partage": False}, {"partage": True}),
        (person_id, {"partage": True}, {"partage": False}),
    ]
    data = client.get("/mes-donnees.json").get_json()
    assert data["personne"]["parcours_partage_avec_le_referent"] is False


def test_anonymisation_resets_the_sharing(app, client, auth):
    world = build_world()
    world.person.parcours_shared = True
    db.session.commit()
    anonymise_person(world.person, actor=world.coordinator)
    db.session.commit()
    db.session.expire_all()
    assert world.person.parcours_shared is False
    # The figures stay (anonymisation keeps them), the referent no longer reads them.
    assert queries.parcours_of(world.person).hours == 8.5
    auth.login(world.referent)
    assert client.get(f"/parcours/{world.person.id}").status_code == 404


def test_the_referent_lists_their_centres_people_who_agreed(client, auth):
    world = build_world()
    world.person.parcours_shared = True
    db.session.commit()
    person_id, other_id = world.person.id, world.other.id
    auth.login(world.referent)
    html = client.get("/parcours").get_data(as_text=True)
    assert f'/parcours/{person_id}"' in html and f'/parcours/{other_id}"' not in html
    page = client.get(f"/parcours/{person_id}").get_data(as_text=True)
    assert "consultation seule" in page and "2024 : 2 → 2025 : 4" in page
    assert 'name="shared"' not in page  # read-only: the sharing choice is the person's
    # Their certificates through the parcours' routes, not the reader's own (which 404).
    assert f"/parcours/{person_id}/formations/" in page and "/mes-formations/" not in page
    assert "Parcours de formation de Martine" in client.get(f"/personnes/{person_id}").get_data(
        as_text=True
    )
    assert "Parcours de formation de" not in client.get(f"/personnes/{other_id}").get_data(
        as_text=True
    )
    assert "Martine Robin" in _pdf_text(client.get(f"/parcours/{person_id}/parcours.pdf"))
    auth.logout()
    auth.login(world.other_referent)
    assert f'/parcours/{person_id}"' not in client.get("/parcours").get_data(as_text=True)


def test_the_page_makes_the_same_queries_whatever_the_sessions(client, auth, count_queries):
    world = build_world()
    db.session.commit()
    person_id = world.person.id
    auth.login(world.person)
    client.get("/mon-parcours")
    with count_queries(fresh=True) as few:
        assert client.get("/mon-parcours").status_code == 200
    # The count above closed the session: the person is loaded again before being used.
    add_sessions(db.session.get(User, person_id), 12)
    db.session.commit()
    with count_queries(fresh=True) as many:
        html = client.get("/mon-parcours").get_data(as_text=True)
    assert 'id="total-sessions">14 formations<' in html
    assert len(few) == len(many) < 15
    with count_queries(fresh=True) as pdf:
        assert client.get("/mon-parcours.pdf").status_code == 200
    assert len(pdf) < 15


def test_who_reads_a_parcours_downloads_its_certificates(client, auth):
    world = build_world()
    world.person.parcours_shared = True
    person, s1, s3 = world.person.id, world.s1.id, world.s3.id
    db.session.commit()
    attestation = f"/parcours/{person}/formations/{s1}/attestation.pdf"
    completion = f"/parcours/{person}/formations/{s1}/certificat-realisation.pdf"
    for reader in (world.referent, world.coordinator):
        auth.login(reader)
        html = client.get(f"/parcours/{person}").get_data(as_text=True)
        assert attestation in html and completion in html
        assert f"/mes-formations/{s1}/" not in html  # the reader's own links would 404
        for url in (attestation, completion):
            assert "Martine Robin" in _pdf_text(client.get(url))
        # A session still running: no certificate yet.
        assert client.get(f"/parcours/{person}/formations/{s3}/attestation.pdf").status_code == 404
        auth.logout()
    # Another centre's referent, and the referent once the person stops sharing: 404.
    auth.login(world.other_referent)
    assert client.get(attestation).status_code == 404
    auth.logout()
    world.person.parcours_shared = False
    db.session.commit()
    auth.login(world.referent)
    assert client.get(completion).status_code == 404
    # Someone else of the centre who did not attend that session: nothing to download.
    auth.logout()
    world.other.parcours_shared = True
    db.session.commit()
    auth.login(world.referent)
    other_s3 = f"/parcours/{world.other.id}/formations/{s3}/certificat-realisation.pdf"
    assert client.get(other_s3).status_code == 404
