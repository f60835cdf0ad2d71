"""The funder report against the hand-computed year of tests/reports/fixtures.py.

FDVA 1 (12 volunteers at least, volunteers only) pays for S1, S2, S3 (cancelled) and S4
(draft); FOSFORA for S1 only. By hand, FDVA 2011: sessions held S1 and S2 (S3 cancelled,
S4 a draft never counts); days 2 + 1 = 3; hours 6 + 2 = 8; people alice, bob, carol, eve
(S1) and alice, dan (S2): 5 distinct, 2 bénévoles (alice, eve), 1 salarié, 1 élue,
1 partenaire; trainee-hours 6 + 3 + 3 + 3 + 2 + 2 = 19, volunteers' 6 + 3 + 2 = 11;
centres X (member) and Y (not), dan outside the network; attendance 6 of 10 (60 %);
satisfaction 5, 4, 3 (4.0); granted 1000 + 800; both held sessions under 12 volunteers.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest

from reseau.accounts.models import Category
from reseau.core.extensions import db
from reseau.core.periods import Period
from reseau.funding.models import Funder, SessionFunding
from reseau.funding.operations import ensure_default_funders
from reseau.funding.queries import funder_report, funders_summary
from tests.factories import make_coordinator
from tests.reports.fixtures import at, build_year


@pytest.fixture
def year(app):
    world = build_year()
    fdva = Funder(name="FDVA 1", min_group_size=12, volunteers_only=True)
    fosfora = Funder(name="FOSFORA (FCSF)")
    db.session.add_all([fdva, fosfora])
    db.session.flush()
    s = world.sessions
    amounts = {"s1": (1200, 1000), "s2": (900, 800), "s3": (500, None), "s4": (None, None)}
    for key, (asked, granted) in amounts.items():
        db.session.add(
            SessionFunding(
                session_id=s[key].id, funder_id=fdva.id, amount_asked=asked, amount_granted=granted
            )
        )
    db.session.add(SessionFunding(session_id=s["s1"].id, funder_id=fosfora.id))
    db.session.add(SessionFunding(session_id=s["s0"].id, funder_id=fdva.id))  # 2010
    db.session.flush()
    world.fdva, world.fosfora = fdva, fosfora
    return world


def test_fdva_figures_match_the_hand_computed_year(year):
    report = funder_report(year.fdva, Period.year(2011, now=at(2026, 1, 1)))
    assert [line.session.title for line in report.lines] == ["S1", "S2", "S3"]
    assert (report.sessions, report.cancelled) == (2, 1)
    assert (report.days, report.hours) == (3, 8.0)
    assert report.people == 5
    assert report.by_category == {
        Category.BENEVOLE: 2, Category.SALARIE: 1, Category.ELU: 1, Category.PARTENAIRE: 1,
    }  # fmt: skip
    assert report.volunteers == 2
    assert report.trainee_hours == 19.0
    assert report.volunteer_trainee_hours == 11.0
    assert (report.member_centres, report.other_centres, report.outside_network) == (1, 1, 1)
    assert (report.attended, report.expected, report.attendance_percent) == (6, 10, 60)
    assert (report.satisfaction_count, report.satisfaction_average) == (3, 4.0)
    assert (report.amount_asked, report.amount_granted) == (2600, 1800)
    lines = {line.session.title: line for line in report.lines}
    assert (lines["S1"].people, lines["S1"].volunteers, lines["S1"].trainee_hours) == (4, 2, 15.0)
    assert (lines["S2"].days, lines["S2"].hours, lines["S2"].people) == (1, 2.0, 2)


UNSEALED = "Feuilles d'émargement non scellées"


def _group_warnings(report) -> list:
    """The report's warnings but the sealing one (tested on its own below)."""
    return [(line, text) for line, text in report.warnings if text != UNSEALED]


def test_the_minimum_group_size_is_flagged_per_held_session(year):
    report = funder_report(year.fdva, Period.year(2011, now=at(2026, 1, 1)))
    warnings = {line.session.title: text for line, text in _group_warnings(report)}
    assert warnings == {
        "S1": "2 bénévoles pour un minimum de 12 par groupe",
        "S2": "1 bénévole pour un minimum de 12 par groupe",
    }
    # A funder of everyone counts everyone: S1 had 4 people, S2 only 2.
    year.fdva.volunteers_only = False
    year.fdva.min_group_size = 3
    report = funder_report(year.fdva, Period.year(2011, now=at(2026, 1, 1)))
    assert [(line.session.title, text) for line, text in _group_warnings(report)] == [
        ("S2", "2 participant·es pour un minimum de 3 par groupe")
    ]


def test_held_sessions_without_sealed_sheets_are_flagged(year):
    from reseau.proof.models import SealedSheet

    report = funder_report(year.fdva, Period.year(2011, now=at(2026, 1, 1)))
    held = sorted(line.session.title for line in report.lines if line.held)
    assert sorted(line.session.title for line, text in report.warnings if text == UNSEALED) == held
    # Every séance of S1 sealed: only the other held sessions stay flagged.
    s1 = next(line.session for line in report.lines if line.session.title == "S1")
    for seance in s1.seances:
        db.session.add(
            SealedSheet(
                seance_id=seance.id,
                content_sha256="0" * 64,
                file_sha256="0" * 64,
                keep_until=date(2032, 12, 31),
            )
        )
    db.session.flush()
    report = funder_report(year.fdva, Period.year(2011, now=at(2026, 1, 1)))
    flagged = sorted(line.session.title for line, text in report.warnings if text == UNSEALED)
    assert flagged == [title for title in held if title != "S1"] and "S1" in held


def test_a_funder_without_minimum_has_no_warning_and_counts_its_own_sessions(year):
    report = funder_report(year.fosfora, Period.year(2011, now=at(2026, 1, 1)))
    assert (report.sessions, report.people, report.trainee_hours) == (1, 4, 15.0)
    assert _group_warnings(report) == []
    assert (report.member_centres, report.other_centres, report.outside_network) == (1, 1, 0)


def test_the_period_selects_the_sessions(year):
    report = funder_report(year.fdva, Period.year(2010, now=at(2026, 1, 1)))
    assert [line.session.title for line in report.lines] == ["S0"]
    assert report.people == 1


def test_the_bilan_summary_has_one_line_per_funder(year):
    summary = {line.funder.name: line for line in funders_summary(*_year_bounds(2011))}
    assert set(summary) == {"FDVA 1", "FOSFORA (FCSF)"}
    assert (summary["FDVA 1"].sessions, summary["FDVA 1"].people) == (2, 5)
    assert summary["FDVA 1"].amount_granted == 1800


def _year_bounds(year):
    period = Period.year(year)
    return period.start, period.end


def test_default_funders_are_created_once(app):
    assert ensure_default_funders() == 6
    assert ensure_default_funders() == 0
    fdva = db.session.scalar(db.select(Funder).where(Funder.name == "FDVA 1"))
    assert (fdva.min_group_size, fdva.volunteers_only) == (12, True)


def test_report_page_and_downloads(year, client, auth):
    coordinator = make_coordinator()
    db.session.commit()
    auth.login(coordinator)
    url = f"/admin/financeurs/{year.fdva.id}?du=2011-01-01&au=2011-12-31"
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="fr-people">5<' in page.text
    assert "2 bénévoles pour un minimum de 12 par groupe" in page.text
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="funder-report"')

    xlsx = client.get(f"/admin/financeurs/{year.fdva.id}/rapport.xlsx?du=2011-01-01&au=2011-12-31")
    assert xlsx.headers["Cache-Control"] == "no-store"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    figures = {row[0]: row[1] for row in book["Synthèse"].iter_rows(min_row=3, values_only=True)}
    assert figures["Personnes formées"] == 5
    assert figures["Heures-stagiaires"] == 19.0
    assert [r[0] for r in book["Sessions"].iter_rows(min_row=2, values_only=True)] == [
        "S1", "S2", "S3",
    ]  # fmt: skip

    pdf = client.get(f"/admin/financeurs/{year.fdva.id}/rapport.pdf?du=2011-01-01&au=2011-12-31")
    assert pdf.data.startswith(b"%PDF")

    archive = client.get(
        f"/admin/financeurs/{year.fdva.id}/feuilles-emargement.zip?du=2011-01-01&au=2011-12-31"
    )
    assert archive.headers["Cache-Control"] == "no-store"
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    # S1's two séances and S2's scheduled one (its second was cancelled).
    assert len(names) == 3 and all(name.endswith(".pdf") for name in names)


def test_a_wrong_period_is_said_next_to_the_field(year, client, auth):
    auth.login(make_coordinator())
    db.session.commit()
    answer = client.get(f"/admin/financeurs/{year.fdva.id}?du=2011-05-01&au=2011-01-01")
    assert answer.status_code == 422
    assert "La fin de la période doit venir après son début." in answer.text
    assert client.get(f"/admin/financeurs/{year.fdva.id}?du=pas-une-date").status_code == 422


def test_the_bilan_shows_the_par_financeur_section(year, client, auth):
    auth.login(make_coordinator())
    db.session.commit()
    page = client.get("/bilan?annee=2011")
    assert page.status_code == 200
    assert 'id="par-financeur"' in page.text
    url = "/admin/financeurs/bilan?du=2011-01-01&amp;au=2011-12-31"
    assert f'data-hx-get="{url}"' in page.text and f'href="{url}"' in page.text
    table = client.get(url.replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert table.text.startswith('<div id="bilan-funders">')
    assert "FOSFORA (FCSF)" in table.text and "FDVA 1" in table.text
    assert client.get(url.replace("&amp;", "&")).status_code == 200
