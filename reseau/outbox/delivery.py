"""Delivering the outbox: SMTP when configured, ``.eml`` files in ``instance/mail/`` otherwise."""

from __future__ import annotations

import contextlib
import smtplib
from datetime import timedelta
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from pathlib import Path

import sqlalchemy as sa

from reseau.database import utcnow
from reseau.extensions import db
from reseau.outbox.models import MailStatus, OutboxMail


class _MailPolicy(EmailPolicy):
    """The default policy, but a non-ASCII Subject is folded by ``email.header.Header``.

    Python 3.11's own folding of encoded words drops the space between two of them when it
    breaks a line there ("Café, Débat" arrives as "Café,Débat"); Header keeps each space
    inside an encoded word, and every client decodes it back.
    """

    def _folded_subject(self, name: str, value) -> str | None:
        text = str(value)
        if name.lower() != "subject" or text.isascii():
            return None
        encoded = Header(text, "utf-8", header_name=name).encode(linesep=self.linesep)
        return f"{name}: {encoded}{self.linesep}"

    def fold(self, name, value):
        return self._folded_subject(name, value) or super().fold(name, value)

    def fold_binary(self, name, value):
        folded = self._folded_subject(name, value)
        return folded.encode("ascii") if folded else super().fold_binary(name, value)


MAIL_POLICY = _MailPolicy()


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    """Return the MIME message for an outbox row (with its calendar part, if any).

    An invitation is built as RFC 6047 and Outlook's own meeting messages are (see
    docs/invitations.md): ``multipart/mixed`` holding a ``multipart/alternative`` of the text
    and the ``text/calendar; method=…`` part that clients act on, then the same calendar
    attached as ``invitation.ics`` (``application/ics``, so no client acts on it twice) for
    those that only offer attachments.
    """
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    # A stable Message-ID (the same on every attempt) lets a receiving server drop a
    # duplicate after a retry; make_msgid() would draw a new random one each time.
    domain = sender.rsplit("@", 1)[-1].strip(">").strip() or "reseau.invalid"
    message["Message-ID"] = f"<outbox-{mail.id}.{mail.created_at:%Y%m%d%H%M%S}@{domain}>"
    message.set_content(mail.body_text)
    if mail.ics:
        data = mail.ics.encode("utf-8")
        method = (mail.ics_method or "PUBLISH").upper()
        message.add_alternative(
            data,
            maintype="text",
            subtype="calendar",
            cte="base64",
            params={"method": method, "charset": "utf-8"},
        )
        message.add_attachment(
            data, maintype="application", subtype="ics", filename="invitation.ics"
        )
    return message


def _retry_delay(attempts: int) -> timedelta:
    # 1, 2, 4, 8… minutes, at most a day: a broken SMTP server is not hammered.
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


class _FileTransport:
    def __init__(self, directory: str):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, mail: OutboxMail, message: EmailMessage) -> None:
        path = self.directory / f"{mail.created_at:%Y%m%d-%H%M%S}-{mail.id:06d}.eml"
        path.write_bytes(bytes(message))

    def close(self) -> None:
        pass


class _SmtpTransport:
    def __init__(self, config):
        cls = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        self.smtp = cls(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
        try:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                self.smtp.starttls()
            if config.get("MAIL_USERNAME"):
                self.smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except (OSError, smtplib.SMTPException):
            self.smtp.close()  # do not leak the connection when TLS or the login fails
            raise

    def send(self, mail: OutboxMail, message: EmailMessage) -> None:
        self.smtp.send_message(message)

    def close(self) -> None:
        with contextlib.suppress(smtplib.SMTPException):
            self.smtp.quit()


def deliver_due(config, *, limit: int = 200) -> dict[str, int]:
    """Send the outbox messages that are due; return counts of sent, retried and failed.

    Each message is claimed, sent and marked in its own transaction, so a crash never sends
    a message that is not then marked, and a failure is retried later with a growing delay.
    """
    counts = {"sent": 0, "retry": 0, "failed": 0}
    now = utcnow()
    due_ids = db.session.scalars(
        sa.select(OutboxMail.id)
        .where(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    db.session.commit()
    if not due_ids:
        return counts
    try:
        transport = (
            _SmtpTransport(config)
            if config.get("MAIL_SERVER")
            else _FileTransport(config["MAIL_DIRECTORY"])
        )
    except (OSError, smtplib.SMTPException) as error:
        # The server is unreachable: every due message waits for the next run.
        for mail_id in due_ids:
            mail = db.session.get(OutboxMail, mail_id)
            _mark_failure(mail, error, config)
            counts["failed" if mail.status == MailStatus.FAILED else "retry"] += 1
        db.session.commit()
        return counts
    try:
        for mail_id in due_ids:
            # Re-read under the write lock: another sender may have taken it meanwhile.
            mail = db.session.scalar(
                sa.select(OutboxMail)
                .where(OutboxMail.id == mail_id)
                .with_for_update(skip_locked=True)
            )
            if (
                mail is None
                or mail.status != MailStatus.PENDING
                or mail.next_attempt_at > utcnow()  # retried and rescheduled meanwhile
            ):
                db.session.commit()
                continue
            try:
                message = build_message(mail, config["MAIL_DEFAULT_SENDER"])
            except (ValueError, TypeError) as error:
                # A row that can never become a message (e.g. a line break in a header)
                # fails for good instead of stopping every run at the same row.
                mail.attempts += 1
                mail.last_error = f"{type(error).__name__}: {error}"[:2000]
                mail.status = MailStatus.FAILED
                counts["failed"] += 1
                db.session.commit()
                continue
            try:
                transport.send(mail, message)
            except (OSError, smtplib.SMTPException) as error:
                _mark_failure(mail, error, config)
                counts["failed" if mail.status == MailStatus.FAILED else "retry"] += 1
            else:
                mail.status = MailStatus.SENT
                mail.sent_at = utcnow()
                mail.attempts += 1
                counts["sent"] += 1
            db.session.commit()
    finally:
        transport.close()
    return counts


def _mark_failure(mail: OutboxMail, error: Exception, config) -> None:
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:2000]
    if mail.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        mail.status = MailStatus.FAILED
    else:
        mail.next_attempt_at = utcnow() + _retry_delay(mail.attempts)
