"""Accounts events other rooms listen to, so the accounts room never imports upward.

``centre_moved.send(centre, before="<old label>", actor=actor)``: a centre's name or address
changed (the catalogue updates the calendars of the sessions it hosts and tells their people).
"""

from blinker import Namespace

_signals = Namespace()

centre_moved = _signals.signal("centre-moved")
