"""Writes under load: autosaved diagnostic answers and attendance taps while the bilan is read.

    python bench/writes.py [--writers 50] [--readers 10] [--duration 20] [--workers 4]
        [--pause 1 | --rate 40 --reader-rate 4]

PostgreSQL only (127.0.0.1:5432, user postgres): a scratch database gets an open diagnostic
campaign (5 themes × 4 skills), half the writers as people answering it (spread over 5
départements and 2 categories, so that some share a summary row as real colleagues do) and
half as trainers, each of their own session with a séance under way and 10 people on its
roster. gunicorn (``--workers`` sync workers, 127.0.0.1 only) serves them; every writer loops
on its own write (an autosave of one answer, or one attendance tap) and ``--readers``
coordinators load the bilan, for ``--duration`` seconds, while one more client loads the
trivial route. Pacing: ``--pause`` seconds between a client's requests on average (0: back to
back, a closed loop whose latencies are mostly the queue for a worker on a small machine), or
``--rate`` writes per second for all the writers together (and ``--reader-rate`` bilans per
second): each client keeps its own fixed schedule, so the load stays the same whatever the
latency, and a latency is measured from the moment the request was due. The trivial route is
loaded at 5 requests per second beside them: its p95 is what queueing alone costs under that
load, printed beside the write p95.

Every request carries the key of what it writes (``X-Bench-Key``: ``attendance:seance<id>``,
or ``diagnostic:d<département>:<category>`` for an answer, whose summary rows are shared by
the people of that département and category), which the bench's app puts in the database
connection's ``application_name``. A sampler reads ``pg_locks`` every 50 ms: each lock not
granted, with the backend that waits and those that block it (``pg_blocking_pids()``), their
keys and statements. A wait between two different keys is a write waiting on an unrelated
write; the output says whether any was seen (a wait shorter than the sampling period may pass
unseen).

Prints one JSON line: p50/p95 of each kind of request, the trivial route's p50 measured alone
first, the write p95 beside the trivial route's p95 under the same load, and the lock waits.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_config, gunicorn  # noqa: E402
from bench.enrol_burst import (  # noqa: E402
    CSRF_RE,
    Client,
    create_scratch_database,
    drop_scratch_database,
    fast_password_hash,
    percentile,
)

THEMES, SKILLS_PER_THEME, ROSTER = 5, 4, 10
KEY_HEADER = "X-Bench-Key"  # what a request writes: its connection's application_name
TRIVIAL_RATE = 5.0  # requests per second of the trivial route during the run


def _person(email: str, category, centre=None, roles=()):
    from reseau.accounts.models import User, UserStatus

    person = User(
        email=email,
        first_name=email.split("@")[0],
        last_name="Banc",
        category=category,
        status=UserStatus.ACTIVE,
        password_hash=fast_password_hash(),
        centre=centre,
    )
    person.set_roles(list(roles))
    return person


def seed(writers: int, readers: int) -> dict:
    """The scratch data (inside an app context); return what the clients need."""
    from reseau.accounts.models import Category, Centre, Department, Role
    from reseau.catalogue.models import Seance, SessionStatus, Theme, TrainingSession
    from reseau.core.database import utcnow
    from reseau.core.extensions import db
    from reseau.core.i18n import to_local
    from reseau.diagnostic.models import DiagnosticCampaign, DiagnosticSkill
    from reseau.enrolment.models import Enrolment, EnrolmentStatus

    departments = [Department(code=f"9{n}", name=f"Département {n}") for n in range(5)]
    centres = [
        Centre(name=f"Centre {n}", town=f"Ville {n}", department=departments[n % 5])
        for n in range(10)
    ]
    themes = [Theme(name=f"Thème {n}", slug=f"theme-{n}", position=n) for n in range(THEMES)]
    today = to_local(utcnow()).date()
    campaign = DiagnosticCampaign(
        title="Diagnostic du banc", opens_on=today - timedelta(days=1), closes_on=today
    )
    for n, theme in enumerate(themes):
        for k in range(SKILLS_PER_THEME):
            campaign.skills.append(
                DiagnosticSkill(theme=theme, title=f"Compétence {n}.{k}", position=n * 10 + k)
            )
    db.session.add_all([*departments, *centres, *themes, campaign])
    answerers = [
        _person(
            f"repond{n}@banc.reseau.test",
            (Category.BENEVOLE, Category.SALARIE)[n % 2],
            centres[n % len(centres)],
        )
        for n in range(writers // 2)
    ]
    now = utcnow().replace(microsecond=0)
    trainers, seances = [], []
    for n in range(writers - len(answerers)):
        trainer = _person(f"forme{n}@banc.reseau.test", Category.SALARIE, roles=[Role.TRAINER])
        session = TrainingSession(
            title=f"Session {n}", status=SessionStatus.PUBLISHED, capacity=ROSTER, theme=themes[0]
        )
        seance = Seance(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=3))
        session.seances.append(seance)
        session.sync_dates()
        session.trainers.append(trainer)
        people = [
            _person(f"p{n}-{k}@banc.reseau.test", Category.BENEVOLE, centres[k])
            for k in range(ROSTER)
        ]
        db.session.add_all([session, *people])
        for person in people:
            db.session.add(
                Enrolment(session=session, person=person, status=EnrolmentStatus.CONFIRMED)
            )
        trainers.append((trainer, people))
        seances.append(seance)
    coordinators = [
        _person(f"coord{n}@banc.reseau.test", Category.SALARIE, roles=[Role.COORDINATOR])
        for n in range(readers)
    ]
    db.session.add_all([*answerers, *coordinators])
    db.session.commit()
    return {
        "campaign": campaign.id,
        "skills": [skill.id for skill in campaign.skills],
        "answerers": [
            (p.email, f"diagnostic:d{p.centre.department.code}:{p.category.value}")
            for p in answerers
        ],
        "trainers": [
            (t.email, seance.id, [p.id for p in people])
            for (t, people), seance in zip(trainers, seances, strict=True)
        ],
        "coordinators": [p.email for p in coordinators],
    }


WAITS = """
SELECT waiting.pid, waiting.application_name, waiting.query, lock.locktype, lock.mode,
       lock.relation::regclass::text, blocking.pid, blocking.application_name, blocking.query,
       blocking.state
FROM pg_locks AS lock
JOIN pg_stat_activity AS waiting ON waiting.pid = lock.pid
CROSS JOIN LATERAL unnest(pg_blocking_pids(lock.pid)) AS blocker(pid)
JOIN pg_stat_activity AS blocking ON blocking.pid = blocker.pid
WHERE NOT lock.granted AND waiting.datname = current_database()
"""


def _words(query: str, count: int = 6) -> str:
    return " ".join(re.sub(r"\s+", " ", query or "").split()[:count])


class Sampler(threading.Thread):
    """Every 50 ms: the locks not granted in the database, who waits and who blocks them."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        import psycopg

        self.connection = psycopg.connect(
            url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
        )
        self.stop = threading.Event()
        self.samples = 0
        self.samples_with_waits = 0
        self.most = 0
        self.ungranted_locks = 0
        self.related = 0  # (waiter, blocker) pairs seen with the same key
        self.unrelated = 0  # … with different keys: a write waiting on an unrelated write
        self.pairs: Counter = Counter()
        self.unrelated_pairs: Counter = Counter()

    def run(self) -> None:
        while not self.stop.is_set():
            rows = self.connection.execute(WAITS).fetchall()
            self.samples += 1
            waiting = {row[0] for row in rows}
            self.ungranted_locks += len(waiting)
            if rows:
                self.samples_with_waits += 1
                self.most = max(self.most, len(waiting))
            for (
                _,
                key,
                query,
                locktype,
                mode,
                relation,
                _,
                blocker_key,
                blocker_query,
                state,
            ) in rows:
                pair = (
                    f"{key or '?'} [{_words(query)}] waits ({locktype} {mode}"
                    f"{' on ' + relation if relation else ''}) for {blocker_key or '?'}"
                    f" [{_words(blocker_query)}] ({state})"
                )
                self.pairs[pair] += 1
                if key and key == blocker_key:
                    self.related += 1
                else:
                    self.unrelated += 1
                    self.unrelated_pairs[pair] += 1
            time.sleep(0.05)
        self.connection.close()

    def report(self) -> dict:
        verdict = (
            "no write waited on an unrelated write"
            if not self.unrelated
            else f"writes waited on unrelated writes: {self.unrelated} (waiter, blocker) pairs "
            f"seen in {self.samples} samples"
        )
        return {
            "verdict": verdict,
            "samples": self.samples,
            "samples_with_a_wait": self.samples_with_waits,
            "most_waiting_at_once": self.most,
            "waiting_backends_seen": self.ungranted_locks,
            "related_pairs_seen": self.related,
            "unrelated_pairs_seen": self.unrelated,
            "unrelated": dict(self.unrelated_pairs.most_common(8)),
            "all": dict(self.pairs.most_common(8)),
        }


def _loop(call, until: float, latencies: list, errors: list, pause: float = 0.0, period=None):
    """Call ``call`` until ``until``: every ``period`` seconds on a fixed schedule (a late
    request is sent at once, and its latency counts from when it was due), else
    ``pause`` seconds apart on average (0: back to back)."""
    due = time.monotonic() + (random.random() * period if period else 0.0)
    while time.monotonic() < until:
        if period:
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if due >= until:
                break
            started = time.perf_counter() - max(time.monotonic() - due, 0.0)
            due += period
        else:
            if pause:
                time.sleep(pause * random.random() * 2)  # clients out of step
            started = time.perf_counter()
        try:
            status = call()
        except Exception as error:  # noqa: BLE001 (counted below)
            status = repr(error)
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            errors.append(status)


def _answerer(client: Client, campaign: int, skills: list[int], key: str, rng: random.Random):
    def call():
        skill = rng.choice(skills)
        wish = rng.choice(["no", "yes", "priority"])
        status, _ = client.post(
            f"/diagnostic/{campaign}/competences/{skill}",
            {f"wish-{skill}": wish, "csrf_token": client.csrf},
            {"HX-Request": "true", KEY_HEADER: key},
        )
        return status

    return call


def _trainer(client: Client, seance: int, people: list[int], rng: random.Random):
    def call():
        person = rng.choice(people)
        status, _ = client.post(
            f"/mes-sessions/seances/{seance}/personnes/{person}",
            {"status": rng.choice(["present", "absent", "late"]), "csrf_token": client.csrf},
            {"HX-Request": "true", KEY_HEADER: f"attendance:seance{seance}"},
        )
        return status

    return call


def _reader(client: Client):
    request = urllib.request.Request(client.base + "/bilan", headers={KEY_HEADER: "bilan"})  # noqa: S310

    def call():
        with client.opener.open(request, timeout=120) as answer:
            answer.read()
            return answer.status

    return call


def _token(page: str) -> str:
    match = CSRF_RE.search(page)
    return match.group(1) if match else ""


def _clients(base: str, data: dict) -> list[tuple[str, object]]:
    calls = []
    rng = random.Random(1)
    for email, key in data["answerers"]:
        client = Client(base)
        client.login(email)
        client.csrf = _token(client.get(f"/diagnostic/{data['campaign']}"))
        calls.append(("diagnostic", _answerer(client, data["campaign"], data["skills"], key, rng)))
    for email, seance, people in data["trainers"]:
        client = Client(base)
        client.login(email)
        client.csrf = _token(client.get(f"/mes-sessions/seances/{seance}"))
        calls.append(("attendance", _trainer(client, seance, people, rng)))
    for email in data["coordinators"]:
        client = Client(base)
        client.login(email)
        calls.append(("bilan", _reader(client)))
    # The trivial route under the same load: what queueing for a worker alone costs.
    calls.append(("trivial", _trivial(Client(base))))
    return calls


def _trivial(client: Client):
    def call():
        with client.opener.open(client.base + "/bench/trivial", timeout=120) as answer:
            answer.read()
            return answer.status

    return call


def _trivial_p50(base: str, count: int = 200) -> float:
    client = Client(base)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        client.get("/bench/trivial")
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def _warm_up(calls) -> None:
    """Each client's request once, four at a time, unmeasured: every worker has compiled its
    templates and statements before the run."""
    pending = list(calls)
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                if not pending:
                    return
                _, call = pending.pop()
            call()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def wsgi_app():
    """Réseau as served (CSRF on, one secret for every worker) plus the trivial route."""
    import os

    import sqlalchemy as sa
    from flask import request

    from reseau import create_app
    from reseau.core.extensions import db

    app = create_app(bench_config(os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_INSTANCE"]))

    @app.before_request
    def name_the_connection():
        # The sampler tells related waits (same key) from unrelated ones by this name.
        key = request.headers.get(KEY_HEADER)
        if key:
            db.session.execute(
                sa.text("SELECT set_config('application_name', :key, false)"), {"key": key}
            )

    @app.route("/bench/trivial")
    def trivial():
        return "ok"

    return app


def run(
    writers: int,
    readers: int,
    duration: float,
    workers: int,
    pause: float,
    rate: float | None = None,
    reader_rate: float | None = None,
) -> dict:
    from reseau import create_app
    from reseau.core.extensions import db

    directory = tempfile.mkdtemp(prefix="reseau-bench-writes-")
    url = create_scratch_database("postgresql", directory)
    try:
        app = create_app(bench_config(url, directory))
        with app.app_context():
            db.create_all()
            data = seed(writers, readers)
            db.session.remove()
            db.engine.dispose()
        env = {"BENCH_DATABASE_URL": url, "BENCH_INSTANCE": directory}
        with gunicorn("bench.writes:wsgi_app()", env, workers=workers, ready="/bench/trivial") as (
            base,
            _,
        ):
            trivial = _trivial_p50(base)
            calls = _clients(base, data)
            _warm_up(calls)
            sampler = Sampler(url)
            latencies = {kind: [] for kind, _ in calls}
            errors: dict[str, list] = {kind: [] for kind, _ in calls}
            until = time.monotonic() + duration
            periods = {"trivial": 1 / TRIVIAL_RATE if rate else None}
            if rate:
                periods["diagnostic"] = periods["attendance"] = writers / rate
            if reader_rate:
                periods["bilan"] = readers / reader_rate
            threads = [
                threading.Thread(
                    target=_loop,
                    args=(call, until, latencies[kind], errors[kind], pause, periods.get(kind)),
                )
                for kind, call in calls
            ]
            sampler.start()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            sampler.stop.set()
            sampler.join()
    finally:
        drop_scratch_database(url)
        shutil.rmtree(directory, ignore_errors=True)
    figures = {
        kind: {
            "requests": len(values),
            "errors": len(errors[kind]),
            "p50_ms": round(statistics.median(values), 1) if values else None,
            "p95_ms": round(percentile(values, 0.95), 1),
        }
        for kind, values in latencies.items()
    }
    writes = latencies.get("diagnostic", []) + latencies.get("attendance", [])
    write_p95 = round(percentile(writes, 0.95), 1)
    trivial_p95 = figures["trivial"]["p95_ms"]
    return {
        "writers": writers,
        "pacing": f"{rate} writes/s in all, bilan {reader_rate or 'back to back'}"
        if rate
        else f"{pause} s between a client's requests on average",
        "readers": readers,
        "workers": workers,
        "duration_s": duration,
        "trivial_p50_ms_alone": trivial,
        "write_requests": len(writes),
        "write_p95_ms": write_p95,
        "trivial_p95_ms_under_load": trivial_p95,
        # Above 1: the write costs more than queueing for a worker does.
        "write_p95_over_trivial_p95": round(write_p95 / trivial_p95, 2) if trivial_p95 else None,
        "by_kind": figures,
        "lock_waits": sampler.report(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--pause", type=float, default=1.0, help="seconds between a client's requests, on average"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="writes per second, all writers together, each on a fixed schedule (instead of "
        "--pause); the trivial route then runs at 5 per second",
    )
    parser.add_argument(
        "--reader-rate",
        type=float,
        default=None,
        help="with --rate: bilans per second, all readers together (default: --pause)",
    )
    args = parser.parse_args()
    result = run(
        args.writers,
        args.readers,
        args.duration,
        args.workers,
        args.pause,
        args.rate,
        args.reader_rate,
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
