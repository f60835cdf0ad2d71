"""send-mail against a real SMTP server on loopback (aiosmtpd) that refuses, then accepts.

Also: an outage longer than the retry budget (failed, shown, retried once), a sender killed
between the server's "250" and its record, and two senders at once.
"""

from __future__ import annotations

import email
import socket
import threading

import pytest
import sqlalchemy as sa

from reseau.core.audit import AuditLog
from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.outbox import delivery, queue_mail
from reseau.outbox.models import MailStatus, OutboxMail
from tests.factories import make_coordinator

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
    _queue_messages(app, 3)

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
        assert "0 envoyé" in result.output

        # 4. The server accepts: each message arrives once.
        handler.refusing = False
        _make_due()
        result = runner.invoke(args=["send-mail"])
        assert "3 envoyés" in result.output
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
        assert "0 envoyé" in result.output
        assert len(handler.received) == 3
    finally:
        controller.stop()


# --- An outage longer than the retry budget, then a retry --------------------------------


def _queue_messages(app, count: int) -> None:
    with app.test_request_context():
        for n in range(count):
            queue_mail(
                f"personne{n}@exemple.test",
                f"Message {n}",
                "password_reset",
                person=None,
                link="http://localhost/x",
                hours=2,
            )
    db.session.commit()


def _message_ids(received: list[bytes]) -> list[str]:
    return [email.message_from_bytes(raw)["Message-ID"] for raw in received]


class CountingHandler(Handler):
    """Also counts the refused DATA commands: every attempt reaches the server."""

    def __init__(self):
        super().__init__()
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refusing:
            self.refused += 1
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp_server(smtp_port):
    handler = CountingHandler()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def test_an_outage_longer_than_the_retry_budget_then_one_retry_delivers_each_once(
    app, runner, client, auth, smtp_server
):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    coordinator = make_coordinator()
    db.session.commit()
    _queue_messages(app, 4)

    # 1. The server refuses (451) every attempt of the whole budget.
    for attempt in (1, 2, 3):
        _make_due()
        result = runner.invoke(args=["send-mail"])
        if attempt < 3:
            assert result.exit_code == 0, result.output
            assert "0 envoyé, 4 à réessayer, 0 en échec définitif." in result.output
            assert f"essai {attempt}/3 échoué (SMTPDataError 451)" in result.output
        else:
            # Cron's mail and the monitoring see it: non-zero exit, a line per message.
            assert result.exit_code == 1, result.output
            assert "0 envoyé, 0 à réessayer, 4 en échec définitif." in result.output
            assert result.output.count("en échec définitif après 3 essais") == 4
    assert _statuses() == [(MailStatus.FAILED, 3)] * 4
    assert smtp_server.refused == 12 and smtp_server.received == []
    # Nothing retries a failed message on its own.
    _make_due()
    assert "0 envoyé" in runner.invoke(args=["send-mail"]).output
    assert smtp_server.refused == 12

    # 2. The coordinator sees them: a count on the dashboard, the list with the last error.
    auth.login(coordinator)
    home = client.get("/").text
    card = home[home.index('id="attention-mail"') :]
    assert '<span class="stat">4</span> e-mails en échec' in card[:300]
    page = client.get("/admin/envois")
    assert page.status_code == 200
    assert page.text.count("SMTPDataError") == 4 and "451" in page.text
    assert "personne0@exemple.test" in page.text

    # 3. The server is back; one click retries them all, and each arrives exactly once.
    smtp_server.refusing = False
    assert client.post("/admin/envois/reessayer").status_code == 303
    assert _statuses() == [(MailStatus.PENDING, 0)] * 4
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "4 envoyés, 0 à réessayer, 0 en échec définitif." in result.output
    runner.invoke(args=["send-mail"])
    _make_due()
    runner.invoke(args=["send-mail"])
    assert len(smtp_server.received) == 4
    rows = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()
    assert sorted(_message_ids(smtp_server.received)) == sorted(row.message_id for row in rows)
    assert all(row.status == MailStatus.SENT for row in rows)
    assert all(row.server_reply.startswith("250") for row in rows)
    home = client.get("/").text
    assert '<span class="stat">0</span> e-mail en échec' in home
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "mail.retry"))
    assert entry.actor_id == coordinator.id and "4 messages" in entry.summary


def test_retry_mail_command_and_abandon(app, runner, client, auth, smtp_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    coordinator = make_coordinator()
    db.session.commit()
    _queue_messages(app, 3)
    assert runner.invoke(args=["send-mail"]).exit_code == 1
    first, _second, third = (row.id for row in db.session.scalars(sa.select(OutboxMail)))
    auth.login(coordinator)
    assert client.post(f"/admin/envois/{third}/abandonner").status_code == 303
    assert client.post(f"/admin/envois/{third}/reessayer").status_code == 303  # not failed now
    result = runner.invoke(args=["retry-mail", str(first)])
    assert "1 message en échec remis à envoyer" in result.output
    smtp_server.refusing = False
    assert "1 envoyé" in runner.invoke(args=["send-mail"]).output
    assert "1 message" in runner.invoke(args=["retry-mail"]).output  # all: the second
    assert "1 envoyé" in runner.invoke(args=["send-mail"]).output
    assert [status for status, _ in _statuses()] == [
        MailStatus.SENT,
        MailStatus.SENT,
        MailStatus.ABANDONED,
    ]
    assert len(smtp_server.received) == 2


def test_a_permanent_refusal_fails_at_once(app, runner, smtp_server):
    smtp_server.refusing = False

    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 Adresse inconnue"

    smtp_server.handle_RCPT = refuse
    _queue_messages(app, 1)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "en échec définitif après 1 essai (SMTPRecipientsRefused 550)" in result.output
    assert "personne0" not in result.output  # the address stays in the database
    assert _statuses() == [(MailStatus.FAILED, 1)]


# --- The window between the server's "250" and the row marked sent --------------------------


def test_a_sender_killed_after_the_server_accepted_sends_again_with_the_same_message_id(
    app, runner, smtp_server, monkeypatch
):
    smtp_server.refusing = False
    _queue_messages(app, 1)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # what kill -9 leaves: nothing after the SMTP transaction

    monkeypatch.setattr(delivery, "_record_sent", killed)
    with pytest.raises(KeyboardInterrupt):
        delivery.deliver_due(app.config)
    monkeypatch.undo()
    db.session.rollback()
    (row,) = db.session.scalars(sa.select(OutboxMail)).all()
    assert row.status == MailStatus.SENDING and row.lease_until > utcnow()
    assert len(smtp_server.received) == 1

    # Another sender (another host) leaves it alone while the lease runs.
    assert "0 envoyé" in runner.invoke(args=["send-mail"]).output
    assert len(smtp_server.received) == 1

    # Once the lease has run out, it is sent again, with the same Message-ID, and noted.
    row.lease_until = utcnow()
    db.session.commit()
    assert "1 envoyé" in runner.invoke(args=["send-mail"]).output
    first, second = _message_ids(smtp_server.received)
    assert first == second == row.message_id
    db.session.expire_all()
    row = db.session.get(OutboxMail, row.id)
    assert row.status == MailStatus.SENT and row.attempts == 2
    assert "peut-être déjà été reçu" in row.last_error


def test_two_senders_at_once_send_each_message_once(app, smtp_server):
    _queue_messages(app, 30)
    smtp_server.refusing = False
    db.session.remove()
    barrier, errors, results = threading.Barrier(2), [], []

    def send():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results.append(delivery.deliver_due(app.config).sent)
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(results) == 30
    ids = _message_ids(smtp_server.received)
    assert len(ids) == 30 and len(set(ids)) == 30
