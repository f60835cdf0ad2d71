"""A small, hand-computed year (2011) for the bilan.

    centre X (dept 36, member)   alice bénévole, bob salarié, frank bénévole, gina bénévole
    centre Y (dept 18, not)      carol élue, eve bénévole, hank salarié
    no centre                    dan partenaire

    S0  2010-05-03  closed, 1 séance 3 h       bob present             (bob is no first-timer)
    S1  2011-03-10  closed formation, theme T1 (cycle C1), 2 séances of 3 h
        confirmed: alice (present, present), bob (present, absent), carol (late, excused),
                   frank (never came: a no-show); gina waitlisted; eve walk-in (present, -)
    S2  2011-06-01  closed rencontre régionale, no theme, 2 séances of 2 h, the 2nd cancelled
        confirmed: alice (present), dan (present)
    S3  2011-09-01  cancelled formation, 1 séance of 3 h, hank confirmed
    S4  2011-10-03  draft, 1 séance                                 (never counts)
    S5  2012-01-16  closed, 1 séance, alice present                 (another year)

    feedback: S1 alice 5 "Très utile", S1 bob 4, S2 dan 3 (missing "Plus de temps")

Bilan 2011 by hand: 2 sessions held, 1 cancelled, 3 séances, 8 h; trainee-hours
S1 6 + 3 + 3 + 3 and S2 2 + 2 = 19; participants alice, bob, carol, eve, dan = 5
(2 bénévoles, 1 salarié, 1 élue, 1 partenaire); first-timers 4 (not bob); centres X and Y;
expected séances S1 4 × 2 + S2 2 × 1 = 10, attended 4 + 2 = 6 (60 %); no-shows 1 (frank);
waitlisted 1 (gina); satisfaction 5, 4, 3 (average 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from reseau.accounts.models import Category
from reseau.attendance import rollups
from reseau.attendance.models import Attendance, AttendanceStatus, Feedback
from reseau.catalogue.models import SeanceStatus, SessionKind, SessionStatus
from reseau.core.extensions import db
from reseau.enrolment.models import EnrolmentStatus
from tests.factories import (
    enrol,
    make_centre,
    make_cycle,
    make_department,
    make_module,
    make_session,
    make_theme,
    make_user,
)

PRESENT, LATE, EXCUSED, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
)


@dataclass
class Year:
    d36: object
    d18: object
    x: object
    y: object
    t1: object
    cycle: object
    people: dict
    sessions: dict


def at(year, month, day, hour=8):
    return datetime(year, month, day, hour, tzinfo=UTC)


def record(session, person, statuses, enrolment=None):
    for seance, status in zip(session.seances, statuses, strict=False):
        if status is None:
            continue
        db.session.add(
            Attendance(
                seance=seance,
                person=person,
                enrolment=enrolment,
                status=status,
                is_walk_in=enrolment is None,
            )
        )
    db.session.flush()


def build_year(copy: int = 0) -> Year:
    """The year of the module docstring; ``copy`` > 0 builds another one beside it (more data)."""
    if copy:
        d36, d18, tag = make_department(), make_department(), f" {copy}"
    else:
        d36, d18, tag = (
            make_department(code="36", name="Indre"),
            make_department(code="18", name="Cher"),
            "",
        )
    x = make_centre(name=f"Centre X{tag}", town="Le Blanc", department=d36, is_member=True)
    y = make_centre(name=f"Centre Y{tag}", town="Vierzon", department=d18, is_member=False)
    t1 = make_theme(name=f"Les fondamentaux{tag}", slug=f"fondamentaux{copy or ''}")
    cycle = make_cycle(theme=t1, title=f"Cycle 2011{tag}", year=2011)
    module = make_module(cycle=cycle, title="Module 1")
    people = {
        "alice": make_user(centre=x, category=Category.BENEVOLE, first_name="Alice"),
        "bob": make_user(centre=x, category=Category.SALARIE, first_name="Bob"),
        "frank": make_user(centre=x, category=Category.BENEVOLE, first_name="Frank"),
        "gina": make_user(centre=x, category=Category.BENEVOLE, first_name="Gina"),
        "carol": make_user(centre=y, category=Category.ELU, first_name="Carol"),
        "eve": make_user(centre=y, category=Category.BENEVOLE, first_name="Eve"),
        "hank": make_user(centre=y, category=Category.SALARIE, first_name="Hank"),
        "dan": make_user(category=Category.PARTENAIRE, first_name="Dan"),
    }
    p = people
    closed = SessionStatus.CLOSED
    s0 = make_session(starts_at=at(2010, 5, 3), status=closed, title="S0")
    record(s0, p["bob"], [PRESENT], enrol(s0, p["bob"]))

    s1 = make_session(
        starts_at=at(2011, 3, 10), seances=2, hours=3, status=closed, title="S1",
        kind=SessionKind.FORMATION, theme=t1, module=module, town="Le Blanc",
    )  # fmt: skip
    record(s1, p["alice"], [PRESENT, PRESENT], enrol(s1, p["alice"]))
    record(s1, p["bob"], [PRESENT, ABSENT], enrol(s1, p["bob"]))
    record(s1, p["carol"], [LATE, EXCUSED], enrol(s1, p["carol"]))
    enrol(s1, p["frank"])
    enrol(s1, p["gina"], EnrolmentStatus.WAITLISTED)
    record(s1, p["eve"], [PRESENT, None])

    s2 = make_session(
        starts_at=at(2011, 6, 1), seances=2, hours=2, status=closed, title="S2",
        kind=SessionKind.RENCONTRE_REGIONALE, town="Orléans",
    )  # fmt: skip
    s2.seances[1].status = SeanceStatus.CANCELLED
    record(s2, p["alice"], [PRESENT], enrol(s2, p["alice"]))
    record(s2, p["dan"], [PRESENT], enrol(s2, p["dan"]))

    s3 = make_session(
        starts_at=at(2011, 9, 1), status=SessionStatus.CANCELLED, title="S3",
        kind=SessionKind.FORMATION,
    )  # fmt: skip
    enrol(s3, p["hank"])
    s4 = make_session(starts_at=at(2011, 10, 3), status=SessionStatus.DRAFT, title="S4")
    s5 = make_session(starts_at=at(2012, 1, 16), status=closed, title="S5")
    record(s5, p["alice"], [PRESENT], enrol(s5, p["alice"]))

    db.session.add_all(
        [
            Feedback(session=s1, person_id=p["alice"].id, satisfaction=5, gained="Très utile"),
            Feedback(session=s1, person_id=p["bob"].id, satisfaction=4),
            Feedback(session=s2, person_id=p["dan"].id, satisfaction=3, missing="Plus de temps"),
        ]
    )
    db.session.flush()
    # Rows written directly, not through the operations: count them as rebuild-rollups would.
    rollups.rebuild()
    sessions = {"s0": s0, "s1": s1, "s2": s2, "s3": s3, "s4": s4, "s5": s5}
    return Year(d36, d18, x, y, t1, cycle, people, sessions)


def figure(html: str, figure_id: str) -> str:
    """The text of the element ``id=figure_id`` of a page (a key figure of the bilan)."""
    marker = f'id="{figure_id}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)].strip()
