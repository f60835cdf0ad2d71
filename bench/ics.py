"""Benchmark of the calendar feeds; prints one JSON object per line.

    .venv/bin/python bench/ics.py [--seances 1000] [--duration 5] [--database-url URL]

1. Builds a database (a scratch SQLite file unless ``--database-url``) with ``--seances``
   séances (two per session), all in the public catalogue feed, half of them in one
   person's feed.
2. In process: times the fingerprint query (what a 304 costs) and the full build.
3. Under gunicorn (2 sync workers, bound to 127.0.0.1 only): requests/s for the full catalogue
   feed, its 304 answer, the 304 of a private (token) feed, and a trivial Flask route served
   by the same application in the same run, as the baseline. Uses ``wrk`` when installed,
   else a bounded Python load loop (threads, bounded in requests and time).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402 (after the path set-up, when run as a script)
    bench_config,
    emit,
    fetch_etag,
    gunicorn,
    run_wrk,
)


def wsgi_app():
    """The application gunicorn serves: Réseau plus a trivial route for the baseline."""
    from reseau import create_app

    config = bench_config(
        os.environ["BENCH_DATABASE_URL"], os.environ.get("BENCH_INSTANCE", tempfile.gettempdir())
    )
    config["CALENDAR_FEED_CACHE_ENTRIES"] = int(os.environ.get("BENCH_FEED_CACHE", "32"))
    app = create_app(config)

    @app.route("/bench/trivial")
    def trivial():
        return "ok"

    return app


def seed(app, seances: int) -> str:
    """Fill the database; return the private feed path of the enrolled person."""
    from reseau.accounts.models import Category, Centre, Department, Role, User, UserStatus
    from reseau.calendars.models import FeedKind
    from reseau.calendars.tokens import feed_token, issue_token
    from reseau.catalogue.models import Cycle, Module, Seance, SessionStatus, Theme, TrainingSession
    from reseau.core.extensions import db
    from reseau.enrolment.models import Enrolment, EnrolmentStatus

    with app.app_context():
        db.create_all()
        department = Department(code="36", name="Indre")
        centre = Centre(name="Centre social des Rives", town="Châteauroux", department=department)
        centre.address, centre.postcode = "12 rue de la République", "36000"
        theme = Theme(name="Accueil et numérique", slug="accueil-numerique")
        cycle = Cycle(theme=theme, title="Accueillir au centre social", year=2026)
        module = Module(cycle=cycle, title="L'accueil, premier pas", duration_hours=3)
        trainer = User(email="formatrice@bench.test", first_name="Gaëlle", last_name="Morin")
        trainer.category = Category.SALARIE
        trainer.set_roles([Role.TRAINER])
        person = User(email="personne@bench.test", first_name="Léa", last_name="Martin")
        person.category = Category.BENEVOLE
        person.status = trainer.status = UserStatus.ACTIVE
        db.session.add_all([department, centre, theme, cycle, module, trainer, person])
        start = datetime(2026, 1, 5, 8, tzinfo=UTC)
        for index in range(seances // 2):
            session = TrainingSession(
                title=f"Accueillir les familles – groupe {index + 1}",
                status=SessionStatus.PUBLISHED,
                module=module,
                theme=theme,
                host_centre=centre,
                what_to_bring="De quoi noter, et vos questions.",
                description="Une session du programme régional.",
            )
            session.trainers.append(trainer)
            for day in range(2):
                begin = start + timedelta(days=index * 3 + day)
                session.seances.append(Seance(starts_at=begin, ends_at=begin + timedelta(hours=3)))
            session.sync_dates()
            db.session.add(session)
            if index % 2 == 0:
                db.session.add(
                    Enrolment(session=session, person=person, status=EnrolmentStatus.CONFIRMED)
                )
        db.session.flush()
        row = issue_token(FeedKind.PERSON, person, actor=person)
        path = f"/agenda/prive/{feed_token(row)}.ics"
        db.session.commit()
        return path


def time_build(app, runs: int = 5) -> None:
    from reseau.calendars import feeds

    with app.app_context(), app.test_request_context():
        feed = feeds.Feed(feeds.Scope.CATALOGUE, None, "Catalogue")
        context = feeds.feed_context()
        count = len(feeds.load(feed))
        fingerprints, builds = [], []
        data = b""
        for _ in range(runs):
            began = time.perf_counter()
            feeds.fingerprint(feed, context)
            fingerprints.append(time.perf_counter() - began)
            began = time.perf_counter()
            data = feeds.build(feed, context)
            builds.append(time.perf_counter() - began)
        emit(
            bench="build",
            seances=count,
            bytes=len(data),
            build_ms_median=round(statistics.median(builds) * 1000, 1),
            build_ms_min=round(min(builds) * 1000, 1),
            fingerprint_ms_median=round(statistics.median(fingerprints) * 1000, 2),
            runs=runs,
        )


def load_wrk(url: str, duration: int, headers: dict[str, str]) -> dict:
    # Two connections for two sync workers: more would only queue in the backlog.
    figures, _ = run_wrk(url, duration, headers, threads=2, connections=2)
    return {
        "tool": "wrk -t2 -c2",
        "requests": figures["requests"],
        "socket_errors": figures["socket_errors"],
        "requests_per_s": figures["requests_per_s"],
        "latency_p50": figures["latency_p50"],
        "errors": figures["errors"],
    }


def load_python(url: str, duration: int, headers: dict[str, str], *, threads: int = 2) -> dict:
    """A bounded load loop: ``threads`` clients, at most ``duration`` s and 50,000 requests."""
    limit = 50_000
    counts = {"done": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker():  # one of ``threads`` client loops
        while time.monotonic() < deadline:
            with lock:
                if counts["done"] >= limit:
                    return
                counts["done"] += 1
            request = urllib.request.Request(url, headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    response.read()
            except urllib.error.HTTPError as error:
                if error.code != 304:
                    with lock:
                        counts["errors"] += 1
            except OSError:
                with lock:
                    counts["errors"] += 1

    began = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - began
    return {
        "tool": f"python threads={threads}",
        "requests_per_s": round(counts["done"] / elapsed, 1),
        "errors": counts["errors"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seances", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=5, help="seconds per load test")
    parser.add_argument("--database-url", help="default: a scratch SQLite file")
    parser.add_argument("--no-server", action="store_true", help="only time the build")
    args = parser.parse_args()

    from reseau import create_app

    workdir = tempfile.mkdtemp(prefix="reseau-bench-ics-")
    database_url = args.database_url or f"sqlite:///{workdir}/bench.sqlite"
    app = create_app(bench_config(database_url, workdir))
    private_path = seed(app, args.seances)
    time_build(app)
    if args.no_server:
        shutil.rmtree(workdir, ignore_errors=True)
        return

    try:
        with serve(database_url, workdir, cache=True) as base:
            feed_url = base + "/agenda/catalogue.ics"
            private_url = base + private_path
            cases = [
                ("trivial_route", base + "/bench/trivial", {}),
                ("catalogue_feed_full", feed_url, {}),
                ("catalogue_feed_304", feed_url, {"If-None-Match": fetch_etag(feed_url)}),
                ("private_feed_304", private_url, {"If-None-Match": fetch_etag(private_url)}),
            ]
            for name, url, headers in cases:
                run_case(name, url, headers, args, cache=True)
        # Every request builds the calendar: what a change costs, or a client without ETags
        # when the process cache is off.
        with serve(database_url, workdir, cache=False) as base:
            url = base + "/agenda/catalogue.ics"
            run_case("catalogue_feed_full_uncached", url, {}, args, cache=False)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_case(name: str, url: str, headers: dict, args, *, cache: bool) -> None:
    if shutil.which("wrk"):
        result = load_wrk(url, args.duration, headers)
    else:
        result = load_python(url, args.duration, headers)
    emit(bench="http", case=name, seances=args.seances, workers=2, feed_cache=cache, **result)


@contextlib.contextmanager
def serve(database_url: str, workdir: str, *, cache: bool):
    """Run gunicorn (2 sync workers, loopback only) for the block; yield its base URL."""
    env = {
        "BENCH_DATABASE_URL": database_url,
        "BENCH_INSTANCE": workdir,
        "BENCH_FEED_CACHE": "32" if cache else "0",
    }
    with gunicorn("bench.ics:wsgi_app()", env, ready="/bench/trivial") as (base, _):
        yield base


if __name__ == "__main__":
    main()
