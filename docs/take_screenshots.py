"""Take the README's screenshots: the demo data in a scratch SQLite database, served on a free
loopback port, photographed by Playwright in Debian's Chromium.

    .venv/bin/python docs/take_screenshots.py

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


class QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass


def main() -> None:
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
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        base_url = f"http://127.0.0.1:{server.port}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            shoot(base_url)
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
        # The volunteer's home page on a phone: what waits for them (issue 23).
        phone = browser.new_context(
            base_url=base_url, viewport={"width": 390, "height": 844}, locale="fr-FR"
        ).new_page()
        phone.goto("/connexion")
        phone.locator("#email").fill("benevole@demo.reseau.test")
        phone.locator("#password").fill("demo")
        phone.locator("#login-form button[type=submit]").click()
        phone.locator("#todo").wait_for()
        phone.screenshot(path=OUT / "volunteer-home-phone.png", full_page=True)
        browser.close()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
