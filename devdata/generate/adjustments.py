"""Stage 11 (issue 18): the accessibility of the centres' premises, and adjustment requests
from a few of the people who came to sessions (two in three answered)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from devdata.generate.build import Build
from reseau.adjustments.models import AdjustmentRequest
from reseau.catalogue.models import PlaceAccessibility

REQUESTS = (
    "Je me déplace en fauteuil roulant.",
    "J'entends mal : une place près de l'intervenant·e, s'il vous plaît.",
    "Des supports imprimés en gros caractères.",
    "Une pause toutes les heures pour raison de santé.",
)
ARRANGED = "Salle au rez-de-chaussée et place réservée ; la formatrice est prévenue."


def write_adjustments(build: Build) -> None:
    rng = build.rng
    centres = len(build.centre_dept)

    def places() -> Iterator[dict]:
        for centre_id in range(1, centres + 1):
            if rng.random() < 0.8:  # most centres have said what their premises offer
                yield {
                    "centre_id": centre_id,
                    "step_free": rng.random() < 0.7,
                    "accessible_toilets": rng.random() < 0.5,
                    "hearing_loop": rng.random() < 0.15,
                    "public_transport": rng.random() < 0.6,
                    "notes": "",
                    "updated_at": build.since,
                }

    build.insert("accessibilité des lieux", PlaceAccessibility, places(), centres)
    count = min(len(build.came), max(1, len(build.came) // 40))
    chosen = sorted(set(rng.sample(build.came, count)))

    def requests() -> Iterator[dict]:
        for session_id, uid in chosen:
            arranged = rng.random() < 0.66
            asked = build.since + timedelta(days=rng.randint(0, 300))
            yield {
                "session_id": session_id,
                "person_id": uid,
                "text": rng.choice(REQUESTS),
                "asked_by_id": uid,
                "created_at": asked,
                "updated_at": asked,
                "arranged": ARRANGED if arranged else "",
                "arranged_by_id": None,
                "arranged_at": asked + timedelta(days=2) if arranged else None,
            }

    build.insert("demandes d'aménagement", AdjustmentRequest, requests(), len(chosen))
