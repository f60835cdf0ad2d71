"""Fire a burst of concurrent enrolments at a real multi-worker server; print one JSON line.

    python bench/enrol_burst.py --db sqlite
    python bench/enrol_burst.py --db postgresql   # PostgreSQL on 127.0.0.1:5432, user postgres
    python bench/enrol_burst.py --db sqlite --in-process [--profile] [--show-statements]
    python bench/enrol_burst.py --db postgresql --compare main HEAD --repeat 3 [--in-process]

Starts gunicorn (2 sync workers) on a scratch database, creates a session with 20 seats and
200 people, logs them in through the real login form (CSRF on), then sends the 200 enrolment
requests at once and counts the result in the database:

    {"db": ..., "seats": 20, "attempts": 200, "confirmed": ..., "waitlisted": ...,
     "overbooked": ..., "errors": ..., "p50_ms": ..., "p95_ms": ...}

``--in-process`` enrols the same people one after another through the test client instead (no
server, no concurrency): statements, milliseconds and the time the session's lock is held,
per enrolment, for the confirmed and the waitlisted ones. ``--compare REV…`` runs the same
harness on each revision's tree (``git archive`` into bench/.cache/), alternating A B A B for
``--repeat`` rounds so that both meet the same load, and prints each run and the medians.

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
# The code measured: this checkout, or another revision's tree (``--compare`` sets it), so that
# two revisions run under the same harness.
CODE = Path(os.environ.get("RESEAU_BENCH_CODE") or ROOT)
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
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(CODE), os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.Popen(command, cwd=CODE, stdout=subprocess.DEVNULL, env=env)
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


class RequestMeter:
    """Statements and time of each request in process, and how long it held the session's
    lock: from ``SELECT … FOR UPDATE`` of the session (PostgreSQL) or from ``BEGIN
    IMMEDIATE`` (SQLite: the write transaction holds the database) to the end of the commit."""

    def __init__(self, engine, backend: str):
        import sqlalchemy as sa
        import sqlalchemy.orm as so

        self.backend = backend
        self.statements: list[str] = []
        self.locked_at: float | None = None
        self.released_at: float | None = None
        sa.event.listen(engine, "before_cursor_execute", self._statement)
        sa.event.listen(engine, "begin", self._begin)
        sa.event.listen(so.Session, "after_commit", self._commit)

    def reset(self) -> None:
        self.statements, self.locked_at, self.released_at = [], None, None

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)
        if (
            self.backend == "postgresql"
            and self.locked_at is None
            and "FOR UPDATE" in statement
            and "FROM training_session" in statement
        ):
            self.locked_at = time.perf_counter()

    def _begin(self, conn):
        if self.backend == "sqlite" and self.locked_at is None:
            self.locked_at = time.perf_counter()

    def _commit(self, session):
        if self.locked_at is not None and self.released_at is None:
            self.released_at = time.perf_counter()

    @property
    def lock_ms(self) -> float:
        if self.locked_at is None or self.released_at is None:
            return 0.0
        return (self.released_at - self.locked_at) * 1000


def in_process(
    backend: str, seats: int = 20, people: int = 200, *, profile: bool = False, show: bool = False
) -> dict:
    """One enrolment after another through the test client (no server, no concurrency):
    statements, milliseconds and lock time per enrolment, by outcome."""
    from reseau import create_app
    from reseau.core.extensions import db

    directory = tempfile.mkdtemp(prefix="reseau-bench-db-")
    url = create_scratch_database(backend, directory)
    try:
        app = create_app({**server_config(url, directory), "WTF_CSRF_ENABLED": False})
        with app.app_context():
            db.create_all()
            # A first session fills the caches (templates, compiled statements): not measured.
            warm_id, warm_emails = create_people_and_session(10, 3, tag="w")
            session_id, emails = create_people_and_session(people, seats)
            meter = RequestMeter(db.engine, backend)
            db.session.remove()

        def client_for(email):
            client = app.test_client()
            answer = client.post("/connexion", data={"email": email, "password": PASSWORD})
            if answer.status_code not in (302, 303):
                raise RuntimeError(f"login failed for {email}: {answer.status_code}")
            return client

        def enrol(client, target):
            meter.reset()
            started, cpu = time.perf_counter(), time.process_time()
            answer = client.post(
                f"/catalogue/sessions/{target}/inscription", headers={"HX-Request": "true"}
            )
            elapsed = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu) * 1000
            if answer.status_code != 200:
                raise RuntimeError(f"enrolment answered {answer.status_code}")
            return elapsed, len(meter.statements), meter.lock_ms, list(meter.statements), cpu

        for email in warm_emails:
            enrol(client_for(email), warm_id)
        clients = [client_for(email) for email in emails]
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
        measured = [enrol(client, session_id) for client in clients]
        if profiler is not None:
            profiler.stop()
        with app.app_context():
            counts = count_statuses(session_id)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_scratch_database(url)
        shutil.rmtree(directory, ignore_errors=True)
    outcomes = {"confirmed": measured[:seats], "waitlisted": measured[seats:]}
    result = {"db": backend, "mode": "in-process", "seats": seats, "attempts": people}
    result["counts"] = counts
    for name, rows in outcomes.items():
        if not rows:
            continue
        statements = sorted({row[1] for row in rows})
        result[name] = {
            "statements": statements[0] if len(statements) == 1 else statements,
            "ms_mean": round(statistics.mean(row[0] for row in rows), 2),
            "ms_median": round(statistics.median(row[0] for row in rows), 2),
            "lock_ms_mean": round(statistics.mean(row[2] for row in rows), 2),
            # This process's CPU time (the application's own work, without waiting for the
            # database server or for a core on a loaded machine).
            "cpu_ms_median": round(statistics.median(row[4] for row in rows), 2),
        }
        if show:
            print(f"--- {name}", *rows[len(rows) // 2][3], sep="\n", file=sys.stderr)
    if profiler is not None:
        print(profiler.output_text(unicode=False, color=False), file=sys.stderr)
    return result


def revision_tree(revision: str) -> Path:
    """A tree of ``revision`` of this repository (``git archive``), kept in bench/.cache/."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tree = ROOT / "bench" / ".cache" / f"tree-{sha[:12]}"
    if not (tree / "reseau").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", sha], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def compare(revisions: list[str], repeat: int, arguments: list[str]) -> list[dict]:
    """Run this harness ``repeat`` times on each revision, alternating (A B A B…), so that
    both see the same load; one JSON line per run, then p50/p95 of each revision's runs."""
    trees = {revision: revision_tree(revision) for revision in revisions}
    results: list[dict] = []
    for round_ in range(repeat):
        for revision, tree in trees.items():
            output = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), *arguments],
                env={
                    **os.environ,
                    "RESEAU_BENCH_CODE": str(tree),
                    "PYTHONPATH": str(tree),
                },
                cwd=tree,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            record = {
                "revision": revision,
                "round": round_ + 1,
                **json.loads(output.splitlines()[-1]),
            }
            print(json.dumps(record), flush=True)
            results.append(record)
    return results


def summarise(results: list[dict]) -> list[dict]:
    """The median over the rounds of each figure, per revision."""
    summary = []
    for revision in dict.fromkeys(record["revision"] for record in results):
        runs = [record for record in results if record["revision"] == revision]
        line: dict = {"revision": revision, "rounds": len(runs)}
        for key in ("p50_ms", "p95_ms"):
            if all(key in record for record in runs):
                line[f"median_{key}"] = round(statistics.median(r[key] for r in runs), 1)
                line[key] = [r[key] for r in runs]
        for outcome in ("confirmed", "waitlisted"):
            # In process: a dict of figures per outcome; over HTTP: the number of people.
            if all(isinstance(record.get(outcome), dict) for record in runs):
                for key in ("ms_median", "lock_ms_mean", "cpu_ms_median"):
                    if not all(key in r[outcome] for r in runs):
                        continue
                    line[f"{outcome}_{key}"] = round(
                        statistics.median(r[outcome][key] for r in runs), 2
                    )
                line[f"{outcome}_statements"] = runs[0][outcome]["statements"]
        summary.append(line)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="enrol one person after another through the test client: statements, time and "
        "lock time per enrolment",
    )
    parser.add_argument("--profile", action="store_true", help="with --in-process: pyinstrument")
    parser.add_argument(
        "--show-statements", action="store_true", help="with --in-process: one of each outcome"
    )
    parser.add_argument(
        "--compare",
        nargs="+",
        metavar="REVISION",
        help="run the same benchmark on each git revision, alternating (e.g. main HEAD)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="with --compare: rounds")
    args = parser.parse_args()
    if args.compare:
        arguments = ["--db", args.db, "--seats", str(args.seats), "--people", str(args.people)]
        arguments += ["--in-process"] if args.in_process else []
        for line in summarise(compare(args.compare, args.repeat, arguments)):
            print(json.dumps({"summary": True, **line}), flush=True)
        return
    sys.path.insert(0, str(CODE))
    if args.in_process:
        result = in_process(
            args.db, args.seats, args.people, profile=args.profile, show=args.show_statements
        )
    else:
        result = run(args.db, args.seats, args.people)
    import reseau

    result["code"] = str(Path(reseau.__file__).resolve().parent.parent)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
