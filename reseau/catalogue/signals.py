"""Catalogue events other rooms listen to, so the catalogue never imports upward.

Senders pass the session as the sender and the acting person as ``actor``:
``session_published.send(session, actor=actor)``.
"""

from blinker import Namespace

_signals = Namespace()

# A session became visible in the catalogue (diagnostic: tell the people who asked for it).
session_published = _signals.signal("session-published")
# A session or one of its séances changed time, place, title or status (enrolment: tell the
# people and the trainers); ``changes`` is a list of catalogue.changes.SessionChange.
session_changed = _signals.signal("session-changed")
# The organiser cancelled a whole session, with ``reason`` (enrolment: tell everyone enrolled).
session_cancelled = _signals.signal("session-cancelled")
# A session's kind changed (bilan: its people count under another kind of their year).
session_regrouped = _signals.signal("session-regrouped")
