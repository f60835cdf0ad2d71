"""Accounts events other rooms listen to, so the accounts room never imports upward.

``centre_moved.send(centre, before="<old label>", actor=actor)``: a centre's name or address
changed (the catalogue updates the calendars of the sessions it hosts and tells their people).

``person_regrouped.send(person, centre_id=<old>, category=<old>)``: a person's category or
centre changed; ``centre_regrouped.send(centre, department_id=<old>)``: a centre changed
département. The rooms that count people by category and département move their counts.
"""

from blinker import Namespace

_signals = Namespace()

centre_moved = _signals.signal("centre-moved")
person_regrouped = _signals.signal("person-regrouped")
centre_regrouped = _signals.signal("centre-regrouped")
