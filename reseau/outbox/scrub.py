"""Taking a person out of the stored copies of e-mails: outbox rows and written ``.eml`` files.

Used by anonymisation (privacy room). ``Scrubber`` holds what to look for (the person's names,
e-mail and phone) and what to put instead; rows and files that never mention the person are
left untouched. Calendar parts are unfolded first (RFC 5545 folds lines at 75 octets, which
can split a name), scrubbed and folded again.
"""

from __future__ import annotations

import os
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa
from icalendar.parser import Contentline

from reseau.core.extensions import db
from reseau.outbox.models import OutboxMail

_FOLD = re.compile(r"\r?\n[ \t]")


class Scrubber:
    """Replaces each key of ``replacements`` (whole words, any case) by its value."""

    def __init__(self, replacements: dict[str, str]):
        needles = sorted((n for n in replacements if n), key=len, reverse=True)
        pattern = "|".join(re.escape(needle) for needle in needles) or r"(?!x)x"
        self._pattern = re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)
        self._by_lower = {needle.lower(): value for needle, value in replacements.items()}

    def mentions(self, text: str | None) -> bool:
        return bool(text) and self._pattern.search(text) is not None

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        # A case-insensitive match whose lower case is not a key (rare letters): still erased.
        return self._pattern.sub(
            lambda match: self._by_lower.get(match.group(0).lower(), "(effacé)"), text
        )

    def calendar(self, ics: str | None) -> str | None:
        """Scrub an iCalendar text: unfolded, replaced, folded again."""
        if not ics:
            return ics
        lines = _FOLD.sub("", ics).splitlines()
        return "".join(Contentline(self(line)).to_ical().decode() + "\r\n" for line in lines)


def scrub_outbox(scrub: Scrubber, needles: list[str]) -> int:
    """Scrub the outbox rows whose subject, body, calendar part or error names the person
    (addressed to anyone); return how many changed. ``needles`` find the candidates in SQL."""
    unfolded = sa.func.replace(sa.func.replace(OutboxMail.ics, "\r\n ", ""), "\n ", "")
    columns = (OutboxMail.subject, OutboxMail.body_text, unfolded, OutboxMail.last_error)
    found = [
        sa.func.lower(column).contains(needle.lower(), autoescape=True)
        for column in columns
        for needle in needles
        if needle
    ]
    if not found:
        return 0
    rows = db.session.scalars(sa.select(OutboxMail).where(sa.or_(*found))).all()
    for mail in rows:
        mail.subject = scrub(mail.subject)[:250]
        mail.body_text = scrub(mail.body_text)
        mail.ics = scrub.calendar(mail.ics)
        mail.last_error = scrub(mail.last_error)
    db.session.flush()
    return len(rows)


def scrub_mail_files(directory: str | os.PathLike, scrub: Scrubber, *, email: str | None) -> int:
    """Rewrite the ``.eml`` files of ``directory`` that name the person; delete those sent to
    them (the outbox keeps the record). Return how many files changed."""
    folder = Path(directory)
    if not folder.is_dir():
        return 0
    changed = 0
    for path in sorted(folder.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if email and email.lower() in str(message.get("To", "")).lower():
            path.unlink()
            changed += 1
        elif _scrub_message(message, scrub):
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(bytes(message))
            temporary.replace(path)  # atomic: a reader never sees half a message
            changed += 1
    return changed


def _scrub_message(message: EmailMessage, scrub: Scrubber) -> bool:
    changed = False
    for header in ("Subject", "To"):
        value = str(message.get(header, ""))
        if scrub.mentions(value):
            message.replace_header(header, scrub(value))
            changed = True
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_type() == "application/ics":  # the invitation's attached copy
            changed |= _scrub_attached_calendar(part, scrub)
            continue
        if part.get_content_maintype() != "text":
            continue
        text = part.get_content()
        calendar = part.get_content_subtype() == "calendar"
        if not scrub.mentions(_FOLD.sub("", text) if calendar else text):
            continue
        params = {k: v for k, v in part.get_params()[1:] if k != "charset"}
        part.set_content(
            scrub.calendar(text) if calendar else scrub(text),
            subtype=part.get_content_subtype(),
            disposition=part.get_content_disposition(),
            filename=part.get_filename(),
            params=params,
        )
        changed = True
    return changed


def _scrub_attached_calendar(part: EmailMessage, scrub: Scrubber) -> bool:
    text = part.get_content().decode("utf-8", errors="replace")
    if not scrub.mentions(_FOLD.sub("", text)):
        return False
    part.set_content(
        scrub.calendar(text).encode(),
        maintype="application",
        subtype="ics",
        disposition=part.get_content_disposition(),
        filename=part.get_filename(),
    )
    return True
