"""Time the import of a 5,000-row file of people: upload and preview, then confirmation.

    python bench/people_import.py --db sqlite
    python bench/people_import.py --db postgresql   # PostgreSQL on 127.0.0.1:5432, user postgres

In one process, through the application's own pages (Flask's test client, CSRF off, no network
between): a referent uploads a 5,000-row CSV, reads the preview, confirms it (invitations sent
now, or never), then uploads the same file again (5,000 rows already up to date). The trivial
route (``/sante``) is timed in the same run, so the figures read as ratios as well as seconds.
One JSON line per step:

    {"db": ..., "step": "preview", "rows": 5000, "seconds": ..., "ratio_to_trivial": ...}
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import emit  # noqa: E402

POSTGRES_SERVER = os.environ.get(
    "RESEAU_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
PASSWORD = "mot-de-passe-du-banc"  # noqa: S105 (a scratch account)
CATEGORIES = ("Bénévole", "Salarié·e", "Élu·e", "Partenaire")


def scratch_database(backend: str, directory: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{directory}/bench-import.sqlite"
    name = f"reseau_bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return f"{POSTGRES_SERVER}/{name}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[-1]}" WITH (FORCE)')
        engine.dispose()


def people_csv(rows: int) -> bytes:
    lines = ["Prénom;Nom;E-mail;Téléphone;Catégorie;Sous-catégorie"]
    for n in range(rows):
        email = f"personne{n}@exemple.fr" if n % 10 else ""  # one in ten without e-mail
        category = CATEGORIES[n % 4]
        lines.append(f"Prénom{n};Nom{n};{email};06 00 00 {n % 100:02d} 00;{category};")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def setup(app):
    from reseau.accounts.models import Category, Centre, Department, Role, User, UserStatus
    from reseau.core.extensions import db

    with app.app_context():
        db.create_all()
        department = Department(code="36", name="Indre")
        centre = Centre(name="Centre social du Blanc", town="Le Blanc", department=department)
        referent = User(
            email="referente@exemple.fr",
            first_name="Rita",
            last_name="Référente",
            centre=centre,
            category=Category.SALARIE,
            status=UserStatus.ACTIVE,
        )
        referent.set_password(PASSWORD)
        referent.set_roles([Role.REFERENT])
        db.session.add_all([department, centre, referent])
        db.session.commit()


def timed(action, repeat: int = 1) -> tuple[float, object]:
    durations, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations), result


def upload_and_preview(client, content: bytes) -> str:
    answer = client.post(
        "/personnes/import",
        data={"file": (io.BytesIO(content), "personnes.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 303, answer.status_code
    url = answer.headers["Location"]
    page = client.get(url)
    assert page.status_code == 200
    return url, page.get_data(as_text=True)


def confirm(client, url: str, page: str, invitations: str):
    data = dict(
        re.findall(r'<select id="(col_\d+)" name="col_\d+">.*?selected value="(\w*)"', page)
    )
    data.update(
        digest=re.search(r'name="digest" type="hidden" value="(\w+)"', page).group(1),
        invitations=invitations,
        action="importer",
    )
    answer = client.post(url, data=data)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]


def run(backend: str, rows: int, invitations: str) -> None:
    from reseau import create_app

    directory = tempfile.mkdtemp(prefix="reseau-bench-import-")
    url = scratch_database(backend, directory)
    try:
        app = create_app(
            {
                "SECRET_KEY": "bench-secret-key-not-for-production",
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": False,
                "MAIL_SERVER": None,
                "MAIL_DIRECTORY": f"{directory}/mail",
                "BASE_URL": "http://127.0.0.1",
                "RATELIMIT_ENABLED": False,
            }
        )
        setup(app)
        client = app.test_client()
        client.post("/connexion", data={"email": "referente@exemple.fr", "password": PASSWORD})
        content = people_csv(rows)
        trivial, _ = timed(lambda: client.get("/sante"), repeat=50)
        emit(db=backend, step="trivial /sante", seconds=round(trivial, 5))

        def report(step: str, seconds: float) -> None:
            ratio = round(seconds / trivial) if trivial else None
            emit(
                db=backend, step=step, rows=rows, seconds=round(seconds, 2), ratio_to_trivial=ratio
            )

        seconds, (preview, page) = timed(lambda: upload_and_preview(client, content))
        report("upload + preview", seconds)
        seconds, _ = timed(lambda: confirm(client, preview, page, invitations))
        report(f"confirm (invitations {invitations})", seconds)
        seconds, (again, page) = timed(lambda: upload_and_preview(client, content))
        report("same file again: preview (all up to date)", seconds)
        with app.app_context():
            from reseau.accounts.models import User
            from reseau.core.extensions import db

            people = db.session.scalar(sa.select(sa.func.count(User.id)))
            db.engine.dispose()
        emit(db=backend, step="people in the database", count=people)
    finally:
        drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--invitations", choices=("maintenant", "jamais"), default="maintenant")
    args = parser.parse_args()
    run(args.db, args.rows, args.invitations)


if __name__ == "__main__":
    main()
