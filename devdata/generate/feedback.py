"""Stage 7: feedback (évaluations à chaud) from people who came to closed sessions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from devdata import days
from devdata import vocabulary as words
from devdata.generate.build import Build
from reseau.attendance.models import Feedback


def write_feedback(build: Build) -> None:
    rng = build.rng
    by_id = {p.id: p for p in build.plans}
    count = min(build.scale.feedback, len(build.came))
    chosen = sorted(rng.sample(range(len(build.came)), count))

    def rows() -> Iterator[dict]:
        for number, index in enumerate(chosen, 1):
            session_id, uid = build.came[index]
            score = rng.choices([5, 4, 3, 2, 1], [45, 38, 12, 4, 1])[0]
            yield {
                "id": number,
                "session_id": session_id,
                "person_id": uid,
                "satisfaction": score,
                "gained": rng.choice(words.GAINED),
                "missing": rng.choice(words.MISSING),
                "would_recommend": None if rng.random() < 0.1 else score >= 3,
                "created_at": min(
                    by_id[session_id].ends_at + timedelta(days=rng.randint(1, 10)),
                    days.at(build.today, 8),
                ),
            }

    build.insert("évaluations", Feedback, rows(), count)
