"""The outbox: rows written with the change, delivered by ``flask --app reseau send-mail``."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.outbox import MailStatus, OutboxMail, queue_mail
from reseau.outbox.delivery import build_message
from tests.factories import make_user

SUBJECT = "Réinitialiser votre mot de passe Réseau — équipe"


def _queue(recipient: str = "élodie@exemple.test", **kwargs) -> OutboxMail:
    person = make_user(first_name="Élodie")
    mail = queue_mail(
        recipient,
        kwargs.pop("subject", SUBJECT),
        "password_reset",
        person=person,
        link="http://localhost/reinitialiser/abc",
        hours=2,
        **kwargs,
    )
    db.session.commit()
    return mail


def _rows() -> list[OutboxMail]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_queue_mail_renders_the_template_in_the_transaction(app):
    mail = _queue()
    assert mail.status == MailStatus.PENDING
    assert mail.attempts == 0
    assert "Bonjour Élodie" in mail.body_text
    assert "http://localhost/reinitialiser/abc" in mail.body_text


def test_dedup_key_queues_once(app):
    first = _queue(dedup_key="rappel:1")
    second = _queue(dedup_key="rappel:1")
    assert first is not None
    assert second is None
    assert len(_rows()) == 1


def test_send_mail_writes_eml_files_and_marks_rows_sent(app, runner):
    _queue("a@exemple.test")
    _queue("b@exemple.test")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "2 envoyés, 0 à réessayer, 0 en échec définitif." in result.output
    files = sorted(Path(app.config["MAIL_DIRECTORY"]).glob("*.eml"))
    assert len(files) == 2
    rows = _rows()
    assert all(row.status == MailStatus.SENT for row in rows)
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)

    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["Subject"] == SUBJECT
    assert message["To"] == "a@exemple.test"
    assert "Réseau" in message["From"]
    raw = files[0].read_bytes()
    assert b"=?utf-8?" in raw.lower()  # the French subject is RFC 2047-encoded
    assert SUBJECT.encode() not in raw
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Bonjour Élodie" in body
    assert "http://localhost/reinitialiser/abc" in body

    again = runner.invoke(args=["send-mail"])
    assert again.exit_code == 0
    assert "0 envoyé" in again.output
    assert len(list(Path(app.config["MAIL_DIRECTORY"]).glob("*.eml"))) == 2


def test_send_mail_respects_the_limit_and_due_time(app, runner):
    _queue("a@exemple.test")
    later = _queue("b@exemple.test")
    later.next_attempt_at = utcnow() + timedelta(hours=1)
    _queue("c@exemple.test")
    db.session.commit()
    result = runner.invoke(args=["send-mail", "--limit", "1"])
    assert "1 envoyé" in result.output
    statuses = [row.status for row in _rows()]
    assert statuses == [MailStatus.SENT, MailStatus.PENDING, MailStatus.PENDING]
    runner.invoke(args=["send-mail"])
    statuses = [row.status for row in _rows()]
    assert statuses == [MailStatus.SENT, MailStatus.PENDING, MailStatus.SENT]


def test_unreachable_smtp_server_keeps_rows_for_later(app, runner):
    _queue("a@exemple.test")
    _queue("b@exemple.test")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_USE_TLS=False)
    before = utcnow()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "0 envoyé, 2 à réessayer" in result.output
    for row in _rows():
        assert row.status == MailStatus.PENDING
        assert row.attempts == 1
        assert row.next_attempt_at > before
        assert row.last_error
        assert row.sent_at is None
    # Not due yet: a run right now tries nothing, and nothing is lost.
    again = runner.invoke(args=["send-mail"])
    assert "0 envoyé, 0 à réessayer" in again.output
    assert [row.attempts for row in _rows()] == [1, 1]
    assert not list(Path(app.config["MAIL_DIRECTORY"]).glob("*.eml"))


def test_retries_back_off_and_finally_fail(app, runner):
    mail = _queue()
    mail.attempts = app.config["MAIL_MAX_ATTEMPTS"] - 1
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_USE_TLS=False)
    runner.invoke(args=["send-mail"])
    (row,) = _rows()
    assert row.status == MailStatus.FAILED
    assert row.attempts == app.config["MAIL_MAX_ATTEMPTS"]


def test_message_id_is_stable_across_attempts_and_calendar_part(app):
    mail = _queue(ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", ics_method="REQUEST")
    first = build_message(mail, app.config["MAIL_DEFAULT_SENDER"])
    second = build_message(mail, app.config["MAIL_DEFAULT_SENDER"])
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].endswith("@reseau.invalid>")
    calendar = first.get_body(preferencelist=("calendar",))
    assert calendar.get_param("method") == "REQUEST"
    assert "BEGIN:VCALENDAR" in calendar.get_content()
    (attachment,) = list(first.iter_attachments())
    assert attachment.get_filename() == "invitation.ics"


def test_a_row_that_cannot_become_a_message_does_not_block_the_others(app, runner):
    db.session.add(
        OutboxMail(recipient="a@exemple.test\nBcc: x@exemple.test", subject="x", body_text="x")
    )
    _queue("b@exemple.test")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1, result.output  # a message failed for good: cron is told
    assert "1 envoyé, 0 à réessayer, 1 en échec définitif." in result.output
    bad, good = _rows()
    assert bad.status == MailStatus.FAILED
    assert "ValueError" in bad.last_error
    assert good.status == MailStatus.SENT


def test_queue_mail_keeps_subjects_on_one_line(app):
    mail = _queue(subject="Nouvelle demande :\r\n  Léa\tMartin")
    assert mail.subject == "Nouvelle demande : Léa Martin"
