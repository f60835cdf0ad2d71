"""Enrolment events other rooms listen to, so the enrolment room never imports upward.

``enrolment_mail_queued.send(enrolment, mail=mail, enrolment=enrolment, method="REQUEST",
invitations=None)`` is sent after an enrolment e-mail is queued (``mail`` is the OutboxMail, or
None when it was deduplicated); ``method`` is "REQUEST" (confirmation, promotion: every séance)
or "CANCEL" (cancellation of the enrolment or of the session); ``invitations`` names some
séances only, ``[(seance_id, "REQUEST" | "CANCEL")]`` (a change of programme). The calendars
room attaches the invitations (one séance per message) to it.

``my_enrolments_shown.send(app, person=person)`` is sent by "Mes formations" before it
renders; each receiver returns a dict added to the template's context (the attendance room:
the certificates of the sessions attended), so that sections of rooms above this one read
their data in the view, not from inside the template.

``enrolments_changed.send(session, person_ids=[...], moves=[...])``: enrolments of
``session`` changed status (enrolled, cancelled, approved, declined, offered, promoted,
expired), in the transaction of the change; ``moves`` says how, one ``(person id, enrolment
id, status before or None for a new row, status after)`` each. The attendance room adds the
difference to the bilan's summary rows (without ``moves`` it recounts the session).

``public_cycle_versions.send(None)``: asked once, when the public cycle page's ETag statement
is first compiled; each receiver returns scalar SELECTs (one value each, read from an index)
that move when a section it adds to that page changes (the evaluation room: the published
results, from late feedback, cold answers and corrections after closing).
"""

from blinker import Namespace

_signals = Namespace()

enrolment_mail_queued = _signals.signal("enrolment-mail-queued")
my_enrolments_shown = _signals.signal("my-enrolments-shown")
enrolments_changed = _signals.signal("enrolments-changed")
public_cycle_versions = _signals.signal("public-cycle-versions")
