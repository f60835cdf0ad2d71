"""Outgoing e-mail: queue messages in the database, deliver them later with ``send-mail``."""

from reseau.outbox.delivery import deliver_due
from reseau.outbox.models import MailStatus, OutboxMail
from reseau.outbox.operations import outbox_figures, retry_failed
from reseau.outbox.queue import base_url, external_url, init_links, queue_mail

__all__ = [
    "MailStatus",
    "OutboxMail",
    "base_url",
    "deliver_due",
    "external_url",
    "outbox_figures",
    "queue_mail",
    "retry_failed",
]


def init_app(app) -> None:
    """Links in e-mails: learn the address the server listens on when BASE_URL is not set."""
    init_links(app)
