"""The bilan of 2011 on the demo data gives the seeds' own figures, read from the page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from openpyxl import load_workbook

from devdata.demo import load_demo
from reseau.core.extensions import db
from tests.factories import make_coordinator


def _event_lines(html: str) -> list[str]:
    block = html[html.index('<ul class="events">') :]
    block = block[: block.index("</ul>")]
    return [re.sub(r"<[^>]+>", "", line).strip() for line in block.split("<li>")[1:]]


def _line(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.startswith(start))


def test_2011_report_reproduces_the_seeds(app, client, auth):
    load_demo(today=date(2026, 11, 22))
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/bilan/sessions?annee=2011").get_data(as_text=True)
    lines = _event_lines(html)
    assert (
        "27 centres sociaux, 48 participants dont 28 salariés, 12 bénévoles, 1 élu municipal et "
        "7 agents CAF" in _line(lines, "24 mars 2011 à Bourges")
    )
    assert "51 participants dont 22 salariés et 29 bénévoles" in _line(lines, "20 juin 2011")
    assert "21 centres sociaux," in _line(lines, "22 novembre 2011 à Orléans")
    assert "19 centres sociaux," in _line(lines, "9 juin 2011 à Saint-Jean-de-Braye")
    # The same figures in the events table, as downloaded.
    text = client.get("/bilan/evenements.csv?annee=2011").get_data(as_text=True)
    rows = {row[0]: row for row in csv.reader(io.StringIO(text[1:]), delimiter=";")}
    assert rows["24/03/2011"][4:] == ["27", "48", "28", "12", "1", "7"]
    assert rows["20/06/2011"][5:8] == ["51", "22", "29"]
    assert rows["22/11/2011"][4] == "21"
    assert rows["09/06/2011"][4] == "19"


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", match.group(1)).strip()


def test_2011_report_summary_by_kind_of_session(app, client, auth):
    """« 3 Rencontres régionales », « 30 Centres sociaux qui ont participé aux rencontres »,
    « 4 départements … journées départementales », « 1 élu municipal et 7 agents CAF »."""
    load_demo(today=date(2026, 11, 22))
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/bilan?annee=2011&type=rencontre_regionale").get_data(as_text=True)
    assert _text(html, "bilan-title") == "Année 2011 · Rencontres régionales"
    assert _text(html, "bilan-kind-summary") == (
        "3 rencontres régionales ; 30 centres sociaux qui ont participé aux rencontres."
    )
    assert _text(html, "fig-held") == "3"
    assert _text(html, "fig-centres") == "30"
    assert '<option selected value="rencontre_regionale">' in html
    sessions = client.get("/bilan/sessions?annee=2011&type=rencontre_regionale")
    lines = _event_lines(sessions.get_data(as_text=True))
    assert len(lines) == 3 and all("(rencontre régionale)" in line for line in lines)
    assert (
        "27 centres sociaux, 48 participants dont 28 salariés, 12 bénévoles, 1 élu municipal "
        "et 7 agents CAF" in _line(lines, "24 mars 2011 à Bourges")
    )
    # The sub-categories of the three days, in a table of their own (and its CSV).
    assert "1 élu municipal" in _text(html, "bilan-sub-summary")
    text = client.get("/bilan/participants-precision.csv?annee=2011&type=rencontre_regionale")
    rows = list(csv.reader(io.StringIO(text.get_data(as_text=True)[1:]), delimiter=";"))
    assert rows[0] == ["Catégorie", "Précision", "Participants"]
    counts = {(row[0], row[1]): int(row[2]) for row in rows[1:]}
    assert counts[("Élu·e / administrateur·rice", "élu municipal")] == 1
    assert counts[("Partenaire", "agent CAF")] >= 7
    # The workbook: the three days as date cells, the sub-categories in their own sheet.
    response = client.get("/bilan.xlsx?annee=2011&type=rencontre_regionale")
    workbook = load_workbook(io.BytesIO(response.data))
    days = [row[0] for row in workbook["Sessions une par une"].iter_rows(min_row=2)]
    assert [cell.value.date() for cell in days] == [
        date(2011, 3, 24), date(2011, 6, 9), date(2011, 11, 22)
    ]  # fmt: skip
    assert all(cell.number_format == "DD/MM/YYYY" for cell in days)
    sheet = workbook["Participants par précision"]
    assert ("Partenaire", "agent CAF", counts[("Partenaire", "agent CAF")]) in set(
        sheet.iter_rows(values_only=True)
    )
    assert "Rencontres régionales" in workbook["Bilan"]["A1"].value
    # The journées départementales of four départements (Loiret, Cher and Indre, Loir-et-Cher).
    html = client.get("/bilan?annee=2011&type=journee_departementale").get_data(as_text=True)
    assert _text(html, "bilan-kind-summary").startswith("3 journées départementales ; ")
    text = client.get("/bilan/participants-departement.csv?annee=2011&type=journee_departementale")
    rows = list(csv.reader(io.StringIO(text.get_data(as_text=True)[1:]), delimiter=";"))
    assert [row[0][:2] for row in rows[1:]] == ["18", "36", "41", "45"]


def test_the_bourges_day_alone_counts_1_elu_municipal_and_7_agents_caf(app, client, auth):
    load_demo(today=date(2026, 11, 22))
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/bilan?du=2011-03-24&au=2011-03-24").get_data(as_text=True)
    assert _text(html, "bilan-summary") == (
        "27 centres sociaux, 48 participants dont 28 salariés, 12 bénévoles, 1 élu et "
        "7 partenaires."
    )
    assert _text(html, "bilan-sub-summary") == "7 agents CAF et 1 élu municipal"


def test_needs_of_a_bilan_come_from_its_own_period(app, client, auth):
    """2011 had no diagnostic: its bilan says so instead of 0 % against this year's campaign;
    2012's measures its offer against the 2012 campaign (issue 23)."""
    load_demo(today=date(2026, 11, 22))
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    html = client.get("/bilan?annee=2011").get_data(as_text=True)
    assert 'id="no-campaign"' in html
    assert "2026" not in html.split('id="fig-needs"')[1].split("</article>")[0]
    assert "aucun diagnostic des besoins dans la période" in html
    html_2012 = client.get("/bilan?annee=2012").get_data(as_text=True)
    assert 'id="no-campaign"' not in html_2012
    assert "2012" in html_2012.split('id="fig-needs"')[1].split("</article>")[0]
