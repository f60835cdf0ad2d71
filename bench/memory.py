"""The gunicorn workers' memory after they have served every page of the page benchmark.

    .venv/bin/python bench/memory.py [--scale national] [--database sqlite] [--seed 21]
        [--requests 20] [--preload]

Serves the data set ``bench/pages.py`` builds (``bench.pages:wsgi_app()``, 2 sync workers),
asks each of its pages ``--requests`` times (four at a time, as each page's person; no wrk
needed), then prints one JSON line: each worker's RSS and PSS (``/proc/<pid>/smaps_rollup``:
a page shared by N processes counts 1/N) and the master's. With ``--preload`` the application
is loaded once in the master and the workers share its code pages: compare the PSS, not the
RSS, which counts every shared page in full in every process.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import gunicorn, pss_mb, rss_mb, worker_pids  # noqa: E402
from bench.pages import (  # noqa: E402
    DATA_DIR,
    PAGES,
    USER_AGENT,
    WORKERS,
    dataset_url,
    log_in,
    request,
    resolve_pages,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--requests", type=int, default=20, help="per page")
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload")
    args = parser.parse_args()

    from devdata.generate import GENERATED_PASSWORD

    url = dataset_url(args.database, args.scale, args.seed)
    setup = resolve_pages(url)
    env = {"BENCH_DATABASE_URL": url, "BENCH_INSTANCE": str(DATA_DIR)}
    with gunicorn(
        "bench.pages:wsgi_app()",
        env,
        workers=WORKERS,
        ready="/bench/trivial",
        preload=args.preload,
    ) as (base, master):
        cookies = {
            role: log_in(base, setup["login"], setup["emails"][role], GENERATED_PASSWORD)
            for role in sorted({page.role for page in PAGES if page.role})
        }
        statuses: dict[str, set] = {}

        def ask(page):
            headers = {"User-Agent": USER_AGENT}
            if page.role:
                headers["Cookie"] = f"session={cookies[page.role]}"
            for _ in range(args.requests):
                status, _ = request(base, setup["paths"][page.name], headers)
                statuses.setdefault(page.name, set()).add(status)

        for start in range(0, len(PAGES), 4):
            threads = [threading.Thread(target=ask, args=(p,)) for p in PAGES[start : start + 4]]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        workers = worker_pids(master)
        record = {
            "memory": "gunicorn_workers",
            "scale": args.scale,
            "database": args.database,
            "preload": args.preload,
            "requests_per_page": args.requests,
            "rss_mb": {str(pid): rss_mb(pid) for pid in workers},
            "pss_mb": {str(pid): pss_mb(pid) for pid in workers},
            "master_rss_mb": rss_mb(master),
            "master_pss_mb": pss_mb(master),
            "statuses": {name: sorted(found) for name, found in statuses.items()},
        }
        pss = [value for value in record["pss_mb"].values() if value is not None]
        master_pss = record["master_pss_mb"] or 0
        record["total_pss_mb"] = round(sum(pss) + master_pss, 1)
    print(json.dumps(record))


if __name__ == "__main__":
    main()
