"""Aggregates on the hand-computed fixture of fixtures.py: exact cells and rankings."""

from __future__ import annotations

import csv
import io
import re

from reseau.accounts.models import Category, Centre
from reseau.core.extensions import db
from reseau.diagnostic import results
from reseau.diagnostic.models import DiagnosticCampaign
from tests.diagnostic.fixtures import build_world
from tests.factories import make_coordinator, make_referent


def _cells(needs):
    return {
        (need.theme.slug, dept): (cell.people, cell.priority, cell.score)
        for need in needs
        for dept, cell in need.cells.items()
    }


def test_heat_map_cells_and_theme_ranking(app):
    w = build_world()
    needs, columns = results.theme_needs(results.Filters(w.campaign))
    assert _cells(needs) == {
        ("fondamentaux", w.d36.id): (3, 2, 5),
        ("fondamentaux", w.d37.id): (1, 0, 1),
        ("fonction-employeur", w.d36.id): (2, 1, 3),
        ("fonction-employeur", w.d37.id): (1, 0, 1),
    }
    assert [(n.theme.slug, n.people, n.priority, n.score) for n in needs] == [
        ("fondamentaux", 4, 2, 6),
        ("fonction-employeur", 3, 1, 4),
    ]
    assert needs[0].top_department_id == w.d36.id
    assert [d.code for d in columns] == ["36", "37"]


def test_heat_map_by_category_and_department(app):
    w = build_world()
    needs, _ = results.theme_needs(results.Filters(w.campaign, category=Category.BENEVOLE))
    assert _cells(needs) == {
        ("fondamentaux", w.d36.id): (2, 2, 4),
        ("fondamentaux", w.d37.id): (1, 0, 1),
        ("fonction-employeur", w.d36.id): (1, 0, 1),
        ("fonction-employeur", w.d37.id): (1, 0, 1),
    }
    needs, columns = results.theme_needs(results.Filters(w.campaign, department_id=w.d37.id))
    assert _cells(needs) == {
        ("fondamentaux", w.d37.id): (1, 0, 1),
        ("fonction-employeur", w.d37.id): (1, 0, 1),
    }
    assert [d.code for d in columns] == ["37"]


def test_skill_ranking_weights_priority_double(app):
    w = build_world()
    rows = results.skill_ranking(results.Filters(w.campaign))
    assert [(r.DiagnosticSkill.title, r.people, r.priority, r.score) for r in rows] == [
        ("Accueillir chacun·e", 3, 1, 4),
        ("Recruter un·e salarié·e", 3, 1, 4),
        ("Connaître le projet social", 2, 1, 3),
    ]


def test_response_rates_and_texts(app):
    w = build_world()
    filters = results.Filters(w.campaign)
    assert [
        (r.label, r.eligible, r.answered, r.percent) for r in results.department_rates(filters)
    ] == [
        ("36 – Indre", 3, 3, 100),
        ("37 – Indre-et-Loire", 3, 2, 67),
    ]
    assert [(r.label, r.eligible, r.answered) for r in results.centre_rates(filters)] == [
        ("Centre A (36)", 2, 2),
        ("Centre B (36)", 1, 1),
        ("Centre C (37)", 3, 2),
    ]
    assert results.respondent_count(filters) == 5
    texts = {(t.prompt, t.text, t.category) for t in results.free_texts(filters)}
    assert texts == {
        ("Autres besoins", "Du jargon en moins", Category.BENEVOLE),
        ("Quels freins ?", "La distance", Category.SALARIE),
    }


def test_referent_sees_their_centre_part(app):
    w = build_world()
    needs, columns = results.theme_needs(results.Filters(w.campaign, centre_id=w.a.id))
    assert _cells(needs) == {
        ("fondamentaux", w.d36.id): (2, 1, 3),
        ("fonction-employeur", w.d36.id): (1, 1, 2),
    }
    assert [d.code for d in columns] == ["36"]


def test_results_page_makes_a_fixed_number_of_queries(app, client, auth, count_queries):
    w = build_world()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    campaign_id, centre_id = w.campaign.id, w.c.id
    url = f"/diagnostic/resultats?campagne={campaign_id}"
    before = count_queries.page(client, url)
    # Ten more people answering everything does not add a single query.
    from tests.diagnostic.fixtures import P, answer
    from tests.factories import make_user

    campaign = db.session.get(DiagnosticCampaign, campaign_id)
    skills = campaign.skills
    centre = db.session.get(Centre, centre_id)
    for _ in range(10):
        answer(campaign, make_user(centre=centre), dict.fromkeys(skills, P))
    db.session.commit()
    assert count_queries.page(client, url) == before
    assert before < 25


def test_results_page_shows_numbers_in_every_cell(app, client, auth):
    w = build_world()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    page = client.get(f"/diagnostic/resultats?campagne={w.campaign.id}")
    assert page.status_code == 200
    html = page.text
    assert '<td class="heat heat-4">3</td>' in html
    assert '<td class="heat heat-2">1</td>' in html
    assert "score 6 (4 personnes, dont 2 en priorité)" in html
    assert "Du jargon en moins" in html
    assert "Créer une session" in html
    # Filters live in the URL and htmx gets only the results fragment.
    fragment = client.get(
        f"/diagnostic/resultats?campagne={w.campaign.id}&categorie=benevole",
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="diagnostic-results"')
    assert "<html" not in fragment.text
    assert '<td class="heat heat-4">2</td>' in fragment.text


def _csv(response):
    text = response.data.decode("utf-8-sig")
    response.close()  # ends a streamed download's request context
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_aggregated_csv(app, client, auth):
    w = build_world()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    response = client.get(f"/diagnostic/resultats.csv?campagne={w.campaign.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = _csv(response)
    assert rows[0][:3] == ["Thématique", "Compétence", "Département"]
    assert [
        "Les fondamentaux du centre social",
        "Accueillir chacun·e",
        "36 – Indre",
        "2",
        "1",
        "3",
    ] in rows
    assert [
        "La fonction employeur",
        "Recruter un·e salarié·e",
        "37 – Indre-et-Loire",
        "1",
        "0",
        "1",
    ] in rows
    assert len(rows) == 1 + 5  # S1×36, S1×37, S2×36, S3×36, S3×37
    # No names in the aggregated export.
    assert "Paule" not in response.data.decode()


def test_raw_csv_for_the_coordinator_only(app, client, auth):
    w = build_world()
    coordinator = make_coordinator()
    referent = make_referent(w.a)
    db.session.commit()
    auth.login(referent)
    assert client.get(f"/admin/diagnostic/{w.campaign.id}/reponses.csv").status_code == 403
    auth.logout()
    auth.login(coordinator)
    response = client.get(f"/admin/diagnostic/{w.campaign.id}/reponses.csv")
    assert response.status_code == 200
    rows = _csv(response)
    assert rows[0][0] == "Nom"
    # 3 + 2 + 2 + 3 + 0 + 3 answers.
    assert len(rows) == 1 + 13
    paule = [row for row in rows if row[1] == "Paule"]
    assert {(row[6], row[8]) for row in paule} == {
        ("Accueillir chacun·e", "Oui, en priorité"),
        ("Connaître le projet social", "Oui"),
        ("Recruter un·e salarié·e", "Non"),
    }


def test_referent_csv_is_their_centre_only(app, client, auth):
    w = build_world()
    referent = make_referent(w.c)
    db.session.commit()
    auth.login(referent)
    rows = _csv(
        client.get(f"/diagnostic/resultats.csv?campagne={w.campaign.id}&departement={w.d36.id}")
    )
    assert all(row[2] == "37 – Indre-et-Loire" for row in rows[1:])
    assert len(rows) == 1 + 2


def test_results_carry_each_persons_own_csrf_token(app, auth):
    # The "Créer une session" forms carry the token of whoever is looking.
    w = build_world()
    first, second = make_coordinator(), make_coordinator()
    db.session.commit()
    tokens = []
    for coordinator in (first, second):
        client = app.test_client()
        auth.__class__(client).login(coordinator)
        html = client.get(f"/diagnostic/resultats?campagne={w.campaign.id}").text
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
        in_forms = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
        assert in_forms == {meta}
        tokens.append(meta)
    assert tokens[0] != tokens[1]


def test_heat_map_rates_share_of_respondents(app, client, auth):
    """Rates: 36 has 3 respondents, 37 has 2 (p5 never answered), so the smaller 37 can be as
    dark as 36 (issue 23)."""
    w = build_world()
    filters = results.Filters(w.campaign)
    figures = results.page_figures(filters)
    assert figures["respondents_by_department"] == {w.d36.id: 3, w.d37.id: 2}
    by_theme = {need.theme.id: need for need in figures["needs"]}
    t1, t2 = by_theme[w.t1.id], by_theme[w.t2.id]
    assert (t1.cells[w.d36.id].percent, t1.cells[w.d37.id].percent) == (100, 50)
    assert (t2.cells[w.d36.id].percent, t2.cells[w.d37.id].percent) == (67, 50)
    assert figures["maximum_percent"] == 100
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get(f"/diagnostic/resultats?campagne={w.campaign.id}&mesure=part").text
    assert "Part des personnes ayant répondu" in html
    assert '<td class="heat heat-4">100 %</td>' in html
    assert '<td class="heat heat-2">50 %</td>' in html
    assert 'aria-current="true">Part des répondant·es</a>' in html
    counts = client.get(f"/diagnostic/resultats?campagne={w.campaign.id}").text
    assert '<td class="heat heat-4">3</td>' in counts and 'heat-4">100 %' not in counts
