"""Writing messages to the outbox, in the caller's transaction."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError

from reseau.extensions import db
from reseau.outbox.models import OutboxMail


def external_url(endpoint: str, **values) -> str:
    """Return an absolute link for an e-mail, on ``BASE_URL``.

    Not ``url_for(..., _external=True)``: that takes the host from the request's Host header,
    which a client chooses, so a password-reset request sent with a forged Host would mail
    the victim a link to another site carrying their token. Works outside requests too.
    """
    base = urlsplit(current_app.config["BASE_URL"])
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
        base_url=current_app.config["BASE_URL"].rstrip("/"),
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
