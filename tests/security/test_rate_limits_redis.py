"""Rate-limit counts shared between gunicorn workers through Redis (RATELIMIT_STORAGE_URI).

Each "worker" is its own Python process creating its own app, as gunicorn's workers do:
within one process Flask-Limiter keeps a single storage for every app, so two apps there
would share counts even in memory and prove nothing. Redis must run on 127.0.0.1:6379 (as in
CI, where its absence is a failure); elsewhere the test is skipped without it. The keys carry
a prefix unique to the run, and only they are deleted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest

from tests.databases import IN_CI

REDIS_URL = "redis://127.0.0.1:6379/0"
ATTEMPTS_ALLOWED = 3
WORKER = """
import json, sys
from reseau import create_app

config, attempts = json.loads(sys.argv[1]), int(sys.argv[2])
client = create_app(config).test_client()
form = {"email": "personne-inconnue@exemple.test", "password": "pas-le-bon-mot-de-passe"}
print(json.dumps([client.post("/connexion", data=form).status_code for _ in range(attempts)]))
"""


@pytest.fixture
def redis_client():
    message = "Redis is not reachable on 127.0.0.1:6379 (apt-get install redis-server)"
    try:
        import redis
    except ImportError:  # the dev extra installs it
        if IN_CI:
            pytest.fail("the redis package is missing (pip install -e '.[dev]')", pytrace=False)
        pytest.skip("the redis package is missing")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    yield client
    client.close()


@pytest.fixture
def key_prefix(redis_client):
    prefix = f"reseau-test-{uuid.uuid4().hex}"
    yield prefix
    for key in redis_client.scan_iter(match=f"*{prefix}*", count=500):
        redis_client.delete(key)


def _worker(app_config: dict, storage_uri: str, prefix: str, attempts: int) -> list[int]:
    config = {
        **app_config,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": storage_uri,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_LOGIN": f"{ATTEMPTS_ALLOWED} per minute",
    }
    done = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(config), str(attempts)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_login_attempts_are_counted_across_workers_with_redis(app_config, redis_client, key_prefix):
    # Worker A takes every allowed attempt; worker B's first one is already refused.
    assert _worker(app_config, REDIS_URL, key_prefix, ATTEMPTS_ALLOWED) == [422] * ATTEMPTS_ALLOWED
    assert any(redis_client.scan_iter(match=f"*{key_prefix}*"))  # the count lives in Redis
    assert _worker(app_config, REDIS_URL, key_prefix, 2) == [429, 429]


def test_in_memory_counts_stay_within_each_worker(app_config, key_prefix):
    """The single-process default: why several workers need Redis (the control of the test
    above, with the same two processes)."""
    assert _worker(app_config, "memory://", key_prefix, ATTEMPTS_ALLOWED) == [422] * 3
    assert _worker(app_config, "memory://", key_prefix, 1) == [422]
