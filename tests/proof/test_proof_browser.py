"""In a real browser at phone size (390×844): a participant signs with the pad on the
trainer's phone (JavaScript on), another with the typed name (JavaScript off), signing is
refused outside the window, and the trainer validates and seals the sheet."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from reseau.core.extensions import db
from reseau.proof.models import SealedSheet, SeanceSignature
from reseau.proof.signatures import drawing_of
from tests.attendance.helpers import running_session
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _open(pages, email, *, javascript=True):
    page = pages.open(javascript=javascript)
    page.set_viewport_size(PHONE)
    page.goto("/connexion")
    form = page.locator("#login-form")
    form.locator("#email").fill(email)
    form.locator("#password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_attached()
    return page


def _draw(page, selector="canvas.signature-canvas"):
    box = page.locator(selector).bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 30)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(box["x"] + 20 + step * 10, box["y"] + 30 + (step % 5) * 12)
    page.mouse.up()


def test_sign_with_the_pad_then_validate_and_seal(pages, app):
    session, trainer, people = running_session(people=2, title="Accueillir les bénévoles")
    seance_id, email = session.seances[0].id, trainer.email
    first, second = people[0].id, people[1].id
    trainer_name = trainer.full_name
    db.session.commit()

    page = _open(pages, email)
    page.goto(f"/mes-sessions/seances/{seance_id}")
    page.get_by_role("button", name="Faire signer").click()
    expect(page.get_by_role("heading", name="Faire signer")).to_be_visible()
    page.locator(f"#signer-{first} a").click()
    expect(page.locator("canvas.signature-canvas")).to_be_visible()
    _draw(page)
    page.get_by_role("button", name="Signer").click()
    expect(page.locator(f"#signer-{first}")).to_contain_text("signé à")
    expect(page.locator(f"#signer-{second}")).to_contain_text("à signer")

    page.get_by_role("button", name="Valider la feuille d'émargement").click()
    expect(page.get_by_text("1 signature sur 2 personnes")).to_be_visible()
    _draw(page)
    page.get_by_text("Je certifie l'exactitude de cette feuille d'émargement").click()
    page.get_by_role("button", name="Valider et sceller la feuille").click()
    expect(page.get_by_role("heading", name="Feuille d'émargement scellée")).to_be_visible()
    expect(page.locator("#versions tbody tr")).to_have_count(1)
    assert pages.console_errors(page) == []

    signature = db.session.scalar(
        sa.select(SeanceSignature).where(SeanceSignature.person_id == first)
    )
    drawing = drawing_of(signature.svg)
    assert drawing is not None and sum(len(s) for s in drawing.strokes) >= 8
    sheet = db.session.scalar(sa.select(SealedSheet).where(SealedSheet.seance_id == seance_id))
    assert sheet.version == 1
    assert trainer_name in sheet.content_json and "<svg" in sheet.content_json
    db.session.rollback()


def test_sign_with_the_typed_name_without_javascript(pages, app):
    session, trainer, people = running_session(people=1)
    seance_id, email = session.seances[0].id, trainer.email
    person_id, name = people[0].id, people[0].full_name
    db.session.commit()

    page = _open(pages, email, javascript=False)
    page.goto(f"/mes-sessions/seances/{seance_id}/faire-signer")
    page.locator(f"#signer-{person_id} a").click()
    expect(page.locator("[data-signature-pad]")).to_be_hidden()
    page.get_by_label("Ou, sans dessiner : votre nom et prénom").fill(name)
    page.get_by_label("Je certifie avoir été présent·e").check()
    page.get_by_role("button", name="Signer").click()
    expect(page.locator(f"#signer-{person_id}")).to_contain_text("signé à")
    signature = db.session.scalar(
        sa.select(SeanceSignature).where(SeanceSignature.person_id == person_id)
    )
    assert signature.typed_name == name and signature.svg == ""
    db.session.rollback()


def test_signing_is_refused_outside_the_window(pages, app):
    session, trainer, people = running_session(people=1, starts_in=timedelta(hours=3))
    seance_id, email, person_id = session.seances[0].id, trainer.email, people[0].id
    db.session.commit()

    page = _open(pages, email)
    page.goto(f"/mes-sessions/seances/{seance_id}/faire-signer")
    expect(page.get_by_role("alert")).to_contain_text("La signature n'est possible que du")
    expect(page.locator(f"#signer-{person_id} a")).to_have_count(0)
    page.goto(f"/mes-sessions/seances/{seance_id}/faire-signer/{person_id}")
    expect(page.locator("#window-closed")).to_be_visible()
    expect(page.get_by_role("button", name="Signer")).to_have_count(0)
