"""Tokens never reach gunicorn's logs: a real gunicorn (one sync worker, 127.0.0.1, a free
port) serves the app with its access and error logs in files; token URLs are requested, in
the path and in the Referer; neither log holds the token, and the access log still has the
lines, with « … » in its place."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import gunicorn.config

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SECRET = "Zk3-gunicorn_SECRET.token"
# gunicorn's default format, plus the path and a header that is never sent: its "-" comes
# from gunicorn's own atoms dict, which the redaction must keep.
ACCESS_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s %({x-absent}i)s'


# gunicorn 24+ opens a control socket in the home directory; the test server needs none.
_NO_CONTROL_SOCKET = (
    ["--no-control-socket"]
    if any(setting.name == "control_socket_disable" for setting in gunicorn.config.KNOWN_SETTINGS)
    else []
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(port: int, server: subprocess.Popen, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError("gunicorn exited before serving")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("gunicorn did not listen in time")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str, referer: str) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Referer": referer})  # noqa: S310 (http://127.0.0.1 only)
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def test_gunicorn_logs_hold_no_token(app_config, tmp_path):
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    port = _free_port()
    env = {**os.environ, "RESEAU_TEST_CONFIG": json.dumps(app_config), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "--workers=1",
            f"--bind=127.0.0.1:{port}",
            f"--access-logfile={access_log}",
            f"--access-logformat={ACCESS_FORMAT}",
            f"--error-logfile={error_log}",
            "--log-level=debug",
            *_NO_CONTROL_SOCKET,
            "tests.security.gunicorn_app:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_listening(port, server)
        base = f"http://127.0.0.1:{port}"
        referer = f"https://reseau.example/invitation/{SECRET}"
        statuses = {
            path: _get(base + path, referer)
            for path in (
                f"/agenda/prive/{SECRET}.ics",  # private calendar feed
                f"/emargement/7/{SECRET}",  # QR check-in (anonymous: to the login page)
                f"/invitation/{SECRET}?suite=1",
                f"/reinitialiser/{SECRET}?crash=1",  # fails outside Flask
            )
        }
        assert statuses[f"/agenda/prive/{SECRET}.ics"] == 404
        assert statuses[f"/emargement/7/{SECRET}"] == 302
        assert statuses[f"/reinitialiser/{SECRET}?crash=1"] == 500
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    access, errors = access_log.read_text(), error_log.read_text()
    assert SECRET not in access, access
    assert SECRET not in errors, errors
    assert '"GET /agenda/prive/….ics HTTP/1.1" 404 "https://reseau.example/invitation/…"' in access
    assert "/emargement/7/… " in access and "/invitation/… suite=1 -" in access
    assert "Error handling request GET /reinitialiser/…?crash=1" in errors
    assert "GET /agenda/prive/….ics" in errors  # the debug line of each request
    assert "Traceback" not in access and "KeyError" not in errors
