"""What each library adds to a worker's memory when the application is created.

    .venv/bin/python bench/import_memory.py [--top 25] [--database-url URL]

Creates the application as a gunicorn worker does and, for every top-level package imported
on the way, reads the process's resident memory (VmRSS) before and after its first import:
the growth it caused itself, its own imports of other new packages set apart (those are
counted under their own name). Prints the total and the largest, then who imported each of
the largest first (the line of our code or of a library that pulled it in).
"""

from __future__ import annotations

import argparse
import builtins
import sys
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--database-url", default=f"sqlite:///{ROOT / 'instance' / 'bench' / 'unused.sqlite'}"
    )
    args = parser.parse_args()

    original = builtins.__import__
    stack: list[float] = []
    own: Counter = Counter()
    first_importer: dict[str, str] = {}

    def measuring_import(name, globals=None, locals=None, fromlist=(), level=0):
        top = name.partition(".")[0]
        if level or top in sys.modules:
            return original(name, globals, locals, fromlist, level)
        caller = next(
            (
                f"{frame.filename.rsplit('site-packages/', 1)[-1]}:{frame.lineno}"
                for frame in reversed(traceback.extract_stack()[:-1])
                if "importlib" not in frame.filename and "<frozen" not in frame.filename
            ),
            "?",
        )
        first_importer.setdefault(top, caller)
        before = rss_mb()
        stack.append(0.0)
        try:
            return original(name, globals, locals, fromlist, level)
        finally:
            inner = stack.pop()
            grown = rss_mb() - before
            own[top] += grown - inner
            if stack:
                stack[-1] += grown

    started = rss_mb()
    builtins.__import__ = measuring_import
    try:
        from reseau import create_app

        create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": args.database_url})
    finally:
        builtins.__import__ = original
    print(f"interpreter {started:.1f} MB, after create_app {rss_mb():.1f} MB")
    for name, grown in own.most_common(args.top):
        print(f"{name:24} {grown:6.1f} MB  first imported from {first_importer.get(name, '?')}")


if __name__ == "__main__":
    main()
