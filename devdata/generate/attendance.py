"""Stage 6: attendance marks of past sessions (the scale's total exactly), then closing them.

Past sessions are marked oldest first, the landmark ones first; a session whose marks would
pass the total is left partly marked and open (its trainer has not closed it yet). When the
confirmed people are too few for the total, walk-ins on closed sessions make up the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa

from devdata import days
from devdata import vocabulary as words
from devdata.generate.build import PARTICIPANT_ID, Build
from devdata.generate.sessions import PlannedSession
from reseau.attendance.models import Attendance, AttendanceStatus
from reseau.catalogue.models import SessionStatus, TrainingSession
from reseau.core.extensions import db
from reseau.enrolment.models import EnrolmentStatus

CAME = AttendanceStatus.ATTENDED


def write_attendance(build: Build) -> None:
    marks = _Marks(build)
    build.insert("émargements", Attendance, marks.rows(), marks.target)
    # Closed sessions: closed a few days after their last séance, by their trainer.
    table = TrainingSession.__table__
    for plan in marks.closed:
        closed_at = min(
            plan.ends_at + timedelta(days=build.rng.randint(1, 6)), days.at(build.today, 8)
        )
        db.session.execute(
            sa.update(table)
            .where(table.c.id == plan.id)
            .values(
                status=SessionStatus.CLOSED,
                closed_at=closed_at,
                closed_by_id=plan.trainers[0],
                updated_at=closed_at,
            )
        )


class _Marks:
    def __init__(self, build: Build):
        self.build = build
        self.rng = build.rng
        self.target = build.scale.attendance_marks
        self.done = 0
        self.mark_id = 0
        self.closed: list[PlannedSession] = []
        self.walk_ins: set[tuple[int, int]] = set()

    def rows(self) -> Iterator[dict]:
        order = sorted(
            (p for p in self.build.plans if p.past and p.status == SessionStatus.PUBLISHED),
            key=lambda p: (not p.special, p.starts_at, p.id),
        )
        for plan in order:
            people = [
                (eid, uid)
                for eid, uid, s in zip(plan.enrolment_ids, plan.people, plan.statuses, strict=True)
                if s == EnrolmentStatus.CONFIRMED
            ]
            marks = len(people) * len(plan.seances)
            if self.done + marks > self.target:
                # The rest stays to be marked: the trainer has not closed these yet.
                if self.done < self.target:
                    yield from self._session(plan, people, self.target - self.done)
                    self.done = self.target
                continue
            came: set[int] = set()
            for row in self._session(plan, people, marks):
                if row["status"] in CAME:
                    came.add(row["person_id"])
                yield row
            self.done += marks
            plan.status = SessionStatus.CLOSED
            self.closed.append(plan)
            self.build.came += [(plan.id, uid) for _, uid in people if uid in came]
        yield from self._walk_ins()

    def _walk_ins(self) -> Iterator[dict]:
        """Not enough enrolled people for the marks asked: walk-ins on closed sessions."""
        walk_in, closed, everyone = 0, self.closed, self.build.everyone
        while self.done < self.target and closed and walk_in < 100 * self.target:
            plan = closed[walk_in % len(closed)]
            seance_id, _, end = plan.seances[walk_in // len(closed) % len(plan.seances)]
            walk_in += 1
            uid = everyone[self.rng.randrange(len(everyone))]
            key = (seance_id, uid)
            if uid in plan.people or key in self.walk_ins:
                continue
            self.walk_ins.add(key)
            self.done += 1
            yield self._mark(seance_id, uid, None, AttendanceStatus.PRESENT, plan, end, True)

    def _session(self, plan: PlannedSession, people, limit: int) -> Iterator[dict]:
        """Up to ``limit`` marks of ``people``, séance by séance."""
        statuses = list(AttendanceStatus)
        count = 0
        for seance_id, _, end in plan.seances:
            for eid, uid in people:
                if count >= limit:
                    return
                count += 1
                status = self.rng.choices(statuses, words.ATTENDANCE_ODDS)[0]
                if uid == PARTICIPANT_ID:  # the landmark participant came to every séance
                    status = AttendanceStatus.PRESENT
                yield self._mark(seance_id, uid, eid, status, plan, end, False)

    def _mark(self, seance_id, uid, eid, status, plan, end: datetime, walk_in: bool) -> dict:
        self.mark_id += 1
        return {
            "id": self.mark_id,
            "seance_id": seance_id,
            "person_id": uid,
            "enrolment_id": eid,
            "status": status,
            "is_walk_in": walk_in,
            "recorded_by_id": plan.trainers[0],
            "recorded_at": end - timedelta(minutes=self.rng.randint(5, 150)),
        }
