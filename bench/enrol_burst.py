"""Fire a burst of concurrent enrolments at a real multi-worker server; print one JSON line.

    python bench/enrol_burst.py --db sqlite
    python bench/enrol_burst.py --db postgresql   # PostgreSQL on 127.0.0.1:5432, user postgres

Starts gunicorn (2 sync workers) on a scratch database, creates a session with 20 seats and
200 people, logs them in through the real login form (CSRF on), then sends the 200 enrolment
requests at once and counts the result in the database:

    {"db": ..., "seats": 20, "attempts": 200, "confirmed": ..., "waitlisted": ...,
     "overbooked": ..., "errors": ..., "p50_ms": ..., "p95_ms": ...}

The test suite (tests/enrolment/test_concurrency.py) reuses the helpers below.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get(
    "RESEAU_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
PASSWORD = "mot-de-passe-du-banc"  # noqa: S105 (scratch accounts)
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
FORM_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- Server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_config(database_url: str, instance_dir: str) -> dict:
    """The configuration the workers get: the scratch database, CSRF left on."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "MAIL_SERVER": None,
        "MAIL_DIRECTORY": str(Path(instance_dir) / "mail"),
        "BASE_URL": "http://127.0.0.1",
        # The benchmark logs many people in from one address: no rate limits here.
        "RATELIMIT_ENABLED": False,
    }


@contextmanager
def gunicorn_server(database_url: str, *, workers: int = 2):
    """Run gunicorn with ``workers`` workers on a free port; yield its base URL."""
    instance_dir = tempfile.mkdtemp(prefix="reseau-bench-")
    port = free_port()
    config = server_config(database_url, instance_dir)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        f"reseau:create_app({config!r})",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited before serving")
            try:
                with urllib.request.urlopen(f"{base}/catalogue", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(instance_dir, ignore_errors=True)


# --- Clients --------------------------------------------------------------------------------


class Client:
    """One browser: its own cookies, logged in through the real form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as answer:
            return answer.read().decode()

    def post(self, path: str, data: dict, headers: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=120) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def login(self, email: str, password: str = PASSWORD) -> None:
        page = self.get("/connexion")
        token = FORM_CSRF_RE.search(page).group(1)
        status, _ = self.post(
            "/connexion", {"email": email, "password": password, "csrf_token": token}
        )
        if status != 200:  # the 303 to the home page was followed
            raise RuntimeError(f"login failed for {email}: {status}")

    def open_session(self, session_id: int) -> str:
        page = self.get(f"/catalogue/sessions/{session_id}")
        self.csrf = CSRF_RE.search(page).group(1)
        return page

    def enrol(self, session_id: int) -> tuple[int, str]:
        return self.post(
            f"/catalogue/sessions/{session_id}/inscription",
            {"csrf_token": self.csrf},
            {"HX-Request": "true"},
        )

    def cancel(self, session_id: int) -> tuple[int, str]:
        return self.post(
            f"/catalogue/sessions/{session_id}/desinscription",
            {"csrf_token": self.csrf},
            {"HX-Request": "true"},
        )


def logged_in_clients(base: str, emails: list[str], session_id: int, threads: int = 8):
    """Log every person in (a few at a time) and open the session page; return the clients."""
    clients = [Client(base) for _ in emails]
    errors: list[BaseException] = []

    def work(indexes):
        for index in indexes:
            try:
                clients[index].login(emails[index])
                clients[index].open_session(session_id)
            except BaseException as error:  # noqa: BLE001 (reported below)
                errors.append(error)

    chunks = [range(i, len(emails), threads) for i in range(threads)]
    workers = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return clients


def fire(calls) -> list[tuple[int, str, float]]:
    """Run every zero-argument ``calls`` at once; return (status, body, milliseconds) each."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        started = time.perf_counter()
        try:
            status, body = call()
        except Exception as error:  # noqa: BLE001 (a failed request is counted as an error)
            status, body = 0, repr(error)
        results[index] = (status, body, (time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --- Data -----------------------------------------------------------------------------------


def create_scratch_database(backend: str, directory: str) -> str:
    import sqlalchemy as sa

    if backend == "sqlite":
        return f"sqlite:///{Path(directory) / 'bench.sqlite'}"
    name = f"reseau_bench_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return f"{POSTGRES_SERVER}/{name}"


def drop_scratch_database(url: str) -> None:
    import sqlalchemy as sa

    if not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[-1]
    engine = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def fast_password_hash(password: str = PASSWORD) -> str:
    """A deliberately cheap hash: the bench measures enrolment, not scrypt."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method="pbkdf2:sha256:1")


def create_people_and_session(count: int, seats: int, tag: str = "") -> tuple[int, list[str]]:
    """Add ``count`` active people and a published session with ``seats`` seats (app context)."""
    from datetime import timedelta

    from reseau.accounts.models import Category, User, UserStatus
    from reseau.catalogue.models import Seance, SessionStatus, TrainingSession
    from reseau.core.database import utcnow
    from reseau.core.extensions import db

    password_hash = fast_password_hash()
    start = (utcnow() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    session = TrainingSession(
        title=f"Session du banc d'essai {tag}".strip(),
        status=SessionStatus.PUBLISHED,
        capacity=seats,
    )
    session.seances.append(Seance(starts_at=start, ends_at=start + timedelta(hours=3)))
    session.sync_dates()
    db.session.add(session)
    emails = []
    for index in range(count):
        email = f"burst{tag}-{index}@banc.reseau.test"
        person = User(
            email=email,
            first_name=f"Personne{index}",
            last_name="Banc",
            category=Category.BENEVOLE,
            status=UserStatus.ACTIVE,
            password_hash=password_hash,
        )
        person.set_roles([])
        db.session.add(person)
        emails.append(email)
    db.session.commit()
    return session.id, emails


def count_statuses(session_id: int) -> dict[str, int]:
    import sqlalchemy as sa

    from reseau.core.extensions import db
    from reseau.enrolment.models import Enrolment

    rows = db.session.execute(
        sa.select(Enrolment.status, sa.func.count(Enrolment.id))
        .where(Enrolment.session_id == session_id)
        .group_by(Enrolment.status)
    ).all()
    return {str(status): count for status, count in rows}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


# --- Main -----------------------------------------------------------------------------------


def run(backend: str, seats: int = 20, people: int = 200) -> dict:
    sys.path.insert(0, str(ROOT))
    from reseau import create_app
    from reseau.core.extensions import db

    directory = tempfile.mkdtemp(prefix="reseau-bench-db-")
    url = create_scratch_database(backend, directory)
    try:
        app = create_app(server_config(url, directory))
        with app.app_context():
            db.create_all()
            session_id, emails = create_people_and_session(people, seats)
            db.session.remove()
            db.engine.dispose()
        with gunicorn_server(url) as base:
            clients = logged_in_clients(base, emails, session_id)
            results = fire([lambda c=c: c.enrol(session_id) for c in clients])
        with app.app_context():
            counts = count_statuses(session_id)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_scratch_database(url)
        shutil.rmtree(directory, ignore_errors=True)
    latencies = [ms for _, _, ms in results]
    confirmed = counts.get("confirmed", 0)
    return {
        "db": backend,
        "seats": seats,
        "attempts": len(results),
        "confirmed": confirmed,
        "waitlisted": counts.get("waitlisted", 0),
        "overbooked": max(confirmed - seats, 0),
        "errors": sum(1 for status, _, _ in results if status != 200),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--people", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(run(args.db, args.seats, args.people)))


if __name__ == "__main__":
    main()
