"""Tokens never reach the logs: the request lines of werkzeug's server and gunicorn's access
log come out with the secret part of token URLs replaced by « … »."""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request

import pytest
from werkzeug.serving import make_server

from reseau.core.security import TokenRedactingFilter, redact_tokens

SECRET = "Zk3-secret_TOKEN.part"
TOKEN_URLS = [
    (f"/agenda/prive/{SECRET}.ics", "/agenda/prive/….ics"),
    (f"/invitation/{SECRET}", "/invitation/…"),
    (f"/reinitialiser/{SECRET}?next=/x", "/reinitialiser/…?next=/x"),
    (f"/emargement/12/{SECRET}", "/emargement/12/…"),
    (f"/inscription/{SECRET}", "/inscription/…"),
]


@pytest.mark.parametrize(("url", "redacted"), TOKEN_URLS)
def test_token_urls_are_redacted(url, redacted):
    assert redact_tokens(f'"GET {url} HTTP/1.1" 200 -') == f'"GET {redacted} HTTP/1.1" 200 -'


def test_other_urls_are_kept():
    line = (
        "GET /agenda/thematiques/eco.ics /personnes/12 /emargement /inscription "
        "/inscriptions/4/annuler /catalogue/sessions/3/inscription HTTP/1.1"
    )
    assert redact_tokens(line) == line


@pytest.mark.parametrize(("url", "redacted"), TOKEN_URLS)
def test_werkzeug_request_lines_are_redacted(app, caplog, url, redacted):
    caplog.set_level(logging.INFO, logger="werkzeug")
    # As werkzeug.serving.WSGIRequestHandler.log_request writes it (both shapes it has used).
    logger = logging.getLogger("werkzeug")
    logger.info('127.0.0.1 - - [22/Nov/2026 08:00:00] "%s" %s %s\n', f"GET {url} HTTP/1.1", 200, 5)
    logger.info("%s - - [%s] %s\n", "127.0.0.1", "22/Nov/2026", f'"GET {url} HTTP/1.1" 200 -')
    assert len(caplog.records) == 2
    assert SECRET not in caplog.text
    assert caplog.text.count(redacted) == 2


def test_gunicorn_access_lines_are_redacted(app, caplog):
    caplog.set_level(logging.INFO, logger="gunicorn.access")
    # gunicorn passes its "atoms" as a dict: the request line, the path, the referer…
    atoms = {
        "h": "127.0.0.1",
        "r": f"GET /invitation/{SECRET} HTTP/1.1",
        "U": f"/invitation/{SECRET}",
        "s": "200",
        "f": f"https://reseau.example/emargement/3/{SECRET}",
    }
    logging.getLogger("gunicorn.access").info('%(h)s "%(r)s" %(U)s %(s)s "%(f)s"', atoms)
    assert SECRET not in caplog.text
    assert '"GET /invitation/… HTTP/1.1" /invitation/… 200' in caplog.text
    assert "https://reseau.example/emargement/3/…" in caplog.text


def test_the_filter_is_installed_once(app):
    from reseau import create_app

    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    for name in ("werkzeug", "gunicorn.access", app.logger.name):
        filters = logging.getLogger(name).filters
        assert sum(isinstance(f, TokenRedactingFilter) for f in filters) == 1


def test_a_real_request_through_werkzeug_logs_no_token(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # Anonymous: the check-in link answers with the login page, without the database.
        url = f"http://127.0.0.1:{server.server_port}/emargement/7/{SECRET}"
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(url, timeout=10)
        assert answer.value.code == 302
        answer.value.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    assert "GET /emargement/7/… HTTP/1.1" in caplog.text
    assert SECRET not in caplog.text


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
