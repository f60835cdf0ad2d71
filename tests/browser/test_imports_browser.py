"""In a real browser, with and without JavaScript: a referent imports a file of people,
reads the preview, maps a column, confirms; a hostile or oversized file gets a French message."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from reseau.accounts.models import User, UserStatus
from reseau.core.extensions import db
from tests.factories import PASSWORD, make_centre, make_referent, make_trainer
from tests.imports.helpers import csv_bytes

pytestmark = pytest.mark.browser

ROWS = [
    ["Anne", "Durand", "anne@exemple.fr", "", "Bénévole", ""],
    ["Bruno", "Petit", "pas-une-adresse", "", "Bénévole", ""],
    ["Chloé", "Roux", "", "", "salariée", "animatrice"],
    ["Fanny", "Formatrice", "formatrice@exemple.fr", "", "Bénévole", ""],
]


@pytest.fixture
def referent(app):
    centre = make_centre(name="Centre social du Blanc", town="Le Blanc")
    user = make_referent(centre, first_name="Rita")
    make_trainer(centre=centre, email="formatrice@exemple.fr", last_name="Garde")
    values = {"email": user.email, "centre_id": centre.id}
    db.session.commit()
    return values


def log_in(page, email: str) -> None:
    page.goto("/connexion")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def centre_people(centre_id: int) -> dict[str, tuple]:
    try:
        rows = db.session.execute(
            sa.select(User.last_name, User.status, User.email).where(User.centre_id == centre_id)
        ).all()
        return {row.last_name: (row.status, row.email) for row in rows}
    finally:
        db.session.rollback()  # SQLite: end the read at once (see tests/browser/conftest.py)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_referent_imports_a_file(pages, referent, tmp_path, javascript):
    page = pages.open(javascript=javascript)
    log_in(page, referent["email"])
    page.goto("/personnes")
    page.get_by_role("button", name="Importer un fichier").click()
    expect(page.get_by_role("heading", name=re.compile("Importer des personnes"))).to_be_visible()
    path = tmp_path / "benevoles.csv"
    path.write_bytes(csv_bytes(ROWS, encoding="cp1252"))
    page.locator("#file").set_input_files(str(path))
    page.get_by_role("button", name="Voir l'aperçu").click()

    expect(page.get_by_role("heading", name="Aperçu de l'import")).to_be_visible()
    expect(page.locator("hgroup")).to_contain_text("lu en Windows-1252")
    expect(page.locator("#ligne-2")).to_contain_text("Créée")
    expect(page.locator("#ligne-3")).to_contain_text("Adresse e-mail invalide")
    expect(page.locator("#ligne-4")).to_contain_text("Chloé Roux")
    expect(page.locator("#ligne-5")).to_contain_text("seule la coordination")
    assert centre_people(referent["centre_id"]).keys() == {"Garde", page_referent_name(referent)}

    # Only the skipped rows, then all of them again.
    page.get_by_role("link", name="Ignorées").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    page.get_by_role("link", name="Toutes").click()
    expect(page.locator("tbody tr")).to_have_count(4)

    # A column not imported: the preview follows.
    page.locator("#col_5").select_option("")
    page.get_by_role("button", name="Mettre à jour l'aperçu").click()
    expect(page.locator("#col_5")).to_have_value("")
    page.locator("#invitations-1").check()  # « Plus tard »
    page.get_by_role("button", name="Importer 2 personnes").click()

    expect(page.locator("#messages")).to_contain_text("2 personne(s) créée(s)")
    expect(page).to_have_url(re.compile(r"/personnes\?centre="))
    expect(page.locator("h1")).to_have_count(1)
    people = centre_people(referent["centre_id"])
    assert people["Durand"] == (UserStatus.INVITED, "anne@exemple.fr")
    assert people["Roux"] == (UserStatus.GUEST, None)
    assert "Petit" not in people
    assert pages.console_errors(page) == []


def page_referent_name(referent) -> str:
    try:
        return db.session.scalar(sa.select(User.last_name).where(User.email == referent["email"]))
    finally:
        db.session.rollback()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_hostile_file_gets_a_french_message(pages, referent, tmp_path, javascript):
    page = pages.open(javascript=javascript)
    log_in(page, referent["email"])
    page.goto("/personnes/import")
    junk = tmp_path / "photo.csv"
    junk.write_bytes(bytes(range(256)) * 64)
    page.locator("#file").set_input_files(str(junk))
    page.get_by_role("button", name="Voir l'aperçu").click()
    expect(page.locator("#file-error")).to_contain_text("n'est pas un tableau lisible")
    expect(page.locator("#file")).to_have_attribute("aria-invalid", "true")

    big = tmp_path / "enorme.csv"
    big.write_bytes(b"Prenom;Nom\r\n" + b"Anne;Durand\r\n" * 900_000)  # 11 MB
    page.locator("#file").set_input_files(str(big))
    page.get_by_role("button", name="Voir l'aperçu").click()
    expect(page.get_by_text("Fichier trop volumineux")).to_be_visible()
    assert len(centre_people(referent["centre_id"])) == 2
    # (The browser logs the 422 and 413 answers it shows: no console check here.)
