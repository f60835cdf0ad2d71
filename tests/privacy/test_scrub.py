"""Taking a person out of stored e-mail copies (``reseau.outbox.scrub``), used by anonymisation."""

from __future__ import annotations

from email import message_from_bytes, policy

from reseau.core.database import utcnow
from reseau.outbox.delivery import build_message
from reseau.outbox.models import OutboxMail
from reseau.outbox.scrub import Scrubber, scrub_mail_files

NAME, EMAIL = "Éléonore Vasquez-Lindqvist", "eleonore.vl@exemple.test"
SCRUB = Scrubber({NAME: "Personne anonymisée n°7", EMAIL: "anonymise@reseau.invalid"})


def _calendar(description: str) -> str:
    """A calendar whose DESCRIPTION line is folded in the middle of the name."""
    line = f"DESCRIPTION:{description}"
    cut = line.index(NAME) + 4
    return (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
        f"{line[:cut]}\r\n {line[cut:]}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_a_name_split_by_a_calendar_fold_is_found_and_the_lines_folded_again():
    ics = _calendar("Formateur·ices : " + "x" * 30 + f" {NAME}, et d'autres personnes encore")
    assert NAME not in ics  # split across the fold
    scrubbed = SCRUB.calendar(ics)
    unfolded = scrubbed.replace("\r\n ", "")
    assert NAME not in unfolded and "Personne anonymisée n°7, et d'autres" in unfolded
    assert all(len(line.encode()) <= 75 for line in scrubbed.split("\r\n"))


def test_case_and_whole_words():
    assert SCRUB(f"Bonjour {NAME.upper()} ({EMAIL})") == (
        "Bonjour Personne anonymisée n°7 (anonymise@reseau.invalid)"
    )
    assert SCRUB("x" + EMAIL) == "x" + EMAIL  # not a whole word: someone else's address


def _write(directory, mail_id, recipient, subject, ics=None, body=f"Inscription de {NAME}."):
    mail = OutboxMail(
        id=mail_id,
        created_at=utcnow(),
        recipient=recipient,
        subject=subject,
        body_text=body,
        ics=ics,
        ics_method="REQUEST" if ics else None,
    )
    path = directory / f"{mail_id}.eml"
    path.write_bytes(bytes(build_message(mail, "Réseau <ne-pas-repondre@reseau.invalid>")))
    return path


def test_mail_files_are_rewritten_or_deleted(tmp_path):
    to_them = _write(tmp_path, 1, EMAIL, "Votre inscription")
    about = _write(tmp_path, 2, "referente@exemple.test", f"Nouvelle demande : {NAME}",
                   _calendar("Formateur·ices : " + "y" * 40 + f" {NAME}"))  # fmt: skip
    other = _write(tmp_path, 3, "autre@exemple.test", "Rien à voir", body="Bonjour Marie.")
    before = other.read_bytes()
    assert scrub_mail_files(tmp_path, SCRUB, email=EMAIL) == 2
    assert not to_them.exists()
    assert other.read_bytes() == before
    message = message_from_bytes(about.read_bytes(), policy=policy.default)
    assert str(message["Subject"]) == "Nouvelle demande : Personne anonymisée n°7"
    assert str(message["To"]) == "referente@exemple.test"
    texts = [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    assert len(texts) == 2 and all(NAME not in text.replace("\r\n ", "") for text in texts)
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    attached = next(p for p in message.walk() if p.get_content_type() == "application/ics")
    assert attached.get_filename() == "invitation.ics"
    assert NAME not in attached.get_content().decode().replace("\r\n ", "")
