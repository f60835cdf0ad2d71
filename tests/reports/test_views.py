"""The bilan pages: access, the figures on the page, htmx, exports, a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from reseau.core.extensions import db
from tests.factories import make_centre, make_coordinator, make_referent, make_trainer, make_user
from tests.reports.fixtures import build_year
from tests.reports.fixtures import figure as _figure

ROUTES = [
    "/bilan?annee=2011",
    "/bilan/sessions?annee=2011",
    "/bilan/evenements.csv?annee=2011",
    "/bilan.xlsx?annee=2011",
]


@pytest.mark.parametrize("url", ROUTES)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


@pytest.mark.parametrize("url", ROUTES)
@pytest.mark.parametrize("maker", [make_user, make_trainer])
def test_participants_and_trainers_are_refused(app, client, auth, url, maker):
    person = maker()
    db.session.commit()
    auth.login(person)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ROUTES)
def test_coordinator_gets_every_route(app, client, auth, url):
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    assert client.get(url).status_code == 200


def test_the_sessions_one_by_one_have_their_own_page(app, client, auth):
    """The bilan links to its sessions one by one: a page without JavaScript, the fragment
    alone (loaded in place) for htmx."""
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/bilan?annee=2011").get_data(as_text=True)
    assert '<ul class="events">' not in html
    assert 'href="/bilan/sessions?annee=2011"' in html
    page = client.get("/bilan/sessions?annee=2011").get_data(as_text=True)
    assert "<h1>Les sessions une par une</h1>" in page
    assert page.count('<ul class="events">') == 1 and 'id="table-evenements"' in page
    fragment = client.get("/bilan/sessions?annee=2011", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert text.lstrip().startswith('<div id="bilan-sessions">') and "<h1>" not in text
    assert text.count("<li><strong>") == 2


def test_the_page_shows_the_figures(app, client, auth):
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/bilan?annee=2011").get_data(as_text=True)
    assert _figure(html, "fig-held") == "2"
    assert _figure(html, "fig-hours") == "8"
    assert _figure(html, "fig-trainee-hours") == "19"
    assert _figure(html, "fig-participants") == "5"
    assert _figure(html, "fig-centres") == "2"
    assert _figure(html, "fig-attendance") == "60\u00a0%"
    assert _figure(html, "fig-satisfaction") == "4/5"
    assert _figure(html, "bilan-summary").startswith(
        "2 centres sociaux, 5 participants dont 1 salarié, 2 bénévoles, 1 élu et 1 partenaire"
    )
    assert 'role="img"' in html and "<title>Participants par catégorie</title>" in html
    assert "style=" not in html
    # Charts come with their tables.
    for key in ("participants-categorie", "participants-departement", "heures-mois"):
        assert f'id="table-{key}"' in html


def test_the_page_lists_the_first_centres_and_counts_them_all(app, client, auth, monkeypatch):
    """The page reads only the centres it lists: its counts are still of all of them."""
    monkeypatch.setattr("reseau.reports.views.CENTRE_ROWS", 1)
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/bilan?annee=2011").get_data(as_text=True)
    assert _figure(html, "fig-centres") == "2"
    assert _figure(html, "bilan-summary").startswith("2 centres sociaux, 5 participants")
    table = html.split('id="table-participants-centre"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    # Two centres of 2 people: the first in the whole list's order (département, name).
    assert body.count("<tr>") == 1 and ">Centre Y</a>" in body
    assert "1 autre dans le" in table
    assert "1 adhérents, 1 non adhérents" in html


def test_year_switch_with_htmx_returns_the_fragment(app, client, auth, htmx_headers):
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    response = client.get("/bilan?annee=2012", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="bilan"')
    assert "<h1" not in html
    # The period forms come along out of band, showing the new year.
    assert 'id="period-forms" data-hx-swap-oob="true"' in html
    assert '<option value="2012" selected>' in html
    assert "Année 2012" in html and _figure(html, "fig-participants") == "1"


def test_date_range_and_bad_input(app, client, auth):
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/bilan?du=2011-03-01&au=2011-03-31").get_data(as_text=True)
    assert "Du 1 mars 2011 au 31 mars 2011" in html
    assert _figure(html, "fig-participants") == "4"
    response = client.get("/bilan?du=2011-03-31&au=2011-03-01")
    assert response.status_code == 422
    assert "La fin de la période doit venir après son début." in response.get_data(as_text=True)
    response = client.get("/bilan?annee=abc")
    assert response.status_code == 422
    assert "Choisissez une année" in response.get_data(as_text=True)
    assert client.get("/bilan?du=pas-une-date").status_code == 422
    response = client.get("/bilan?du=2011-03-01")
    assert response.status_code == 422
    assert "Indiquez aussi la fin de la période." in response.get_data(as_text=True)
    assert 'value="2011-03-01"' in response.get_data(as_text=True)  # what was typed stays
    assert client.get("/bilan/inconnu.csv?annee=2011").status_code == 404
    assert client.get("/bilan?annee=2011&centre=999999").status_code == 404


def test_referent_sees_only_their_centre(app, client, auth):
    world = build_year()
    referent = make_referent(world.x)
    db.session.commit()
    auth.login(referent)
    # Whatever the URL says, the referent's bilan is their centre's.
    html = client.get(f"/bilan?annee=2011&centre={world.y.id}").get_data(as_text=True)
    assert "Bilan : Centre X" in html
    assert _figure(html, "fig-participants") == "2"
    assert "Centre Y" not in html
    rows = _csv(client.get("/bilan/participants-centre.csv?annee=2011"))
    assert rows[1:] == [["Centre X", "Le Blanc", "36", "oui", "2"]]
    workbook = load_workbook(io.BytesIO(client.get("/bilan.xlsx?annee=2011").data))
    sheets = dict(row for row in workbook["Bilan"].iter_rows(min_row=2, values_only=True))
    centres = list(workbook[sheets["Participants par centre social"]].iter_rows(values_only=True))
    assert centres[1:] == [("Centre X", "Le Blanc", "36", "oui", 2)]
    assert "Centre X" in workbook["Bilan"]["A1"].value


def test_referent_without_centre_is_refused(app, client, auth):
    referent = make_referent(None)
    db.session.commit()
    auth.login(referent)
    assert client.get("/bilan").status_code == 403


def test_coordinator_opens_a_centre_bilan(app, client, auth):
    world = build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/bilan?annee=2011").get_data(as_text=True)
    assert f"/bilan?centre={world.y.id}&amp;annee=2011" in html
    html = client.get(f"/bilan?annee=2011&centre={world.y.id}").get_data(as_text=True)
    assert "Bilan : Centre Y" in html
    assert _figure(html, "fig-participants") == "2"  # carol and eve


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_exports_hold_the_page_numbers(app, client, auth):
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    rows = _csv(client.get("/bilan/participants-categorie.csv?annee=2011"))
    assert rows == [
        ["Catégorie", "Participants"],
        ["Salarié·e", "1"],
        ["Bénévole", "2"],
        ["Élu·e / administrateur·rice", "1"],
        ["Partenaire", "1"],
    ]
    events = _csv(client.get("/bilan/evenements.csv?annee=2011"))
    assert [row[2] for row in events[1:]] == ["S1", "S2"]
    assert [row[4:6] for row in events[1:]] == [["2", "4"], ["1", "2"]]
    kinds = _csv(client.get("/bilan/offre-type.csv?annee=2011"))
    assert kinds[1] == ["Formation", "1", "1", "2", "6", "15"]


def test_xlsx_opens_and_matches_the_page(app, client, auth):
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    page = client.get("/bilan?annee=2011").get_data(as_text=True)
    response = client.get("/bilan.xlsx?annee=2011")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    assert "Bilan" in workbook.sheetnames
    summary = [row[0] for row in workbook["Bilan"].iter_rows(values_only=True)]
    assert "5 participants dont 1 salarié, 2 bénévoles, 1 élu et 1 partenaire" in summary[0]
    sheets = dict(row for row in workbook["Bilan"].iter_rows(min_row=3, values_only=True))
    categories = list(workbook[sheets["Participants par catégorie"]].iter_rows(values_only=True))
    assert categories[1:] == [
        ("Salarié·e", 1),
        ("Bénévole", 2),
        ("Élu·e / administrateur·rice", 1),
        ("Partenaire", 1),
    ]
    for label, value in categories[1:]:
        assert f'<th scope="row">{label}</th><td class="num">{value}</td>' in page
    offer = list(workbook["Offre par type"].iter_rows(values_only=True))
    assert offer[1] == ("Formation", 1, 1, 2, 6, 15)
    months = list(workbook["Heures par mois"].iter_rows(values_only=True))
    assert (datetime(2011, 3, 1), 6) in months  # a date cell, shown « mars 2011 »
    assert '<th scope="row">mars 2011</th>' in page
    # One sheet per table of the page and of its sessions' page (plus the summary).
    sessions = client.get("/bilan/sessions?annee=2011").get_data(as_text=True)
    tables = page.count('class="report-table"') + sessions.count('class="report-table"')
    assert len(workbook.sheetnames) == 1 + tables


def test_fixed_number_of_queries(app, client, auth, count_queries):
    world = build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    urls = [
        "/bilan?annee=2011",
        "/bilan.xlsx?annee=2011",
        f"/bilan?annee=2011&centre={world.x.id}",
        "/bilan/sessions?annee=2011",
    ]
    before = [count_queries.page(client, url) for url in urls]
    # Ten times the data: ten more years-worth of people, centres and sessions in 2011.
    for copy in range(1, 10):
        build_year(copy)
    db.session.commit()
    assert [count_queries.page(client, url) for url in urls] == before
    assert max(before) < 30, before


def test_home_has_a_bilan_link_for_managers(app, client, auth):
    centre = make_centre()
    referent = make_referent(centre)
    db.session.commit()
    auth.login(referent)
    assert 'href="/bilan"' in client.get("/").get_data(as_text=True)


def test_a_long_year_lists_the_first_sessions_only(app, client, auth, monkeypatch):
    from reseau.reports import queries

    monkeypatch.setattr(queries, "EVENT_LIMIT", 1)
    build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/bilan/sessions?annee=2011").get_data(as_text=True)
    assert "Les 1 premières des 2 sessions tenues." in html
    events = _csv(client.get("/bilan/evenements.csv?annee=2011"))
    assert [row[2] for row in events[1:]] == ["S1"]
