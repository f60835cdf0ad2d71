"""Writes under load: autosaved diagnostic answers and attendance taps while the bilan is read.

    python bench/writes.py [--writers 50] [--readers 10] [--duration 20] [--workers 4]

PostgreSQL only (127.0.0.1:5432, user postgres): a scratch database gets an open diagnostic
campaign (5 themes × 4 skills), half the writers as people answering it (spread over 5
départements and 2 categories, so that some share a summary row as real colleagues do) and
half as trainers, each of their own session with a séance under way and 10 people on its
roster. gunicorn (``--workers`` sync workers, 127.0.0.1 only) serves them; every writer loops
on its own write (an autosave of one answer, or one attendance tap, ``--pause`` seconds apart
on average; 0: back to back) and ``--readers`` coordinators load the bilan, for
``--duration`` seconds, while one more client loads the trivial route (queueing alone). A sampler reads ``pg_stat_activity``
and ``pg_locks`` every 50 ms: how often a backend waited on a lock, and what it was running.

Prints one JSON line: p50/p95 of each kind of request, the trivial route's p50 measured alone
first (the ratio of reference), and the lock waits seen (samples, the most at once, and the
statements that waited, by their first words).
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
        "answerers": [p.email for p in answerers],
        "trainers": [
            (t.email, seance.id, [p.id for p in people])
            for (t, people), seance in zip(trainers, seances, strict=True)
        ],
        "coordinators": [p.email for p in coordinators],
    }


class Sampler(threading.Thread):
    """Every 50 ms: the backends of the database waiting on a lock, and what they run."""

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
        self.statements: Counter = Counter()

    def run(self) -> None:
        while not self.stop.is_set():
            rows = self.connection.execute(
                "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            ).fetchall()
            ungranted = self.connection.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE NOT l.granted AND a.datname = current_database()"
            ).fetchone()[0]
            self.samples += 1
            self.ungranted_locks += ungranted
            if rows:
                self.samples_with_waits += 1
                self.most = max(self.most, len(rows))
                for (query,) in rows:
                    self.statements[" ".join(re.sub(r"\s+", " ", query).split()[:4])] += 1
            time.sleep(0.05)
        self.connection.close()


def _loop(call, until: float, latencies: list, errors: list, pause: float = 0.0) -> None:
    while time.monotonic() < until:
        if pause:
            time.sleep(pause * random.random() * 2)  # clients out of step, ``pause`` on average
        started = time.perf_counter()
        try:
            status = call()
        except Exception as error:  # noqa: BLE001 (counted below)
            status = repr(error)
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            errors.append(status)


def _answerer(client: Client, campaign: int, skills: list[int], rng: random.Random):
    def call():
        skill = rng.choice(skills)
        wish = rng.choice(["no", "yes", "priority"])
        status, _ = client.post(
            f"/diagnostic/{campaign}/competences/{skill}",
            {f"wish-{skill}": wish, "csrf_token": client.csrf},
            {"HX-Request": "true"},
        )
        return status

    return call


def _trainer(client: Client, seance: int, people: list[int], rng: random.Random):
    def call():
        person = rng.choice(people)
        status, _ = client.post(
            f"/mes-sessions/seances/{seance}/personnes/{person}",
            {"status": rng.choice(["present", "absent", "late"]), "csrf_token": client.csrf},
            {"HX-Request": "true"},
        )
        return status

    return call


def _reader(client: Client):
    def call():
        with client.opener.open(client.base + "/bilan", timeout=120) as answer:
            answer.read()
            return answer.status

    return call


def _token(page: str) -> str:
    match = CSRF_RE.search(page)
    return match.group(1) if match else ""


def _clients(base: str, data: dict) -> list[tuple[str, object]]:
    calls = []
    rng = random.Random(1)
    for email in data["answerers"]:
        client = Client(base)
        client.login(email)
        client.csrf = _token(client.get(f"/diagnostic/{data['campaign']}"))
        calls.append(("diagnostic", _answerer(client, data["campaign"], data["skills"], rng)))
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


def wsgi_app():
    """Réseau as served (CSRF on, one secret for every worker) plus the trivial route."""
    import os

    from reseau import create_app

    app = create_app(bench_config(os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_INSTANCE"]))

    @app.route("/bench/trivial")
    def trivial():
        return "ok"

    return app


def run(writers: int, readers: int, duration: float, workers: int, pause: float) -> dict:
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
            sampler = Sampler(url)
            latencies = {kind: [] for kind, _ in calls}
            errors: dict[str, list] = {kind: [] for kind, _ in calls}
            until = time.monotonic() + duration
            threads = [
                threading.Thread(
                    target=_loop, args=(call, until, latencies[kind], errors[kind], pause)
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
    trivial_p95 = figures["trivial"]["p95_ms"]
    return {
        "writers": writers,
        "pause_s": pause,
        "readers": readers,
        "workers": workers,
        "duration_s": duration,
        "trivial_p50_ms": trivial,
        "write_p95_ms": round(percentile(writes, 0.95), 1),
        # Above 1: the write costs more than queueing for a worker does.
        "write_p95_over_trivial_p95": round(percentile(writes, 0.95) / trivial_p95, 2)
        if trivial_p95
        else None,
        "by_kind": figures,
        "lock_waits": {
            "samples": sampler.samples,
            "samples_with_a_wait": sampler.samples_with_waits,
            "most_waiting_at_once": sampler.most,
            "ungranted_locks_seen": sampler.ungranted_locks,
            "waiting_statements": dict(sampler.statements.most_common(8)),
        },
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
    args = parser.parse_args()
    print(json.dumps(run(args.writers, args.readers, args.duration, args.workers, args.pause)))


if __name__ == "__main__":
    main()
