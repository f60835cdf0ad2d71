"""Issue 23: the bilan of one kind of session (a GET filter form), and participants by
sub-category (« 1 élu municipal et 7 agents CAF »), on the hand-computed year of fixtures.py."""

from __future__ import annotations

import csv
import io
import re

import pytest

from reseau.accounts.models import Category
from reseau.attendance import rollups
from reseau.catalogue.models import SessionKind
from reseau.core.extensions import db
from reseau.core.periods import Period
from reseau.reports.queries import build_bilan, sub_categories
from reseau.reports.wording import participants_sentence, sub_category_plural
from tests.factories import make_coordinator
from tests.reports.fixtures import build_year


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", match.group(1)).strip()


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:]), delimiter=";"))


@pytest.fixture
def coordinator_in(client, auth):
    world = build_year()
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    return world


def test_a_kind_scope_counts_only_its_sessions(app):
    build_year()
    db.session.commit()
    meeting = build_bilan(Period.year(2011, kind=SessionKind.RENCONTRE_REGIONALE))
    assert (meeting.total.held, meeting.total.cancelled, meeting.total.hours) == (1, 0, 2.0)
    assert meeting.participants == 2  # alice and dan
    assert [c.name for c in meeting.centres] == ["Centre X"]
    assert [e.session.title for e in meeting.events] == ["S2"]
    assert meeting.feedback_count == 1
    training = build_bilan(Period.year(2011, kind=SessionKind.FORMATION))
    assert (training.total.held, training.total.cancelled, training.total.hours) == (1, 1, 6.0)
    assert training.participants == 4  # alice, bob, carol, eve
    assert (training.no_shows, training.waitlisted) == (1, 1)
    days = build_bilan(Period.year(2011, kind=SessionKind.JOURNEE_DEPARTEMENTALE))
    assert (days.total.held, days.participants, days.centres) == (0, 0, [])


def test_the_kind_filter_on_the_page_and_its_downloads(client, coordinator_in):
    html = client.get("/bilan?annee=2011&type=rencontre_regionale").get_data(as_text=True)
    assert _text(html, "bilan-title") == "Année 2011 · Rencontres régionales"
    assert _text(html, "bilan-kind-summary") == (
        "1 rencontre régionale ; 1 centre social qui a participé à la rencontre."
    )
    assert _text(html, "fig-held") == "1" and _text(html, "fig-participants") == "2"
    assert '<label for="type">Type de session</label>' in html
    assert '<option selected value="rencontre_regionale">' in html
    # The year links, the range form and the downloads keep the kind.
    assert "/bilan?annee=2012&amp;type=rencontre_regionale" in html
    assert '<input type="hidden" name="type" value="rencontre_regionale">' in html
    assert "/bilan.xlsx?annee=2011&amp;type=rencontre_regionale" in html
    events = _csv(client.get("/bilan/evenements.csv?annee=2011&type=rencontre_regionale"))
    assert [row[2] for row in events[1:]] == ["S2"]
    response = client.get("/bilan.xlsx?annee=2011&type=rencontre_regionale")
    assert "bilan-2011-rencontre-regionale-tableaux.xlsx" in response.headers["Content-Disposition"]
    # A date range keeps it too.
    html = client.get("/bilan?du=2011-01-01&au=2011-06-30&type=formation").get_data(as_text=True)
    assert _text(html, "bilan-kind-summary").startswith("1 formation ; 2 centres sociaux")


def test_the_kind_filter_with_htmx_answers_the_fragment(client, coordinator_in, htmx_headers):
    response = client.get("/bilan?annee=2011&type=formation", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="bilan"')
    assert '<option selected value="formation">' in html  # the forms, out of band


@pytest.mark.parametrize(
    "query",
    [
        "type=inconnu",
        "type=" + "x" * 5000,
        "type=FORMATION",
        "type=%C3%A9",
    ],
)
def test_a_bad_kind_is_said_next_to_the_field(client, coordinator_in, query):
    response = client.get(f"/bilan?annee=2011&{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choisissez un type de session dans la liste." in html
    assert 'aria-describedby="type-error"' in html
    assert _text(html, "fig-held") == "2"  # every kind, as without the filter
    assert client.get(f"/bilan/evenements.csv?annee=2011&{query}").status_code == 200
    assert client.get(f"/bilan.xlsx?annee=2011&{query}").status_code == 200


@pytest.mark.parametrize(
    ("query", "held"),
    [("type[]=formation", "2"), ("type=formation&type=inconnu", "1"), ("type=", "2")],
)
def test_odd_kind_parameters_never_break_the_page(client, coordinator_in, query, held):
    response = client.get(f"/bilan?annee=2011&{query}")
    assert response.status_code == 200
    assert _text(response.get_data(as_text=True), "fig-held") == held
    assert client.get("/bilan?annee=2011&type=%00").status_code < 500


def _give_sub_categories(world) -> None:
    world.people["carol"].sub_category = "élu municipal"
    world.people["dan"].sub_category = "agent CAF"
    db.session.flush()
    rollups.refresh_person(world.people["carol"].id)  # written directly: count them again
    rollups.refresh_person(world.people["dan"].id)
    db.session.commit()


def test_sub_categories_by_period_and_event(app):
    world = build_year()
    _give_sub_categories(world)
    scope = Period.year(2011)
    s1, s2 = world.sessions["s1"].id, world.sessions["s2"].id
    subs = sub_categories(scope, [s1, s2])
    assert subs.period == {
        (Category.BENEVOLE, ""): 2,
        (Category.SALARIE, ""): 1,
        (Category.ELU, "élu municipal"): 1,
        (Category.PARTENAIRE, "agent CAF"): 1,
    }
    assert subs.named() == {"élu municipal": 1, "agent CAF": 1}
    assert subs.event(s2)[Category.PARTENAIRE] == {"agent CAF": 1}
    assert subs.event(s2)[Category.BENEVOLE] == {}  # nobody said: no detail
    assert subs.event(s1)[Category.ELU] == {"élu municipal": 1}


def test_the_page_names_the_sub_categories(client, coordinator_in):
    _give_sub_categories(coordinator_in)
    html = client.get("/bilan?annee=2011").get_data(as_text=True)
    assert _text(html, "bilan-sub-summary") == "1 agent CAF et 1 élu municipal"
    html = client.get("/bilan/sessions?annee=2011").get_data(as_text=True)
    block = html[html.index('<ul class="events">') :]
    lines = [re.sub(r"<[^>]+>", "", li) for li in block[: block.index("</ul>")].split("<li>")]
    assert any("2 centres sociaux, 4 participants dont 1 salarié, 2 bénévoles et 1 élu municipal"
               in line for line in lines)  # fmt: skip
    assert any("1 centre social, 2 participants dont 1 bénévole et 1 agent CAF" in line
               for line in lines)  # fmt: skip
    rows = _csv(client.get("/bilan/participants-precision.csv?annee=2011"))
    assert rows == [
        ["Catégorie", "Précision", "Participants"],
        ["Salarié·e", "(sans précision)", "1"],
        ["Bénévole", "(sans précision)", "2"],
        ["Élu·e / administrateur·rice", "élu municipal", "1"],
        ["Partenaire", "agent CAF", "1"],
    ]


def test_without_any_sub_category_the_section_stays_out(client, coordinator_in):
    html = client.get("/bilan?annee=2011").get_data(as_text=True)
    assert 'id="bilan-sub-categories"' not in html


def test_sub_category_wording():
    assert sub_category_plural("agent CAF") == "agents CAF"
    assert sub_category_plural("élu municipal") == "élus municipaux"
    assert sub_category_plural("agent de la collectivité") == "agents de la collectivité"
    assert sub_category_plural("administrateur·rice") == "administrateur·rices"
    by_category = {Category.SALARIE: 3, Category.ELU: 5}
    subs = {Category.ELU: {"administrateur·rice": 2, "": 3}}
    assert participants_sentence(None, by_category, subs) == (
        "8 participants dont 3 salariés et 5 élus (dont 2 administrateur·rices)"
    )
