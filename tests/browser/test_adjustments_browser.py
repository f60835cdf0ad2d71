"""In a real browser (issue 18): a volunteer enrols with an adjustment request, JavaScript
off and on; the référente handicap reads it on a phone (390 px, no horizontal scroll) and
records what was arranged; the volunteer then reads the answer in "Mes formations"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from reseau.catalogue.models import PlaceAccessibility
from reseau.core.extensions import db
from tests.browser.conftest import page_width
from tests.factories import make_centre, make_disability_referent, make_session, make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
REQUEST = "Je me déplace en fauteuil : une table sans pied central, s'il vous plaît."


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "htmx"])
def test_enrol_with_a_request_then_the_answer(pages, app, log_in, javascript):
    centre = make_centre(name="Centre social du Blanc", address="1, rue Jean Giraudoux")
    db.session.add(PlaceAccessibility(centre_id=centre.id, step_free=True, hearing_loop=True))
    session = make_session(title="Les fondamentaux du centre social", host_centre=centre)
    volunteer = make_user(first_name="Martine", last_name="Robin")
    referent = make_disability_referent(first_name="Karima", last_name="Haddad")
    session_id = session.id
    session_url = f"/catalogue/sessions/{session_id}"
    emails = (volunteer.email, referent.email)
    db.session.commit()  # nothing read after this: the live server needs the write lock

    page = pages.open(javascript=javascript)
    log_in(page, emails[0])
    page.goto(session_url)
    main = page.get_by_role("main")
    expect(main).to_contain_text("Accès de plain-pied, accessible en fauteuil roulant")
    expect(main).to_contain_text("Besoin d'un aménagement ? Contactez Karima Haddad")
    box = page.locator(f"#inscription-{session_id}")
    box.get_by_label("Avez-vous besoin d'un aménagement ? (facultatif)").fill(REQUEST)
    box.get_by_role("button", name="M'inscrire").click()
    box = page.locator(f"#inscription-{session_id}")
    expect(box).to_contain_text("Inscription confirmée")
    expect(box).to_contain_text("Votre demande d'aménagement")
    expect(box).to_contain_text("une table sans pied central")

    reader = pages.open(javascript=javascript)
    reader.set_viewport_size(PHONE)
    log_in(reader, emails[1])
    reader.goto("/amenagements?etat=ouvertes")
    expect(reader.get_by_role("main")).to_contain_text("Martine Robin")
    expect(reader.get_by_role("main")).to_contain_text("une table sans pied central")
    assert page_width(reader) <= PHONE["width"]
    reader.get_by_role("link", name="Noter ce qui est prévu pour Martine Robin").click()
    assert page_width(reader) <= PHONE["width"]
    reader.get_by_label("Ce qui est prévu").fill("Table adaptée réservée dans la salle 2.")
    reader.get_by_role("button", name="Enregistrer").click()
    expect(reader).to_have_url(f"{pages.base_url}/amenagements")
    expect(reader.get_by_role("main")).to_contain_text("Aménagement prévu")
    assert page_width(reader) <= PHONE["width"]

    page.goto("/mes-formations")
    expect(page.get_by_role("main")).to_contain_text("Table adaptée réservée dans la salle 2.")
    for opened in (page, reader):
        assert pages.console_errors(opened) == []
