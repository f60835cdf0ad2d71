"""Delivering the outbox: SMTP when configured, ``.eml`` files in ``instance/mail/`` otherwise.

What is guaranteed, for each message:

- **At least once.** A message leaves the outbox only when the server has accepted it (its
  reply is recorded in ``server_reply``), or when it has failed ``MAIL_MAX_ATTEMPTS`` times,
  or was refused for good (a 5xx answer): then it is ``failed``, shown to the coordinator
  (dashboard, "Envois en échec") and by ``flask --app reseau health`` until someone retries
  or abandons it. Nothing is dropped silently.
- **Twice only in a narrow window.** Before the SMTP transaction the row is marked
  ``sending`` with a lease (``LEASE``) and committed; right after the server's "250" the row
  is marked ``sent``. Only a sender stopped between those two instants (``kill -9``, a lost
  host) leaves a row ``sending`` that the server already holds: when the lease runs out, the
  next run sends it again, with the same Message-ID, and notes it in ``last_error``.
- **Receivers can drop the copy**: the Message-ID is given at the first attempt, kept on
  the row and used by every retry.
- **One sender per message**, whatever the number of hosts running ``send-mail``: a row is
  claimed under ``SELECT … FOR UPDATE SKIP LOCKED`` (SQLite: the write lock), and a row
  ``sending`` under a live lease is left alone. No database lock is held during SMTP.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from pathlib import Path

import sqlalchemy as sa

from reseau.core.database import utcnow
from reseau.core.extensions import db
from reseau.core.i18n import ngettext, to_local
from reseau.outbox.models import MailStatus, OutboxMail

# Longer than any one SMTP transaction can last (each step times out after 30 s).
LEASE = timedelta(minutes=10)
SMTP_TIMEOUT = 30
INTERRUPTED = (
    "Envoi précédent interrompu avant d'être noté : le message a peut-être déjà été reçu "
    "(même Message-ID, le destinataire peut écarter le doublon)."
)


def message_id_for(mail: OutboxMail, sender: str) -> str:
    """The Message-ID a row gets at its first attempt (then kept in ``mail.message_id``)."""
    domain = sender.rsplit("@", 1)[-1].strip(">").strip() or "reseau.invalid"
    return f"<outbox-{mail.id}.{mail.created_at:%Y%m%d%H%M%S}@{domain}>"


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
    # The same on every attempt: a receiving server can drop a duplicate after a retry.
    message["Message-ID"] = mail.message_id or message_id_for(mail, sender)
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


@dataclass
class Delivery:
    """What one run did; ``problems`` says it in French lines without personal data."""

    sent: int = 0
    retry: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)


def _retry_delay(attempts: int) -> timedelta:
    # 1, 2, 4, 8… minutes, at most a day: a broken SMTP server is not hammered.
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


class _FileTransport:
    def __init__(self, directory: str):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage, name: str) -> str:
        (self.directory / name).write_bytes(bytes(message))
        return f"écrit dans {self.directory / name} sur {socket.gethostname()}"

    def close(self) -> None:
        pass


class _KeepsDataReply:
    """smtplib drops the server's answer to DATA; keep it (it names the server's queue id)."""

    data_reply: tuple[int, bytes] | None = None

    def data(self, msg):
        self.data_reply = super().data(msg)
        return self.data_reply


class _SMTP(_KeepsDataReply, smtplib.SMTP):
    pass


class _SMTPSSL(_KeepsDataReply, smtplib.SMTP_SSL):
    pass


class _SmtpTransport:
    def __init__(self, config):
        cls = _SMTPSSL if config["MAIL_USE_SSL"] else _SMTP
        self.smtp = cls(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT)
        try:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                self.smtp.starttls()
            if config.get("MAIL_USERNAME"):
                self.smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except (OSError, smtplib.SMTPException):
            self.smtp.close()  # do not leak the connection when TLS or the login fails
            raise

    def send(self, message: EmailMessage, name: str) -> str:
        self.smtp.data_reply = None
        self.smtp.send_message(message)
        code, text = self.smtp.data_reply or (250, b"")
        return f"{code} {text.decode('utf-8', 'replace')}".strip()

    def close(self) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.smtp.quit()


def _open_transport(config):
    if config.get("MAIL_SERVER"):
        return _SmtpTransport(config)
    return _FileTransport(config["MAIL_DIRECTORY"])


def _due(now):
    """Rows to deliver now: pending and due, or claimed by a sender whose lease ran out."""
    return sa.or_(
        sa.and_(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now),
        sa.and_(OutboxMail.status == MailStatus.SENDING, OutboxMail.lease_until <= now),
    )


def deliver_due(config, *, limit: int = 200) -> Delivery:
    """Send the outbox messages that are due, each claimed, sent and recorded on its own."""
    result = Delivery()
    due_ids = db.session.scalars(
        sa.select(OutboxMail.id).where(_due(utcnow())).order_by(OutboxMail.id).limit(limit)
    ).all()
    db.session.commit()
    if not due_ids:
        return result
    try:
        transport, unreachable = _open_transport(config), None
    except (OSError, smtplib.SMTPException) as error:
        # The server is unreachable: every due message counts an attempt and waits.
        transport, unreachable = None, error
    try:
        for mail_id in due_ids:
            _deliver_one(mail_id, transport, unreachable, config, result)
    finally:
        if transport is not None:
            transport.close()
    return result


def _deliver_one(mail_id: int, transport, unreachable, config, result: Delivery) -> None:
    mail = _claim(mail_id, config["MAIL_DEFAULT_SENDER"])
    if mail is None:
        return
    if unreachable is not None:
        return _fail(mail, unreachable, config, result)
    try:
        message = build_message(mail, config["MAIL_DEFAULT_SENDER"])
    except (ValueError, TypeError) as error:
        # A row that can never become a message (e.g. a line break in a header) fails for
        # good instead of stopping every run at the same row.
        return _fail(mail, error, config, result, final=True)
    name = f"{mail.created_at:%Y%m%d-%H%M%S}-{mail.id:06d}.eml"
    mail.status, mail.lease_until = MailStatus.SENDING, utcnow() + LEASE
    db.session.commit()  # the claim is durable before the SMTP transaction begins
    try:
        reply = transport.send(message, name)
    except (OSError, smtplib.SMTPException) as error:
        mail = _reload(mail_id)
        if mail is not None:
            _fail(mail, error, config, result, final=_permanent(error))
        return
    _record_sent(mail_id, reply, result)


def _claim(mail_id: int, sender: str) -> OutboxMail | None:
    """Lock the row if it is still due and count the attempt; None if another sender has it."""
    mail = db.session.scalar(
        sa.select(OutboxMail)
        .where(OutboxMail.id == mail_id, _due(utcnow()))
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if mail is None:
        db.session.commit()
        return None
    if mail.status == MailStatus.SENDING:
        mail.last_error = INTERRUPTED
    mail.attempts += 1
    mail.message_id = mail.message_id or message_id_for(mail, sender)
    return mail


def _reload(mail_id: int) -> OutboxMail | None:
    """The row as it is now; None if it was deleted meanwhile (the person was anonymised)."""
    return db.session.scalar(
        sa.select(OutboxMail)
        .where(OutboxMail.id == mail_id)
        .execution_options(populate_existing=True)
    )


def _record_sent(mail_id: int, reply: str, result: Delivery) -> None:
    mail = _reload(mail_id)
    if mail is not None:
        mail.status, mail.sent_at, mail.lease_until = MailStatus.SENT, utcnow(), None
        mail.server_reply = reply[:500]
    db.session.commit()
    result.sent += 1


def _permanent(error: Exception) -> bool:
    """A 5xx answer to this message: retrying the same message cannot succeed."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _summary(error: Exception) -> str:
    """The kind of error and the SMTP code, without the server's text (it may hold addresses)."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = ", ".join(str(c) for c, _ in error.recipients.values())
    return f"{type(error).__name__}{f' {code}' if code else ''}"


def _fail(mail: OutboxMail, error: Exception, config, result: Delivery, *, final=False) -> None:
    mail.last_error = f"{type(error).__name__}: {error}"[:2000]
    mail.lease_until = None
    if final or mail.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        mail.status = MailStatus.FAILED
        result.failed += 1
        result.problems.append(
            f"Message n°{mail.id} en échec définitif après "
            f"{ngettext('%(num)s essai', '%(num)s essais', mail.attempts)} "
            f"({_summary(error)}) : à reprendre dans « Envois en échec »."
        )
    else:
        mail.status = MailStatus.PENDING
        mail.next_attempt_at = utcnow() + _retry_delay(mail.attempts)
        result.retry += 1
        result.problems.append(
            f"Message n°{mail.id} : essai {mail.attempts}/{config['MAIL_MAX_ATTEMPTS']} "
            f"échoué ({_summary(error)}), nouvel essai à "
            f"{to_local(mail.next_attempt_at):%H:%M}."
        )
    db.session.commit()
