"""Pieces shared by the HTTP benchmarks: configuration, gunicorn on loopback, wrk, JSON lines.

Both ``bench/ics.py`` and ``bench/pages.py`` serve the application under gunicorn (sync workers,
bound to 127.0.0.1 only) from a ``wsgi_app()`` factory of their own, and load it with ``wrk``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-not-for-production"  # noqa: S105 (throwaway bench databases)
REPORT_LUA = Path(__file__).resolve().parent / "report.lua"
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def bench_config(database_url: str, instance: str) -> dict:
    return {
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "http://127.0.0.1",
        "MAIL_DIRECTORY": os.path.join(instance, "mail"),
        # The benchmarks log many people in from one address: no rate limits here.
        "RATELIMIT_ENABLED": False,
    }


def emit(**record) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (http://127.0.0.1 only)
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {url}")


def fetch_etag(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return response.headers["ETag"]


@contextlib.contextmanager
def gunicorn(
    app_spec: str,
    env: dict[str, str],
    *,
    workers: int = 2,
    ready: str = "/",
    preload: bool = False,
):
    """Run ``gunicorn app_spec`` (sync workers, loopback only) for the block; with
    ``preload``, the application is loaded once in the master and the workers share its pages.

    Yields ``(base_url, master_pid)``; the server is stopped (its whole process group) on exit.
    """
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            *(["--preload"] if preload else []),
            app_spec,
        ],
        env={**os.environ, **env},
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # Four workers importing the application on a loaded 2-core machine take a while.
        wait_until_up(base + ready, timeout=120)
        yield base, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def worker_pids(master_pid: int) -> list[int]:
    """Return the pids of the children of ``master_pid`` (gunicorn's workers)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    with contextlib.suppress(OSError):
        return sorted(int(pid) for pid in children.read_text().split())
    found = []  # kernels without the children file: scan the process table
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master_pid:
                found.append(int(stat.parent.name))
    return sorted(found)


def rss_mb(pid: int) -> float | None:
    """Return the resident memory (VmRSS) of ``pid`` in MB, or None if it is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def pss_mb(pid: int) -> float | None:
    """Return the proportional set size of ``pid`` in MB (its private pages, and each page it
    shares with N processes counted 1/N: what it really costs), or None if it is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def duration_ms(text: str) -> float | None:
    """Turn one of wrk's durations ("812.00us", "1.23ms", "2.01s") into milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return round(float(match.group(1)) * _UNIT_MS[match.group(2)], 3) if match else None


def run_wrk(
    url: str,
    duration: float,
    headers: dict[str, str],
    *,
    threads: int = 2,
    connections: int = 2,
    timeout: str = "10s",
    report: bool = False,
) -> tuple[dict, str]:
    """Run wrk (with ``--latency``) against ``url``; return its parsed figures and raw output.

    With ``report``, ``bench/report.lua`` adds p95 and the request and error counts (wrk's
    ``done`` hook), which the text output lacks.
    """
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
    command += ["--timeout", timeout, "--latency"]
    if report:
        command += ["--script", str(REPORT_LUA)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=duration + 60, check=True
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s*50%\s+([\d.]+\w+)", output, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    total = re.search(r"(\d+) requests in", output)
    figures = {
        "requests": int(total.group(1)) if total else None,
        "requests_per_s": round(float(rate.group(1)), 1) if rate else None,
        "latency_p50": p50.group(1) if p50 else None,
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }
    if report:
        lines = [line for line in output.splitlines() if line.startswith('{"wrk_report"')]
        figures["report"] = json.loads(lines[-1]) if lines else None
    return figures, output
