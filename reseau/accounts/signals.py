"""Accounts events other rooms listen to, so the accounts room never imports upward.

``centre_moved.send(centre, before="<old label>", actor=actor)``: a centre's name or address
changed (the catalogue updates the calendars of the sessions it hosts and tells their people).

``person_regrouped.send(person, centre_id=<old>, category=<old>)``: a person's category or
centre changed; ``centre_regrouped.send(centre, department_id=<old>)``: a centre changed
département. The rooms that count people by category and département move their counts.

``people_changed.send(session, changes=[(person_id, before, after), ...])``: sent by every
flush that creates, deletes or changes a person's status, e-mail address, centre or category
(whichever operation, import or command wrote it), in that transaction; ``before`` and
``after`` are ``PersonGroup`` tuples, None for a person created or deleted. Rooms that count
the people who may be asked (the diagnostic's response rates) keep their counts with it.
"""

from typing import NamedTuple

from blinker import Namespace

_signals = Namespace()

centre_moved = _signals.signal("centre-moved")
person_regrouped = _signals.signal("person-regrouped")
centre_regrouped = _signals.signal("centre-regrouped")
people_changed = _signals.signal("people-changed")


class PersonGroup(NamedTuple):
    """What a person counts as: their centre, category, status and whether they have an
    e-mail address (plain values, never the ORM object)."""

    centre_id: int | None
    category: str
    status: str
    has_email: bool
