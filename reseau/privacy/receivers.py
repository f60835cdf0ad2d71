"""What the privacy room does when the enrolment room announces something.

An adjustment request tells of a person's health or disability: it is for following a
session. When the enrolment ends (cancelled, declined), the request leaves the référent·es
handicap's "to do" and shows as « inscription annulée »; it comes back if the person enrols
again. Adjustments stand below enrolment and cannot read it: this room, above both, tells
them which people are still enrolled.
"""

from __future__ import annotations

import sqlalchemy as sa

from reseau.adjustments.operations import FOLLOWED_SESSION, follow_enrolments
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.enrolment.signals import enrolments_changed

ENDED = (EnrolmentStatus.CANCELLED, EnrolmentStatus.DECLINED)
# Built once: the people still enrolled or waiting in the session followed.
_ENROLLED = sa.select(Enrolment.person_id).where(
    Enrolment.session_id == FOLLOWED_SESSION, Enrolment.status.not_in(ENDED)
)


@enrolments_changed.connect
def follow_adjustment_requests(session, person_ids=(), moves=None, **extra) -> None:
    """Enrolments of ``session`` changed status: their people's requests follow (one UPDATE).
    A new enrolment row (``before`` None in ``moves``) has no request to follow: a request is
    only recorded with an enrolment already there (``record_request``, after ``enrol``), and
    enrolments are never deleted but with their session or person, whose requests go too."""
    if moves is not None:
        person_ids = [person_id for person_id, _, before, _ in moves if before is not None]
    if not person_ids:
        return
    follow_enrolments(session.id, person_ids, _ENROLLED)
