"""Writing messages to the outbox, in the caller's transaction."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import click
import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, request
from sqlalchemy.exc import IntegrityError

from reseau.core.extensions import db
from reseau.outbox.models import OutboxMail

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
LISTEN_FILE = "listen_url"  # in instance/: where the server last listened, for CLI commands
_LISTEN_KEY = "reseau_listen_url"


def base_url() -> str:
    """Return the address every link starts with (no trailing slash).

    ``BASE_URL`` when it is set. Otherwise the address the server listens on, so that a
    newcomer's ``make run PORT=5201`` hands out working links: given by ``flask run`` at
    start-up (``remember_listen_url``), else read from the request's WSGI environ
    (``SERVER_NAME``/``SERVER_PORT`` are the server's socket, not the client's Host header),
    and kept in ``instance/listen_url`` for commands run outside the server (``tick``).
    """
    app = current_app
    if app.config.get("BASE_URL"):
        return app.config["BASE_URL"].rstrip("/")
    listening = app.extensions.get(_LISTEN_KEY)
    if listening is None and has_request_context():
        environ = request.environ
        scheme = environ.get("wsgi.url_scheme", "http")
        listening = remember_listen_url(
            app, scheme, environ.get("SERVER_NAME", ""), environ.get("SERVER_PORT", "")
        )
    if listening is None:
        path = Path(app.instance_path) / LISTEN_FILE
        listening = path.read_text().strip() if path.is_file() else ""
        app.extensions[_LISTEN_KEY] = listening or None
    return listening or DEFAULT_BASE_URL


def remember_listen_url(app, scheme: str, host: str, port) -> str | None:
    """Note the address the server listens on (the links' base without ``BASE_URL``)."""
    if not host:
        return None
    if host in ("0.0.0.0", "::"):  # noqa: S104 (listening everywhere: answer locally)
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    default = {"http": "80", "https": "443"}.get(scheme)
    url = f"{scheme}://{host}" + ("" if str(port) in ("", default) else f":{port}")
    app.extensions[_LISTEN_KEY] = url
    path = Path(app.instance_path) / LISTEN_FILE
    try:
        if not path.is_file() or path.read_text().strip() != url:
            path.write_text(url + "\n")
    except OSError:
        app.logger.warning("Could not write %s", path)
    return url


def init_links(app) -> None:
    """Learn where the server listens: from ``flask run`` now, else at the first request.

    Warns (once) when an explicit ``BASE_URL`` cannot be the address the server answers on.
    """
    context = click.get_current_context(silent=True)
    if context is not None and context.info_name == "run" and "port" in context.params:
        scheme = "https" if context.params.get("cert") else "http"
        listening = remember_listen_url(
            app, scheme, context.params.get("host") or "127.0.0.1", context.params["port"]
        )
        _warn_mismatch(app, listening)
        return

    @app.before_request
    def _first_request_address():
        if app.extensions.get("reseau_links_checked"):
            return
        app.extensions["reseau_links_checked"] = True
        environ = request.environ
        server = environ.get("SERVER_NAME", ""), environ.get("SERVER_PORT", "")
        scheme = environ.get("wsgi.url_scheme", "http")
        if not app.config.get("BASE_URL"):
            remember_listen_url(app, scheme, *server)
        elif server[0]:
            _warn_mismatch(app, f"{scheme}://{server[0]}:{server[1]}")


def _warn_mismatch(app, listening: str | None) -> None:
    warning = base_url_mismatch(app, listening) if listening else None
    if warning:
        app.logger.warning(warning)


def base_url_mismatch(app, listening: str) -> str | None:
    """Return a warning when ``BASE_URL`` is a local address other than where we listen.

    A public BASE_URL is normally served through a proxy from another address, so only a
    local one (127.0.0.1, localhost…) can be known to be wrong.
    """
    configured = app.config.get("BASE_URL")
    if not configured:
        return None
    wanted, actual = urlsplit(configured), urlsplit(listening)
    if not _is_local(wanted.hostname) or _address(wanted) == _address(actual):
        return None
    return (
        f"BASE_URL is {configured} but the server listens on {listening}: links in e-mails, "
        "calendar feeds and QR codes will point to the wrong address."
    )


def _address(url) -> tuple:
    return url.hostname, url.port or {"http": 80, "https": 443}.get(url.scheme)


def _is_local(host: str | None) -> bool:
    if host in (None, "localhost"):
        return host is not None
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def external_url(endpoint: str, **values) -> str:
    """Return an absolute link for an e-mail, on ``base_url()``.

    Not ``url_for(..., _external=True)``: that takes the host from the request's Host header,
    which a client chooses, so a password-reset request sent with a forged Host would mail
    the victim a link to another site carrying their token. Works outside requests too.
    """
    base = urlsplit(base_url())
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def queue_mail(
    recipient: str,
    subject: str,
    template: str,
    *,
    dedup_key: str | None = None,
    ics: str | None = None,
    ics_method: str | None = None,
    **context,
) -> OutboxMail | None:
    """Add a message rendered from ``mail/<template>.txt`` to the outbox and return it.

    With ``dedup_key``, a message already queued under that key is not queued again (None
    is returned): time-based jobs can run twice without sending twice. Two transactions
    queuing the same key at once are told apart by the unique key: the second gets None.
    """
    if dedup_key is not None:
        exists = db.session.scalar(
            sa.select(OutboxMail.id).where(OutboxMail.dedup_key == dedup_key)
        )
        if exists is not None:
            return None
    body = render_template(
        f"mail/{template}.txt",
        network_name=current_app.config["NETWORK_NAME"],
        base_url=base_url(),
        **context,
    )
    mail = OutboxMail(
        recipient=recipient.strip(),
        # Subjects often hold names people typed: one line, or the message cannot be built.
        subject=" ".join(subject.split())[:250],
        body_text=body,
        dedup_key=dedup_key,
        ics=ics,
        ics_method=ics_method,
    )
    if dedup_key is None:
        db.session.add(mail)
        return mail
    db.session.flush()  # the caller's own pending rows fail here, not in the savepoint
    try:
        with db.session.begin_nested():
            db.session.add(mail)
    except IntegrityError:
        return None  # queued by a concurrent transaction since the check above
    return mail
