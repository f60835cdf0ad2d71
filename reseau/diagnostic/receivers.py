"""What the diagnostic does when the catalogue announces something."""

from __future__ import annotations

from reseau.catalogue.signals import session_published
from reseau.diagnostic import operations


@session_published.connect
def tell_people_who_asked(session, actor=None, **extra) -> None:
    """A session on a theme is published: invite those who asked for that theme (once)."""
    operations.notify_people_of_session(session, actor=actor)
