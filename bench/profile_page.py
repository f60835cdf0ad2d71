"""Time one page in process and show where its time goes (pyinstrument).

    .venv/bin/python bench/profile_page.py URL [--scale regional] [--database sqlite]
        [--as participant|trainer|referent|coordinator] [--conditional] [--requests 200]
        [--profile] [--cpu] [--database-url URL]

Uses the data sets ``bench/pages.py`` builds and caches (run ``make bench`` once, or
``bench/pages.py --scales regional --pages trivial`` to build one). ``URL`` is a path, or
``centre-feed`` for the landmark referent's centre feed. ``--conditional`` sends the ETag of a
first answer back (a 304). Prints the mean time per request over ``--requests`` requests after
20 unmeasured ones, beside the trivial route's, and the time of the very first answer (the
cold cost: nothing cached yet); with ``--profile``, the call tree. ``--cpu`` counts this
process's CPU time instead of the wall clock (steadier on a shared machine; on PostgreSQL it
leaves out the server's work), and its profile is cProfile's, by own time.

This is how the pages of issue 9 were profiled; the figures of record come from
``bench/pages.py`` (gunicorn and wrk), not from here.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import SECRET  # noqa: E402


def _database_url(scale: str, database: str, seed: int) -> str:
    if database == "sqlite":
        path = ROOT / "instance" / "bench" / f"{scale}-seed{seed}.sqlite"
        if not path.exists():
            raise SystemExit(f"{path} is missing: build it with bench/pages.py first")
        return f"sqlite:///{path}"
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/reseau_bench_{scale}_{seed}"


def _time(client, url: str, headers: dict, requests: int, clock=time.perf_counter) -> float:
    for _ in range(20):
        client.get(url, headers=headers)
    start = clock()
    for _ in range(requests):
        client.get(url, headers=headers)
    return (clock() - start) / requests * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--scale", default="regional")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as", dest="account", default=None)
    parser.add_argument("--conditional", action="store_true")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--cpu", action="store_true", help="this process's CPU time")
    parser.add_argument(
        "--database-url", default=None, help="another copy of the data set (a migrated one)"
    )
    args = parser.parse_args()

    from devdata.generate import GENERATED_PASSWORD, LANDMARK_EMAILS, landmarks
    from reseau import create_app
    from reseau.calendars.models import CalendarToken
    from reseau.calendars.tokens import feed_token
    from reseau.core.extensions import db

    app = create_app(
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": args.database_url
            or _database_url(args.scale, args.database, args.seed),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "BASE_URL": "http://127.0.0.1",
            "MAIL_DIRECTORY": str(ROOT / "instance" / "bench" / "mail"),
        }
    )

    @app.route("/bench/trivial")
    def trivial():
        return "ok"

    url = args.url
    if url == "centre-feed":
        with app.app_context():
            row = db.session.get(CalendarToken, landmarks()["centre_feed"])
            url = f"/agenda/prive/{feed_token(row)}.ics"
    client = app.test_client()
    if args.account:
        answer = client.post(
            "/connexion",
            data={"email": LANDMARK_EMAILS[args.account], "password": GENERATED_PASSWORD},
        )
        if answer.status_code not in (302, 303):
            raise SystemExit(f"{args.account} could not log in ({answer.status_code})")
    headers = {}
    started = time.perf_counter()
    first = client.get(url)
    first_ms = (time.perf_counter() - started) * 1000  # the cold cost, nothing cached yet
    if args.conditional:
        headers["If-None-Match"] = first.headers.get("ETag", "")
    status = client.get(url, headers=headers).status_code
    clock = time.process_time if args.cpu else time.perf_counter
    trivial_ms = _time(client, "/bench/trivial", {}, args.requests, clock)
    page_ms = _time(client, url, headers, args.requests, clock)
    print(
        f"{args.url} ({status}, {args.scale}/{args.database}): {page_ms:.2f} ms"
        f" {'of CPU ' if args.cpu else ''}per request;"
        f" trivial route {trivial_ms:.2f} ms; ratio {trivial_ms / page_ms:.2f};"
        f" first answer {first_ms:.0f} ms"
    )
    if args.profile and args.cpu:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.requests):
            client.get(url, headers=headers)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
    elif args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(args.requests):
            client.get(url, headers=headers)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
