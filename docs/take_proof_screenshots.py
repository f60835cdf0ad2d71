"""Take the README's pictures of proof: a sealed sign-in sheet (the PDF rendered by pdftoppm)
and the signature pad on a phone (Playwright in Debian's Chromium), from a scratch SQLite
database with a few people who sign.

    .venv/bin/python docs/take_proof_screenshots.py

Writes docs/screenshots/sealed-sheet.png and docs/screenshots/signature-pad-phone.png.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reseau import create_app  # noqa: E402
from reseau.accounts.models import Category, Centre, Department, Role, User, UserStatus  # noqa: E402
from reseau.catalogue.models import Seance, SessionStatus, TrainingSession  # noqa: E402
from reseau.core.database import utcnow  # noqa: E402
from reseau.core.extensions import db  # noqa: E402
from reseau.enrolment.models import Enrolment, EnrolmentStatus  # noqa: E402
from reseau.proof import operations  # noqa: E402
from reseau.proof.models import SealedSheet, SignatureWay  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "Demo-signature-2026"  # noqa: S105 (a scratch database)
PEOPLE = (
    ("Nadia", "Benali", Category.BENEVOLE),
    ("Julien", "Carré", Category.SALARIE),
    ("Odile", "Fontaine", Category.ELU),
    ("Karim", "Haddad", Category.BENEVOLE),
    ("Sylvie", "Lemoine", Category.PARTENAIRE),
)


def scribble(seed: int) -> str:
    """A signature-like path: a few loops, then an underline."""
    points = []
    for step in range(60):
        t = step / 59
        x = 20 + 240 * t
        y = 60 + 28 * math.sin(t * (7 + seed) + seed) * math.cos(t * 3 + seed / 2)
        points.append(f"{'M' if step == 0 else 'L'}{x:.1f} {y:.1f}")
    points.append(f"M{30 + seed * 3} 100 L{200 + seed * 8} {96 - seed}")
    return " ".join(points)


def build(app):
    cher = Department(code="18", name="Cher")
    centre = Centre(name="Centre social « Les Œillets »", town="Bourges", department=cher)
    trainer = User(
        email="formatrice@example.org",
        first_name="Sophie",
        last_name="Durand",
        category=Category.SALARIE,
        status=UserStatus.ACTIVE,
    )
    trainer.set_password(PASSWORD)
    trainer.set_roles([Role.TRAINER])
    start = (utcnow() - timedelta(minutes=20)).replace(second=0, microsecond=0)
    session = TrainingSession(
        title="La fonction employeur",
        status=SessionStatus.PUBLISHED,
        place_name="Centre social « Les Œillets »",
        town="Bourges",
    )
    session.seances.append(Seance(starts_at=start, ends_at=start + timedelta(hours=3)))
    session.sync_dates()
    session.trainers.append(trainer)
    db.session.add_all([centre, trainer, session])
    people = []
    for first, last, category in PEOPLE:
        person = User(
            email=f"{first.lower()}@example.org",
            first_name=first,
            last_name=last,
            centre=centre,
            category=category,
            status=UserStatus.ACTIVE,
        )
        person.set_password(PASSWORD)
        person.set_roles([Role.PARTICIPANT])
        db.session.add(person)
        db.session.add(Enrolment(session=session, person=person, status=EnrolmentStatus.CONFIRMED))
        people.append(person)
    db.session.flush()
    seance = session.seances[0]
    for index, person in enumerate(people[:4]):
        given = operations.SignatureInput(path=scribble(index), width=300, height=120)
        if index == 2:
            given = operations.SignatureInput(typed_name=person.full_name, certified=True)
        operations.sign(
            seance,
            person,
            given,
            way=SignatureWay.OWN_DEVICE if index % 2 else SignatureWay.TRAINER_DEVICE,
            actor=person if index % 2 else trainer,
            arrived_at=seance.starts_at + timedelta(minutes=15) if index == 3 else None,
        )
    db.session.commit()
    return session, seance, trainer, people


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/proof.sqlite",
                "SECRET_KEY": "screenshots",
                "MAIL_DIRECTORY": f"{scratch}/mail",
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            db.create_all()
            session, seance, trainer, people = build(app)
            ids = seance.id, trainer.id, people[4].id
            # SQLite: the server's requests need the write lock this session would hold.
            db.session.close()
            phone(app, f"/mes-sessions/seances/{ids[0]}/faire-signer/{ids[2]}")
            seance, trainer = db.session.get(Seance, ids[0]), db.session.get(User, ids[1])
            operations.seal(
                seance,
                actor=trainer,
                certified=True,
                given=operations.SignatureInput(path=scribble(9), width=300, height=120),
            )
            db.session.commit()
            sheet = db.session.query(SealedSheet).one()
            pdf = Path(scratch) / "sheet.pdf"
            pdf.write_bytes(sheet.pdf)
            subprocess.run(  # noqa: S603
                [
                    "/usr/bin/pdftoppm",
                    "-png",
                    "-r",
                    "90",
                    "-singlefile",
                    str(pdf),
                    str(OUT / "sealed-sheet"),
                ],
                check=True,
            )
            db.engine.dispose()
    print("docs/screenshots/sealed-sheet.png, docs/screenshots/signature-pad-phone.png")


def phone(app, url: str) -> None:
    from playwright.sync_api import sync_playwright

    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            page = browser.new_page(
                viewport={"width": 390, "height": 844}, locale="fr-FR", timezone_id="Europe/Paris"
            )
            page.goto(f"{base}/connexion")
            page.fill("#email", "formatrice@example.org")
            page.fill("#password", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_selector("text=Se déconnecter", state="attached")
            page.goto(f"{base}{url}")
            box = page.locator("canvas.signature-canvas").bounding_box()
            page.mouse.move(box["x"] + 30, box["y"] + 100)
            page.mouse.down()
            for step in range(40):
                page.mouse.move(box["x"] + 30 + step * 7, box["y"] + 100 + 40 * math.sin(step / 3))
            page.mouse.up()
            page.screenshot(path=str(OUT / "signature-pad-phone.png"), full_page=True)
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
