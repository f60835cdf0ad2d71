"""send-mail against a real SMTP server on loopback (aiosmtpd) that refuses, then accepts."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from reseau.database import utcnow
from reseau.extensions import db
from reseau.outbox import queue_mail
from reseau.outbox.models import MailStatus, OutboxMail

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")


class Handler:
    def __init__(self):
        self.refusing = True
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        if self.refusing:
            return "451 4.3.0 Serveur occupé, réessayez plus tard"
        self.received.append(envelope.original_content or envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port():
    return _free_port()


@pytest.fixture
def app_config(app_config, smtp_port):
    app_config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_USERNAME=None,
        MAIL_MAX_ATTEMPTS=8,
    )
    return app_config


def _make_due():
    db.session.execute(
        sa.update(OutboxMail)
        .where(OutboxMail.status == MailStatus.PENDING)
        .values(next_attempt_at=utcnow())
    )
    db.session.commit()


def _statuses():
    db.session.expire_all()
    return [
        (mail.status, mail.attempts)
        for mail in db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id))
    ]


def test_nothing_is_lost_or_sent_twice(app, runner, smtp_port):
    with app.test_request_context():
        for n in range(3):
            queue_mail(
                f"personne{n}@exemple.test",
                f"Message {n}",
                "password_reset",
                person=None,
                link="http://localhost/x",
                hours=2,
            )
    db.session.commit()

    # 1. No server at all: every message waits for the next run.
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "3 à réessayer" in result.output
    assert _statuses() == [(MailStatus.PENDING, 1)] * 3

    handler = Handler()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        # 2. The server answers but refuses (451): still waiting, nothing received.
        _make_due()
        result = runner.invoke(args=["send-mail"])
        assert "3 à réessayer" in result.output
        assert _statuses() == [(MailStatus.PENDING, 2)] * 3
        assert handler.received == []

        # 3. Not yet due: a run before the retry delay sends nothing.
        result = runner.invoke(args=["send-mail"])
        assert "0 envoyé(s)" in result.output

        # 4. The server accepts: each message arrives once.
        handler.refusing = False
        _make_due()
        result = runner.invoke(args=["send-mail"])
        assert "3 envoyé(s)" in result.output
        assert _statuses() == [(MailStatus.SENT, 3)] * 3
        assert len(handler.received) == 3
        subjects = sorted(
            line
            for body in handler.received
            for line in body.decode().splitlines()
            if line.startswith("Subject:")
        )
        assert subjects == ["Subject: Message 0", "Subject: Message 1", "Subject: Message 2"]

        # 5. Running again sends nothing twice.
        result = runner.invoke(args=["send-mail"])
        assert "0 envoyé(s)" in result.output
        assert len(handler.received) == 3
    finally:
        controller.stop()
