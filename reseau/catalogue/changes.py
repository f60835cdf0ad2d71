"""What changed in a session, as the catalogue announces it and the e-mails tell it.

A ``SessionChange`` travels with the ``session_changed`` signal: the enrolment room words the
e-mails from it and asks for calendar updates of the séances it concerns (the calendars room
builds them). One change, one plain French sentence ("La séance du mardi 15 décembre,
14 h – 17 h, est annulée.").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from reseau.core.i18n import date_fr, time_fr, to_local

DAY = "EEEE d MMMM"  # « mardi 15 décembre »: the year goes without saying in a notice


class ChangeKind(enum.StrEnum):
    SEANCE_CANCELLED = "seance_cancelled"
    SEANCE_MOVED = "seance_moved"
    SEANCE_RESTORED = "seance_restored"
    SEANCE_ADDED = "seance_added"
    PLACE = "place"
    TITLE = "title"


# Changes of one séance; the others concern every séance of the session.
SEANCE_KINDS = (
    ChangeKind.SEANCE_CANCELLED,
    ChangeKind.SEANCE_MOVED,
    ChangeKind.SEANCE_RESTORED,
    ChangeKind.SEANCE_ADDED,
)


@dataclass(frozen=True, slots=True)
class SessionChange:
    """One change: of a séance (``seance_id``, its times before and now) or of the session
    (its place or title, before and now as text), with the organiser's reason, if given."""

    kind: ChangeKind
    seance_id: int | None = None
    starts_at: datetime | None = None  # the séance's times now (moved: the new ones)
    ends_at: datetime | None = None
    before_starts_at: datetime | None = None  # moved: the old ones
    before_ends_at: datetime | None = None
    before: str = ""  # place or title: the old value
    after: str = ""
    reason: str = ""

    @property
    def cancels(self) -> bool:
        """Whether calendars must remove the séance (METHOD:CANCEL) rather than update it."""
        return self.kind == ChangeKind.SEANCE_CANCELLED

    def sentence(self) -> str:
        """Return the change in one French sentence, with its reason."""
        text = _SENTENCES[self.kind](self)
        if self.reason:
            text += f" Motif : {self.reason}"
        return text


def _when(starts_at: datetime, ends_at: datetime) -> str:
    """« mardi 15 décembre, 14 h – 17 h »."""
    return f"{date_fr(starts_at, DAY)}, {time_fr(starts_at)} – {time_fr(ends_at)}"


def _moved(change: SessionChange) -> str:
    old_start, old_end = change.before_starts_at, change.before_ends_at
    new_start, new_end = change.starts_at, change.ends_at
    if to_local(old_start).date() == to_local(new_start).date():
        before = f"{time_fr(old_start)} – {time_fr(old_end)}"
        now = f"{time_fr(new_start)} – {time_fr(new_end)}"
    else:
        before, now = _when(old_start, old_end), _when(new_start, new_end)
    return (
        f"La séance du {date_fr(old_start, DAY)} est déplacée : avant {before}, maintenant {now}."
    )


_SENTENCES = {
    ChangeKind.SEANCE_CANCELLED: lambda c: (
        f"La séance du {_when(c.starts_at, c.ends_at)}, est annulée."
    ),
    ChangeKind.SEANCE_MOVED: _moved,
    ChangeKind.SEANCE_RESTORED: lambda c: (
        f"La séance du {_when(c.starts_at, c.ends_at)}, est rétablie : elle aura bien lieu."
    ),
    ChangeKind.SEANCE_ADDED: lambda c: f"Une séance est ajoutée : {_when(c.starts_at, c.ends_at)}.",
    ChangeKind.PLACE: lambda c: f"Le lieu change : avant {c.before}, maintenant {c.after}.",
    ChangeKind.TITLE: lambda c: (
        f"La session change de nom : avant « {c.before} », maintenant « {c.after} »."
    ),
}
