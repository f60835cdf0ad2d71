"""The bilan of 2011 on the demo data gives the seeds' own figures, read from the page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

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
    html = client.get("/bilan?annee=2011").get_data(as_text=True)
    lines = _event_lines(html)
    assert (
        "27 centres sociaux, 48 participants dont 28 salariés, 12 bénévoles, 1 élu et 7 partenaires"
        in _line(lines, "24 mars 2011 à Bourges")
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
