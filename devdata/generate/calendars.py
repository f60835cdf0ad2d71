"""Stage 9: the landmark people's secret calendar addresses (the centre feed included)."""

from __future__ import annotations

from datetime import timedelta

from devdata import days
from devdata.generate.build import PARTICIPANT_ID, REFERENT_ID, TRAINER_ID, Build
from reseau.calendars.models import CalendarToken, FeedKind
from reseau.calendars.tokens import feed_token, hash_token


def write_calendar_tokens(build: Build) -> None:
    created = days.at(build.today - timedelta(days=30), 10)
    specs = [
        (1, FeedKind.CENTRE, REFERENT_ID, build.person_centre[REFERENT_ID]),
        (2, FeedKind.TRAINER, TRAINER_ID, None),
        (3, FeedKind.PERSON, PARTICIPANT_ID, None),
    ]
    rows = []
    for token_id, kind, uid, centre in specs:
        # The address is derived from the token's row: build it as the model would.
        token = CalendarToken(id=token_id, kind=kind, user_id=uid, centre_id=centre)
        rows.append(
            {
                "id": token_id,
                "kind": kind,
                "user_id": uid,
                "centre_id": centre,
                "token_hash": hash_token(feed_token(token)),
                "created_at": created,
            }
        )
    build.insert("agendas", CalendarToken, rows, len(rows))
