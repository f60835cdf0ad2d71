"""Writing messages to the outbox, in the caller's transaction."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template

from reseau.extensions import db
from reseau.outbox.models import OutboxMail


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
    is returned): time-based jobs can run twice without sending twice.
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
        recipient=recipient,
        subject=subject,
        body_text=body,
        dedup_key=dedup_key,
        ics=ics,
        ics_method=ics_method,
    )
    db.session.add(mail)
    return mail
