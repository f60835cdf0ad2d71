"""Issue 13: deploy-check reads what gunicorn really runs with (command line, config file,
GUNICORN_CMD_ARGS, running processes), the key's entropy and a proxy left unconfigured."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from reseau import create_app
from reseau.core.deploy import GunicornSetup, deploy_problems, read_gunicorn, running_gunicorns
from tests.security.settings import SAFE

SQLITE = {**SAFE, "SQLALCHEMY_DATABASE_URI": "sqlite:////srv/reseau.sqlite"}
MEMORY = {**SAFE, "RATELIMIT_STORAGE_URI": "memory://"}


def _setup(argv, environ=None, cwd=None):
    return read_gunicorn(argv, environ or {}, cwd or Path("/nonexistent"), where="essai")


@pytest.mark.parametrize(
    "argv", [["-w", "4", "wsgi:app"], ["-w4", "wsgi:app"], ["--workers=4", "wsgi:app"]]
)
def test_workers_on_the_gunicorn_command_line(argv):
    setup = _setup(argv)
    assert setup.workers == 4
    problems = deploy_problems(SQLITE, {}, gunicorn=[setup])
    assert any("SQLite avec 4 workers (essai)" in problem for problem in problems), problems
    problems = deploy_problems(MEMORY, {}, gunicorn=[setup])
    assert any("memory:// avec 4 workers" in problem for problem in problems), problems


def test_workers_from_a_config_file_the_environment_and_their_order(tmp_path):
    (tmp_path / "gunicorn.conf.py").write_text("workers = 3\n")
    (tmp_path / "autre.py").write_text("import multiprocessing\nworkers = 2 * 2 + 1\n")
    assert _setup(["wsgi:app"], cwd=tmp_path).workers == 3  # ./gunicorn.conf.py, as gunicorn
    assert _setup(["-c", "autre.py", "wsgi:app"], cwd=tmp_path).workers == 5
    via_env = {"GUNICORN_CMD_ARGS": "-c autre.py"}
    assert _setup(["wsgi:app"], via_env, tmp_path).workers == 5
    # The command line wins over the file and GUNICORN_CMD_ARGS, which win over the default.
    assert _setup(["-w", "2", "wsgi:app"], {"GUNICORN_CMD_ARGS": "-w 6"}, tmp_path).workers == 2
    assert _setup(["wsgi:app"], {"GUNICORN_CMD_ARGS": "-w 6"}, tmp_path).workers == 6
    assert _setup([], {"WEB_CONCURRENCY": "7"}).workers == 7
    assert _setup([], {"WEB_CONCURRENCY": "7"}, tmp_path).workers == 3


def test_running_gunicorns_are_read_from_proc(tmp_path):
    proc, served = tmp_path / "proc", tmp_path / "srv"
    served.mkdir()
    (served / "gunicorn.conf.py").write_text("bind = '0.0.0.0:8000'\n")

    def process(pid, ppid, argv, environ=""):
        entry = proc / str(pid)
        entry.mkdir(parents=True)
        (entry / "cmdline").write_bytes("\0".join(argv).encode() + b"\0")
        (entry / "stat").write_text(f"{pid} (python) S {ppid} 1 1 0 -1")
        (entry / "environ").write_bytes(environ.encode())
        os.symlink(served, entry / "cwd")

    command = ["/srv/.venv/bin/python", "/srv/.venv/bin/gunicorn", "--workers", "2", "wsgi:app"]
    process(100, 1, command, "GUNICORN_CMD_ARGS=--threads 4\0HOME=/srv\0")
    for pid in (101, 102, 103):  # one more worker than asked: count what runs
        process(pid, 100, command)
    process(200, 1, ["/usr/bin/python3", "autre.py"])
    (setup,) = running_gunicorns(proc)
    assert setup == GunicornSetup(
        where="gunicorn, processus 100", workers=3, serves_tls=False, local_only=False
    )


@pytest.mark.parametrize(
    "key",
    [
        "a" * 32,
        "ab" * 16,
        "0123456789abcdef" * 2,
        "aaaaaaaaaaaaaaaaaaaaaaaa12345678",
    ],
)
def test_a_long_key_without_entropy_is_weak(key):
    problems = deploy_problems({**SAFE, "SECRET_KEY": key}, {}, gunicorn=[])
    assert any("SECRET_KEY est faible" in problem for problem in problems), problems


def test_random_keys_are_not_weak():
    import secrets

    for key in (secrets.token_hex(16), secrets.token_hex(32), secrets.token_urlsafe(32)):
        assert deploy_problems({**SAFE, "SECRET_KEY": key}, {}, gunicorn=[]) == []


@pytest.mark.parametrize(
    "argv, proxied",
    [
        (["wsgi:app"], True),  # gunicorn's default bind: 127.0.0.1:8000
        (["-b", "unix:/run/reseau.sock", "wsgi:app"], True),
        (["-b", "0.0.0.0:8000", "wsgi:app"], True),  # https:// served by someone else
        (["-b", "0.0.0.0:443", "--certfile", "c.pem", "--keyfile", "k.pem", "wsgi:app"], False),
    ],
)
def test_proxy_fix_hops_zero_behind_a_proxy_is_listed(argv, proxied):
    setup = _setup(argv)
    problems = deploy_problems({**SAFE, "PROXY_FIX_HOPS": 0}, {}, gunicorn=[setup])
    assert any("PROXY_FIX_HOPS=0" in problem for problem in problems) is proxied, problems
    assert deploy_problems(SAFE, {}, gunicorn=[setup]) == []


def test_deploy_check_reads_the_gunicorn_command_it_is_given(app, runner):
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    result = runner.invoke(args=["deploy-check", "--", ".venv/bin/gunicorn", "-w", "4", "wsgi:app"])
    assert result.exit_code == 1
    assert "memory:// avec 4 workers (la commande gunicorn donnée)" in result.output


def test_proxy_headers_from_the_machine_are_logged_once(app_config, caplog):
    app_config["PROXY_FIX_HOPS"] = 0
    app = create_app(app_config)
    client = app.test_client()
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        client.get("/", headers=headers, environ_base={"REMOTE_ADDR": "80.67.169.12"})
        assert "PROXY_FIX_HOPS" not in caplog.text  # from the internet: anyone can send them
        client.get("/", headers=headers)
        client.get("/", headers=headers)
    assert caplog.text.count("PROXY_FIX_HOPS=0") == 1
