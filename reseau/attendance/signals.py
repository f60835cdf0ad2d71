"""Signals of the attendance room, for the rooms above it (no upward import)."""

from blinker import Namespace

_signals = Namespace()

# Sent with the séance and ``actor`` before a mark is written; a receiver returns a French
# refusal (a string) or None.
record_guard = _signals.signal("attendance-record-guard")
