"""Take the README's screenshots: the demo data in a scratch SQLite database, served on a free
loopback port, photographed by Playwright in Debian's Chromium.

    .venv/bin/python docs/take_screenshots.py          # all of them
    .venv/bin/python docs/take_screenshots.py import   # only the people import's preview
    .venv/bin/python docs/take_screenshots.py open     # only issues 18 and 19's pages
    .venv/bin/python docs/take_screenshots.py fresh    # only issue 21's pages

Writes docs/screenshots/*.png; instance/ is not touched.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devdata.demo import load_demo  # noqa: E402
from reseau import create_app  # noqa: E402
from reseau.core.extensions import db  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


class QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass


def main(only: str | None = None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(
            {
                "SECRET_KEY": "screenshots",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/demo.sqlite",
                "MAIL_DIRECTORY": f"{scratch}/mail",
            }
        )
        with app.app_context():
            db.create_all()
            load_demo()
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        base_url = f"http://127.0.0.1:{server.port}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            if only == "import":
                shoot_import(base_url)
            elif only == "open":
                shoot_open_to_everyone(base_url)
            elif only == "fresh":
                shoot_fresh_figures(base_url)
            else:
                shoot(base_url)
                shoot_import(base_url)
                shoot_open_to_everyone(base_url)
                shoot_fresh_figures(base_url)
        finally:
            server.shutdown()
            with app.app_context():
                db.engine.dispose()


def shoot(base_url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="fr-FR")
        page = context.new_page()
        page.goto("/connexion")
        page.locator("#email").fill("coordination@demo.reseau.test")
        page.locator("#password").fill("demo")
        page.screenshot(path=OUT / "login.png")
        page.locator("#login-form button[type=submit]").click()
        page.get_by_role("button", name="Se déconnecter").wait_for()
        page.screenshot(path=OUT / "coordinator-home.png")
        page.goto("/admin/centres")
        page.screenshot(path=OUT / "centres.png")
        # Issue 17: a funder's report (FDVA 1, the 2012 cycles) and the evaluations of 2012.
        page.goto("/admin/financeurs")
        report = page.get_by_role("link", name="FDVA 1", exact=True).get_attribute("href")
        page.goto(f"{report}?du=2012-01-01&au=2012-12-31")
        page.screenshot(path=OUT / "funder-report.png", full_page=True)
        page.goto("/admin/evaluations?annee=2012")
        page.screenshot(path=OUT / "evaluations.png")
        shoot_figures(page)
        context.close()
        shoot_phone(browser, base_url)
        browser.close()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))


def _phone_login(browser, base_url: str, email: str):
    context = browser.new_context(
        base_url=base_url, viewport=PHONE, locale="fr-FR", device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.goto("/connexion")
    page.locator("#email").fill(email)
    page.locator("#password").fill("demo")
    page.locator("#login-form button[type=submit]").click()
    page.get_by_role("button", name="Se déconnecter").wait_for()
    return context, page


def shoot_phone(browser, base_url: str) -> None:
    """The volunteer's and the trainer's pages at 390 px, as on a phone."""
    context, page = _phone_login(browser, base_url, "benevole@demo.reseau.test")
    page.screenshot(path=OUT / "phone-volunteer-home.png")
    page.goto("/mes-formations")
    page.screenshot(path=OUT / "phone-volunteer-enrolments.png")
    context.close()
    context, page = _phone_login(browser, base_url, "formatrice@demo.reseau.test")
    page.goto("/mes-sessions")
    page.locator("main a[href^='/mes-sessions/seances/']").first.click()
    page.locator(".roster").wait_for()
    page.screenshot(path=OUT / "phone-trainer-roster.png")
    context.close()


def shoot_figures(page) -> None:
    """The 2011 rencontres régionales in the bilan, and the invitation form's « Précision »."""
    page.goto("/bilan?annee=2011&type=rencontre_regionale")
    page.screenshot(path=OUT / "bilan-rencontres-2011.png")
    page.goto("/personnes/nouvelle")
    page.locator("#category").select_option("partenaire")
    page.locator("#sub_category").fill("agent")
    page.locator("#sub_category").focus()
    page.evaluate("document.querySelector('#email').scrollIntoView()")
    page.screenshot(path=OUT / "person-sub-category.png")


def shoot_open_to_everyone(base_url: str) -> None:
    """Issues 18 and 19: the complaint form and a parcours on a phone, the register, the
    adjustment requests, the programme on a session page, adhésions and valorisation."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=base_url, viewport=PHONE, locale="fr-FR", device_scale_factor=2
        )
        page = context.new_page()
        page.goto("/reclamation")
        page.screenshot(path=OUT / "phone-complaint-form.png")
        context.close()
        context, page = _phone_login(browser, base_url, "benevole@demo.reseau.test")
        page.goto("/mon-parcours")
        page.screenshot(path=OUT / "phone-parcours.png")
        context.close()
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="fr-FR")
        page = context.new_page()
        _desktop_login(page, "handicap@demo.reseau.test")
        page.goto("/amenagements")
        page.screenshot(path=OUT / "adjustment-requests.png")
        context.close()
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="fr-FR")
        page = context.new_page()
        _desktop_login(page, "coordination@demo.reseau.test")
        page.goto("/admin/reclamations")
        page.screenshot(path=OUT / "complaints-register.png")
        page.goto("/admin/adhesions?annee=2011")
        page.screenshot(path=OUT / "adhesions-2011.png")
        page.goto("/valorisation?annee=2012")
        page.screenshot(path=OUT / "valorisation-2012.png")
        page.goto("/catalogue")
        links = page.locator("main a[href^='/catalogue/sessions/']")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        for href in hrefs:  # the first session of a module with its programme
            page.goto(href)
            if page.locator("#programme").count():
                page.locator("#programme").scroll_into_view_if_needed()
                page.screenshot(path=OUT / "session-programme.png")
                break
        browser.close()


def shoot_fresh_figures(base_url: str) -> None:
    """Issue 21: the bilan's sessions on their own page, a referent's adhésion, the catalogue
    filtered to places a wheelchair can enter."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="fr-FR")
        page = context.new_page()
        _desktop_login(page, "coordination@demo.reseau.test")
        page.goto("/bilan/sessions?annee=2011")
        page.screenshot(path=OUT / "bilan-sessions-2011.png")
        context.close()
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="fr-FR")
        page = context.new_page()
        _desktop_login(page, "referent@demo.reseau.test")
        page.goto("/mon-centre/adhesion?annee=2011")
        page.screenshot(path=OUT / "referent-adhesion-2011.png")
        context.close()
        context = browser.new_context(
            base_url=base_url, viewport=PHONE, locale="fr-FR", device_scale_factor=2
        )
        page = context.new_page()
        page.goto("/catalogue?fauteuil=1")
        page.screenshot(path=OUT / "phone-catalogue-wheelchair.png")
        browser.close()


def _desktop_login(page, email: str) -> None:
    page.goto("/connexion")
    page.locator("#email").fill(email)
    page.locator("#password").fill("demo")
    page.locator("#login-form button[type=submit]").click()
    page.get_by_role("button", name="Se déconnecter").wait_for()


IMPORT_FILE = (
    "Prénom;Nom;Courriel;Tél.;Catégorie;Fonction\r\n"
    "Camille;Martin;camille.martin@exemple.fr;06 12 34 56 78;Bénévole;\r\n"
    "Karim;Benali;;;élu;élu municipal\r\n"
    "Inès;Moreau;ines.moreau@exemple;;Bénévole;\r\n"
    "Louise;Garnier;louise.garnier@exemple.fr;;Salariée;animatrice\r\n"
    "Camille;Martin;camille.martin@exemple.fr;;Bénévole;\r\n"
    "Paul;Roy;paul.roy@exemple.fr;;astronaute;\r\n"
)


def shoot_import(base_url: str) -> None:
    """The referent's preview of a small file: created, skipped rows with their reasons."""
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as scratch:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="fr-FR")
        page = context.new_page()
        page.goto("/connexion")
        page.locator("#email").fill("referent@demo.reseau.test")
        page.locator("#password").fill("demo")
        page.locator("#login-form button[type=submit]").click()
        page.get_by_role("button", name="Se déconnecter").wait_for()
        path = Path(scratch) / "benevoles.csv"
        path.write_bytes(IMPORT_FILE.encode("cp1252"))
        page.goto("/personnes/import")
        page.locator("#file").set_input_files(str(path))
        page.get_by_role("button", name="Voir l'aperçu").click()
        page.get_by_role("heading", name="Aperçu de l'import").wait_for()
        page.screenshot(path=OUT / "import-preview.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
