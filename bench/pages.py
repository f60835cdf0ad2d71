"""Page benchmark (issues 9 and 21): the main pages of each role, at regional and national scale.

    .venv/bin/python bench/pages.py [--scales regional,national] [--databases sqlite,postgresql]
        [--duration 5] [--warmup 1] [--connections 8] [--pages catalogue,bilan,...]
        [--seed 1] [--rebuild] [--max-age 7] [--json-out FILE]

For each database and scale:

1. Builds the data set with ``devdata.generate`` unless it is cached and current: SQLite in
   ``instance/bench/<scale>-seed<N>.sqlite``, PostgreSQL in the database
   ``reseau_bench_<scale>_<N>``. A ``bench_dataset`` table records a fingerprint of the scale's
   figures, the seed, the generator's version and the schema: a change rebuilds, and so does
   age (``--max-age`` days: generated dates follow the day of generation).
2. Serves the application under gunicorn (2 sync workers, 127.0.0.1 only), logs the landmark
   people in, and asks each page once: it must answer 200 (304 for the conditional feed
   request); the ``X-Query-Count`` header this file's ``wsgi_app()`` adds gives the SQL
   statements per request.
3. Loads each page with wrk (``--latency`` for p50, ``bench/report.lua`` for p95 and the
   counts), starting with a trivial Flask route served by the same workers: the ceiling, to
   which each page's requests/s are compared. The ``*_after_write`` pages are asked one at a
   time instead, each just after a small write they read (a centre's row): the first answer
   after a change, when no kept figure can be reused (issue 21's 150 / 300 ms). Then reads
   the workers' resident memory.

Prints one JSON line per page, scale and database as it goes, then a table and the targets of
issues 9 and 21, each PASS or FAIL. Exits 1 when a page answered wrongly, 0 otherwise.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import hashlib
import http.client
import json
import re
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402 (after the path set-up, when run as a script)
    bench_config,
    duration_ms,
    emit,
    gunicorn,
    pss_mb,
    rss_mb,
    run_wrk,
    worker_pids,
)

DATA_DIR = ROOT / "instance" / "bench"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
# Flask-Login compares a hash of the address and User-Agent with the one seen at login: wrk
# sends the same agent, so a session cookie stays as it was issued.
USER_AGENT = "reseau-bench-pages"
RSS_LIMIT_MB = 150
WORKERS = 2  # gunicorn sync workers, as the issue asks


@dataclass(frozen=True)
class Page:
    name: str
    role: str | None = None  # whose session (a LANDMARK_EMAILS key); None: anonymous
    expect: int = 200
    path_of: str | None = None  # the page whose path it asks (default: its own name)
    after_write: bool = False  # asked one at a time, each just after a write it reads


PAGES = (
    Page("trivial"),
    Page("catalogue"),
    Page("catalogue_filtered"),
    Page("catalogue_304", expect=304),
    Page("session"),
    Page("session_304", expect=304),
    Page("my_enrolments", "participant"),
    Page("roster", "trainer"),
    Page("centre_enrolments", "referent"),
    Page("home_coordinator", "coordinator"),
    Page("diagnostic_results", "coordinator"),
    Page("bilan", "coordinator"),
    Page("diagnostic_after_write", "coordinator", path_of="diagnostic_results", after_write=True),
    Page("bilan_after_write", "coordinator", path_of="bilan", after_write=True),
    Page("ics_full"),
    Page("ics_304", expect=304),
)
# Targets of issue 21 (no application cache), as ratios of the trivial route's requests/s in
# the same run: pages generated afresh, revalidations (304), the pages people use every day.
RATIO_TARGETS = {
    "catalogue": 0.1,
    "catalogue_filtered": 0.1,
    "session": 0.1,
    "catalogue_304": 0.5,
    "session_304": 0.5,
    "ics_304": 0.5,
    "my_enrolments": 0.12,
    "roster": 0.12,
    "centre_enrolments": 0.12,
    "home_coordinator": 0.12,
    "diagnostic_results": 0.15,
    "bilan": 0.15,
}
P95_GROWTH_LIMIT = 1.5  # national p95 / regional p95
# Issue 21: the first answer after a write, p95 in ms (no figure kept can be reused then).
AFTER_WRITE_P95_MS = {"postgresql": 150, "sqlite": 300}
AFTER_WRITE_SAMPLES = 20


# --- The application gunicorn serves ---------------------------------------------------------


def page_config(database_url: str, instance: str) -> dict:
    config = bench_config(database_url, instance)
    # The bench logs in with a plain POST: no CSRF token in this configuration only.
    config["WTF_CSRF_ENABLED"] = False
    return config


def wsgi_app():
    """Réseau plus a trivial route (the ceiling) and an ``X-Query-Count`` header per answer."""
    import os

    import sqlalchemy as sa
    from flask import g, has_request_context

    from reseau import create_app
    from reseau.core.extensions import db

    app = create_app(page_config(os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_INSTANCE"]))

    def count_query(conn, cursor, statement, parameters, context, executemany):
        # SQLite's BEGIN is a statement of ours (configure_sqlite), PostgreSQL's is implicit:
        # leave it out so that both databases count the same work.
        if has_request_context() and not statement.startswith("BEGIN"):
            g.bench_queries = g.get("bench_queries", 0) + 1

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count_query)

    def add_query_count(response):
        response.headers["X-Query-Count"] = str(g.get("bench_queries", 0))
        return response

    # after_request functions run last-registered first: at the front, this one runs last and
    # counts the queries of the others too.
    app.after_request_funcs.setdefault(None, []).insert(0, add_query_count)

    @app.route("/bench/trivial")
    def trivial():
        return "ok"

    return app


# --- Data sets -------------------------------------------------------------------------------


def dataset_url(database: str, scale: str, seed: int) -> str:
    if database == "sqlite":
        return f"sqlite:///{DATA_DIR / f'{scale}-seed{seed}.sqlite'}"
    return f"{POSTGRES_SERVER}/{postgres_name(scale, seed)}"


def postgres_name(scale: str, seed: int) -> str:
    return re.sub(r"[^a-z0-9_]", "_", f"reseau_bench_{scale}_{seed}".lower())


def dataset_fingerprint(scale, seed: int) -> str:
    """What the cached data set must have been built from: scale, seed, generator, schema."""
    from devdata import generate as generator
    from reseau.core.extensions import db

    schema = sorted(
        (table.name, sorted(column.name for column in table.columns))
        for table in db.metadata.tables.values()
    )
    version = getattr(generator, "GENERATOR_VERSION", getattr(generator, "VERSION", None))
    text = json.dumps(
        {"scale": repr(scale), "seed": seed, "version": version, "schema": schema}, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _stored_marker(url: str) -> tuple[str | None, datetime | None]:
    """Return the fingerprint and build time a data set was recorded with (None: no marker)."""
    import sqlalchemy as sa

    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None, None
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.text("SELECT fingerprint, built_at FROM bench_dataset")
            ).first()
    except sa.exc.SQLAlchemyError:  # no database yet, no marker table: an unfinished build
        return None, None
    finally:
        engine.dispose()
    if row is None:
        return None, None
    return row[0], datetime.fromisoformat(row[1])


def _reset_database(database: str, url: str, scale: str, seed: int) -> None:
    import sqlalchemy as sa

    if database == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    name = postgres_name(scale, seed)
    admin = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()


class _Progress:
    """The generator's progress callback: at most one line every 2 s, on stderr."""

    def __init__(self, label: str):
        self.label, self.last = label, 0.0

    def __call__(self, *args, **kwargs) -> None:
        now = time.monotonic()
        if now - self.last >= 2:
            self.last = now
            parts = [str(a) for a in args] + [f"{k}={v}" for k, v in kwargs.items()]
            log(f"  {self.label}: " + " ".join(parts))


def ensure_dataset(
    database: str, scale_name: str, seed: int, *, rebuild: bool, max_age: int = 7
) -> str:
    """Return the URL of a current data set for (database, scale, seed), building it if need be."""
    import sqlalchemy as sa

    from devdata.generate import SCALES, generate
    from reseau import create_app
    from reseau.core.extensions import db

    scale = SCALES[scale_name]
    url = dataset_url(database, scale_name, seed)
    app = create_app(page_config(url, str(DATA_DIR)))
    with app.app_context():
        fingerprint = dataset_fingerprint(scale, seed)
    stored, built_at = _stored_marker(url)
    # Generated dates follow the day of generation (sessions over the next six months, a
    # séance today): a data set some weeks old no longer looks like a live network.
    fresh = built_at is not None and datetime.now(UTC) - built_at < timedelta(days=max_age)
    if not rebuild and stored == fingerprint and fresh:
        log(f"{scale_name}/{database}: cached data set ({fingerprint}, built {built_at:%Y-%m-%d})")
        with app.app_context():
            _add_missing_indexes(database)
        return url

    log(f"{scale_name}/{database}: building the data set (seed {seed})...")
    began = time.monotonic()
    _reset_database(database, url, scale_name, seed)
    app = create_app(page_config(url, str(DATA_DIR)))
    with app.app_context():
        db.create_all()
        figures = generate(scale, seed=seed, progress=_Progress(f"{scale_name}/{database}"))
        db.session.commit()
        db.session.remove()
        if database == "postgresql":
            # Planner statistics and the visibility map, as autovacuum would leave them on a
            # live server (a fresh bulk load has neither).
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
        # Written last: an interrupted build has no marker and is built again.
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE TABLE bench_dataset (fingerprint VARCHAR(64) NOT NULL, "
                "scale VARCHAR(40), seed INTEGER, built_at VARCHAR(40), counts TEXT)"
            )
            connection.execute(
                sa.text("INSERT INTO bench_dataset VALUES (:f, :scale, :seed, :at, :counts)"),
                {
                    "f": fingerprint,
                    "scale": scale_name,
                    "seed": seed,
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "counts": json.dumps(figures, default=str),
                },
            )
        db.engine.dispose()
    elapsed = time.monotonic() - began
    emit(
        dataset=scale_name, database=database, seed=seed, build_s=round(elapsed, 1), counts=figures
    )
    return url


def _add_missing_indexes(database: str) -> None:
    """Create the models' indexes a cached data set lacks (the fingerprint knows tables and
    columns, not indexes: a new index need not rebuild it), then refresh the statistics."""
    import sqlalchemy as sa

    from reseau.core.extensions import db

    inspector = sa.inspect(db.engine)
    missing = [
        index
        for table in db.metadata.sorted_tables
        if inspector.has_table(table.name)
        for index in table.indexes
        if index.name not in {found["name"] for found in inspector.get_indexes(table.name)}
    ]
    if not missing:
        return
    for index in missing:
        log(f"  adding index {index.name}")
        index.create(db.engine)
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    db.engine.dispose()


# --- Pages -----------------------------------------------------------------------------------


def resolve_pages(url: str) -> dict:
    """Return each page's path, the ICS feed's path, and the landmark people's e-mails.

    Runs before the server starts: finding (or creating, once) the referent's centre feed
    address writes to the data set.
    """
    from flask import url_for

    from devdata.generate import LANDMARK_EMAILS, landmarks
    from reseau import create_app
    from reseau.accounts.models import User
    from reseau.calendars.models import FeedKind
    from reseau.calendars.tokens import active_tokens, feed_token, find_token, issue_token
    from reseau.catalogue.models import TrainingSession
    from reseau.core.extensions import db

    app = create_app(page_config(url, str(DATA_DIR)))
    with app.app_context(), app.test_request_context():
        marks = landmarks()
        session = db.session.get(TrainingSession, marks["session"])
        # Filter on the landmark session's own theme, département and a word of its title, so
        # that the filtered list is not empty.
        words = re.findall(r"[A-Za-z]{5,}", session.title) if session else []
        word = max(words, key=len, default="")
        filters = {
            "theme": (session and session.theme_id) or marks["theme"],
            "departement": (session and session.department_id) or marks["department"],
            "q": word.lower(),
        }
        referent = db.session.get(User, marks["referent"])
        row = active_tokens(referent).get(FeedKind.CENTRE)
        if row is None or find_token(feed_token(row)) is None:
            row = issue_token(FeedKind.CENTRE, referent, actor=referent)
            db.session.commit()
        feed = url_for("calendars.private_feed", token=feed_token(row))
        paths = {
            "trivial": "/bench/trivial",
            "catalogue": url_for("enrolment.public_catalogue"),
            "catalogue_filtered": url_for("enrolment.public_catalogue")
            + "?"
            + urlencode({k: v for k, v in filters.items() if v}),
            "session": url_for("enrolment.public_session", session_id=marks["session"]),
            "session_304": url_for("enrolment.public_session", session_id=marks["session"]),
            "catalogue_304": url_for("enrolment.public_catalogue"),
            "centre_enrolments": url_for("enrolment.centre_enrolments"),
            "home_coordinator": url_for("main.home"),
            "my_enrolments": url_for("enrolment.my_enrolments"),
            "roster": url_for("attendance.seance_roster", seance_id=marks["roster_seance"]),
            "diagnostic_results": url_for("diagnostic.results_page", campagne=marks["campaign"]),
            "bilan": url_for("reports.bilan"),
            "ics_full": feed,
            "ics_304": feed,
        }
        login = url_for("accounts.login")
        db.session.remove()
        db.engine.dispose()
    return {"paths": paths, "login": login, "emails": dict(LANDMARK_EMAILS)}


def request(base: str, path: str, headers: dict[str, str], *, method="GET", body=None):
    """One plain request, no redirects followed: (status, headers)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        connection.close()


def log_in(base: str, login_path: str, email: str, password: str) -> str:
    """Log in through the login form; return the session cookie's value."""
    body = urlencode({"email": email, "password": password})
    headers = {"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"}
    status, answer = request(base, login_path, headers, method="POST", body=body)
    for cookie in answer.get_all("Set-Cookie") or []:
        name, _, rest = cookie.partition("=")
        if name.strip() == "session" and status in (302, 303):
            return rest.split(";", 1)[0]
    raise RuntimeError(f"login of {email} failed (HTTP {status})")


def redact(path: str) -> str:
    from reseau.core.security import redact_tokens

    return redact_tokens(path)


# --- One run: a data set served by gunicorn --------------------------------------------------


def measure(database: str, scale: str, url: str, pages: list[Page], args) -> tuple[list, dict]:
    """Benchmark ``pages`` on one data set; return the page records and the memory record."""
    from devdata.generate import GENERATED_PASSWORD

    setup = resolve_pages(url)
    env = {"BENCH_DATABASE_URL": url, "BENCH_INSTANCE": str(DATA_DIR)}
    records = []
    with gunicorn(
        "bench.pages:wsgi_app()",
        env,
        workers=WORKERS,
        ready="/bench/trivial",
        preload=getattr(args, "preload", False),
    ) as (base, master):
        workers = worker_pids(master)
        cookies = {}
        for role in sorted({page.role for page in pages if page.role}):
            try:
                email = setup["emails"][role]
                cookies[role] = log_in(base, setup["login"], email, GENERATED_PASSWORD)
            except (KeyError, RuntimeError, OSError, http.client.HTTPException) as error:
                cookies[role] = error
        trivial_rate = None
        write = _writer(url) if any(page.after_write for page in pages) else None
        for page in pages:
            path = setup["paths"][page.path_of or page.name]
            log(f"{scale}/{database}: {page.name} {redact(path)}")
            cookie = cookies.get(page.role)
            if isinstance(cookie, Exception):
                error = f"login failed: {cookie}"
                records.append(_record(page, scale, database, error=error))
                continue
            headers = {"User-Agent": USER_AGENT}
            if cookie:
                headers["Cookie"] = f"session={cookie}"
            try:
                if page.after_write:
                    record = _measure_after_writes(base, path, headers, write)
                else:
                    record = _measure_page(page, base, path, headers, args, trivial_rate)
            except (OSError, http.client.HTTPException, subprocess.SubprocessError) as error:
                # A page slower than gunicorn's worker timeout, a server gone: this page fails.
                detail = (getattr(error, "stderr", None) or "").strip() or repr(error)
                record = {"error": detail}
            records.append(_record(page, scale, database, **record))
            if page.name == "trivial":
                trivial_rate = records[-1]["requests_per_s"]
        memory = _memory(master, workers, scale, database)
    return records, memory


def _writer(url: str):
    """A function that makes one small write the bilan and the diagnostic results both read
    (a centre's row, through the application's engine, so that it is counted as every write
    is: reseau/core/changes.py)."""
    import sqlalchemy as sa

    from reseau import create_app
    from reseau.core.extensions import db

    app = create_app(page_config(url, str(DATA_DIR)))

    def write() -> None:
        with app.app_context():
            db.session.execute(sa.text("UPDATE centre SET town = town WHERE id = 1"))
            db.session.commit()

    return write


def _measure_after_writes(base: str, path: str, headers: dict, write) -> dict:
    """Ask the page ``AFTER_WRITE_SAMPLES`` times, one at a time, each just after a write:
    the cost of a figure computed afresh, as the first person after a change pays it."""
    for _ in range(2 * WORKERS):  # each worker has computed the page once (statements built)
        write()
        request(base, path, headers)
    latencies, queries = [], None
    for _ in range(AFTER_WRITE_SAMPLES):
        write()
        started = time.perf_counter()
        status, answer = request(base, path, headers)
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            return {"error": f"HTTP {status}, expected 200"}
        queries = int(answer.get("X-Query-Count") or 0)
    return {"queries": queries, "latencies": latencies, "url": redact(path)}


def _measure_page(page: Page, base: str, path: str, headers: dict, args, trivial_rate) -> dict:
    """Ask the page once (status, queries), then load it with wrk; the record's values."""
    if page.expect == 304:
        # The client's copy: the ETag of a full answer just before.
        _, answer = request(base, path, headers)
        headers = {**headers, "If-None-Match": answer.get("ETag") or '"none"'}
    status, answer = request(base, path, headers)
    queries = answer.get("X-Query-Count")
    queries = int(queries) if queries is not None else None
    if status != page.expect:
        return {"queries": queries, "error": f"HTTP {status}, expected {page.expect}"}
    # Every worker answers the page once before the load: the first answer after a change of
    # the data computes what the others reuse (the bilan: seconds at national scale), and
    # which worker wrk's first connections reach is chance. Measured here: the steady state.
    # (The cold cost is printed by bench/profile_page.py and stated in the README.)
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda _: request(base, path, headers), range(WORKERS)))
    options = {"connections": args.connections, "timeout": "30s"}
    if args.warmup > 0:
        run_wrk(base + path, args.warmup, headers, **options)
    figures, _ = run_wrk(base + path, args.duration, headers, report=True, **options)
    return {"queries": queries, "figures": figures, "trivial": trivial_rate, "url": redact(path)}


def _record(
    page: Page,
    scale: str,
    database: str,
    *,
    queries=None,
    figures=None,
    trivial=None,
    url=None,
    error=None,
    latencies=None,
) -> dict:
    """The JSON line of one page: the figures of issue 9 first, then the details."""
    if latencies:
        ranked = sorted(latencies)
        figures = {
            "latency_p50": f"{ranked[len(ranked) // 2]:.2f}ms",
            "report": {"p95_us": 1000 * ranked[int(0.95 * (len(ranked) - 1))],
                       "p99_us": 1000 * ranked[-1]},
            "errors": 0, "socket_errors": 0, "requests": len(ranked),
        }  # fmt: skip
    figures = figures or {}
    report = figures.get("report") or {}
    problems = [error] if error else []
    if figures:
        if figures["errors"]:
            problems.append(f"{figures['errors']} non-2xx/3xx answers")
        if figures["socket_errors"]:
            problems.append(f"socket errors: {figures['socket_errors']}")
        if not report:
            problems.append("no report from bench/report.lua")
    rate = figures.get("requests_per_s")
    if page.name == "trivial":
        trivial = rate
    record = {
        "page": page.name,
        "scale": scale,
        "database": database,
        "requests_per_s": rate,
        "p50_ms": duration_ms(figures.get("latency_p50") or ""),
        "p95_ms": round(report["p95_us"] / 1000, 2) if report else None,
        "queries": queries,
        "ratio_to_trivial": round(rate / trivial, 3) if rate and trivial else None,
        "status": "error: " + "; ".join(problems) if problems else "ok",
    }
    if figures:
        record.update(
            p99_ms=round(report["p99_us"] / 1000, 2) if report else None,
            requests=figures["requests"],
            url=url,
        )
    emit(**record)
    return record


def _memory(master: int, started: list[int], scale: str, database: str) -> dict:
    now = worker_pids(master)
    workers = {str(pid): rss_mb(pid) for pid in now}
    peak = max((v for v in workers.values() if v is not None), default=None)
    # PSS counts a page shared by N processes 1/N (the code gunicorn's --preload shares):
    # what each worker really adds; the master's own share is given beside.
    proportional = {str(pid): pss_mb(pid) for pid in now}
    record = {
        "memory": "gunicorn_workers",
        "scale": scale,
        "database": database,
        "rss_mb": workers,
        "max_rss_mb": peak,
        "pss_mb": proportional,
        "master_pss_mb": pss_mb(master),
        "under_limit": peak is not None and peak < RSS_LIMIT_MB,
        # A worker restarted (timeout, crash) would show a fresh process's memory.
        "workers_restarted": now != started,
    }
    emit(**record)
    return record


# --- Targets and the table -------------------------------------------------------------------


def verdicts(records: list[dict], memory: list[dict]) -> list[dict]:
    """Check the targets of issues 9 and 21 against the records; one dict per check."""
    checks = []
    by_key = {(r["database"], r["scale"], r["page"]): r for r in records}
    databases = sorted({r["database"] for r in records})
    for database in databases:
        for page in [p.name for p in PAGES if p.name != "trivial"]:
            regional = by_key.get((database, "regional", page))
            national = by_key.get((database, "national", page))
            if regional is None or national is None:
                continue
            low, high = regional["p95_ms"], national["p95_ms"]
            ok = bool(low and high is not None and high <= P95_GROWTH_LIMIT * low)
            growth = round(high / low, 2) if low and high is not None else None
            checks.append(
                _check(
                    "p95 national <= 1.5x regional",
                    database,
                    "both",
                    page,
                    ok,
                    f"{high} / {low} ms = {growth}x",
                )
            )
    for record in records:
        limit = RATIO_TARGETS.get(record["page"])
        if limit is None:
            continue
        ratio = record["ratio_to_trivial"]
        ok = ratio is not None and ratio >= limit
        name = f"{'304' if record['page'].endswith('_304') else 'page'} >= {limit} x trivial"
        checks.append(
            _check(
                name,
                record["database"],
                record["scale"],
                record["page"],
                ok,
                f"{ratio} (>= {limit})",
            )
        )
    for record in records:
        limit = AFTER_WRITE_P95_MS.get(record["database"])
        if not record["page"].endswith("_after_write") or limit is None:
            continue
        p95 = record["p95_ms"]
        ok = p95 is not None and p95 <= limit
        name = f"after a write p95 <= {limit} ms"
        checks.append(
            _check(name, record["database"], record["scale"], record["page"], ok, f"{p95} ms")
        )
    for entry in memory:
        if entry["scale"] != "national" and any(m["scale"] == "national" for m in memory):
            continue  # the target is after the national run; smaller runs are in the JSON
        ok = bool(entry["under_limit"])
        checks.append(
            _check(
                f"worker RSS < {RSS_LIMIT_MB} MB",
                entry["database"],
                entry["scale"],
                "-",
                ok,
                f"max {entry['max_rss_mb']} MB",
            )
        )
    return checks


def _check(target, database, scale, page, ok, detail) -> dict:
    return {
        "target": target,
        "database": database,
        "scale": scale,
        "page": page,
        "verdict": "PASS" if ok else "FAIL",
        "detail": detail,
    }


def _fmt(value, digits=1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(records: list[dict], memory: list[dict], checks: list[dict]) -> None:
    targets = {
        (c["database"], c["scale"], c["page"]): c["verdict"] for c in checks if c["scale"] != "both"
    }
    growth = {(c["database"], c["page"]): c["verdict"] for c in checks if c["scale"] == "both"}
    head = (
        f"{'page':<20} {'scale':<9} {'db':<10} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'queries':>7} {'x triv':>7} {'ratio':>5} {'p95':>5}  status"
    )
    print()
    print(head)
    print("-" * len(head))
    for r in records:
        print(
            f"{r['page']:<20} {r['scale']:<9} {r['database']:<10} "
            f"{_fmt(r['requests_per_s']):>8} {_fmt(r['p50_ms'], 2):>8} {_fmt(r['p95_ms'], 2):>8} "
            f"{'-' if r['queries'] is None else r['queries']:>7} "
            f"{_fmt(r['ratio_to_trivial'], 3):>7} "
            f"{targets.get((r['database'], r['scale'], r['page']), ''):>5} "
            f"{growth.get((r['database'], r['page']), '') if r['scale'] == 'national' else '':>5}"
            f"  {r['status'][:80]}"
        )
    for m in memory:
        sizes = ", ".join(
            f"{v} MB (PSS {m.get('pss_mb', {}).get(pid, '-')} MB)" for pid, v in m["rss_mb"].items()
        )
        restarted = " (a worker restarted)" if m["workers_restarted"] else ""
        print(
            f"gunicorn workers after {m['scale']}/{m['database']}: RSS {sizes}; "
            f"master PSS {m.get('master_pss_mb', '-')} MB{restarted}"
        )
    print()
    print("Targets of issues 9 and 21:")
    for c in checks:
        scope = f"{c['database']}/{c['scale']}" if c["scale"] != "both" else c["database"]
        print(f"  {c['verdict']:<4}  {c['target']:<30} {scope:<22} {c['page']:<20} {c['detail']}")
    if not checks:
        print("  (none applies to this selection)")


# --- Command line ----------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _names(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales",
        type=_names,
        default=["regional", "national"],
        help="comma-separated scales of devdata.generate.SCALES (default: regional,national)",
    )
    parser.add_argument(
        "--databases",
        type=_names,
        default=["sqlite", "postgresql"],
        help="sqlite, postgresql or both (default)",
    )
    parser.add_argument(
        "--pages",
        type=_names,
        default=None,
        help="comma-separated pages (default: all); the trivial route always "
        "runs first. One of: " + ", ".join(p.name for p in PAGES),
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per page")
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="seconds of unmeasured load per page before (0: none)",
    )
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (-c)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data sets")
    parser.add_argument(
        "--max-age",
        type=int,
        default=7,
        help="rebuild a cached data set built this many days ago or more (default 7)",
    )
    parser.add_argument(
        "--preload",
        action="store_true",
        help="gunicorn --preload: the application loaded once, its pages shared by the workers",
    )
    parser.add_argument("--json-out", help="also write every record to this file (JSON)")
    args = parser.parse_args(argv)
    known = {p.name: p for p in PAGES}
    unknown = [name for name in args.pages or [] if name not in known]
    if unknown:
        parser.error(f"unknown page(s): {', '.join(unknown)}")
    wanted = set(args.pages or known) | {"trivial"}
    args.page_list = [p for p in PAGES if p.name in wanted]
    bad = [d for d in args.databases if d not in ("sqlite", "postgresql")]
    if bad:
        parser.error(f"unknown database(s): {', '.join(bad)}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    from devdata.generate import SCALES

    missing = [s for s in args.scales if s not in SCALES]
    if missing:
        log(f"unknown scale(s): {', '.join(missing)}; known: {', '.join(SCALES)}")
        return 2
    records, memory = [], []
    began = time.monotonic()
    for database in args.databases:
        for scale in args.scales:
            try:
                url = ensure_dataset(
                    database, scale, args.seed, rebuild=args.rebuild, max_age=args.max_age
                )
                found, worker_memory = measure(database, scale, url, args.page_list, args)
            except Exception as error:  # one broken run must not hide the others
                traceback.print_exc()
                log(f"{scale}/{database}: {type(error).__name__}: {error}")
                found = [
                    _record(page, scale, database, error=f"{type(error).__name__}: {error}")
                    for page in args.page_list
                ]
                worker_memory = None
            records += found
            if worker_memory:
                memory.append(worker_memory)
    checks = verdicts(records, memory)
    for check in checks:
        emit(**check)
    print_table(records, memory, checks)
    print(
        f"\n{len(records)} measurements in {time.monotonic() - began:.0f} s "
        f"(wrk -t2 -c{args.connections} -d{args.duration}s, 2 gunicorn workers)."
    )
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps(
                {"pages": records, "memory": memory, "targets": checks},
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    return 1 if any(r["status"] != "ok" for r in records) else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
