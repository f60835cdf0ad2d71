"""What the privacy room does when the enrolment room announces something.

An adjustment request tells of a person's health or disability: it is for following a
session. When the enrolment ends (cancelled, declined), the request leaves the référent·es
handicap's "to do" and shows as « inscription annulée »; it comes back if the person enrols
again. Adjustments stand below enrolment and cannot read it: this room, above both, tells
them which people are still enrolled.
"""

from __future__ import annotations

import sqlalchemy as sa

from reseau.adjustments.operations import follow_enrolments
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.enrolment.signals import enrolments_changed

ENDED = (EnrolmentStatus.CANCELLED, EnrolmentStatus.DECLINED)


@enrolments_changed.connect
def follow_adjustment_requests(session, person_ids=(), **extra) -> None:
    """Enrolments of ``session`` changed status: their people's requests follow (one UPDATE)."""
    if not person_ids:
        return
    enrolled = sa.select(Enrolment.person_id).where(
        Enrolment.session_id == session.id, Enrolment.status.not_in(ENDED)
    )
    follow_enrolments(session.id, person_ids, enrolled)
