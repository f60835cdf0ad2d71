"""The demo planned in memory: its people, and the tools the periods plan sessions with.

``Planner.build()`` walks the periods in a fixed order with one ``random.Random(SEED)``: the
people, the 2011 days (``year2011``), the 2012 cycles (``year2012``), this year's sessions
(``current``). The plan is a pure function of the seed and of ``today``.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from devdata import days
from devdata import vocabulary as words
from devdata.demo import current, year2011, year2012
from devdata.demo.specs import (
    BENEVOLE,
    DEMO_ACCOUNTS,
    DOMAIN,
    SEED,
    CentreKey,
    PersonSpec,
    Plan,
    SessionSpec,
)
from reseau.accounts.models import Category, Role, UserStatus
from reseau.attendance.models import AttendanceStatus
from reseau.catalogue.models import SessionStatus
from reseau.enrolment.models import EnrolmentStatus


class Planner:
    """Build the whole demo in memory, deterministically."""

    def __init__(self, today: date):
        self.today = today
        self.rng = random.Random(SEED)
        self.people: list[PersonSpec] = []
        self.emails: set[str] = set()
        self.pools: dict[tuple[CentreKey, Category], list[str]] = {}
        self.partners: list[str] = []
        self.caf_agents: list[str] = []
        self.elus_municipaux: list[str] = []
        self.trainers: list[str] = []
        self.sessions: list[SessionSpec] = []
        self.centres = [(name, town) for _, name, town, *_ in words.CENTRES]
        self.dept_of = {(name, town): code for code, name, town, *_ in words.CENTRES}
        self.member_since = {(name, town): since for _, name, town, *_, since in words.CENTRES}

    def build(self) -> Plan:
        self.plan_people()
        year2011.plan(self)
        cycles = year2012.plan(self) + current.plan(self)
        titles = Counter(spec.title for spec in self.sessions)
        assert max(titles.values()) == 1, [t for t, n in titles.items() if n > 1]
        return Plan(people=self.people, cycles=cycles, sessions=self.sessions)

    # People ---------------------------------------------------------------------------

    def _email(self, first: str, last: str) -> str:
        base = f"{words.ascii_slug(first)}.{words.ascii_slug(last.replace(' ', '-'))}"
        email, n = f"{base}@{DOMAIN}", 1
        while email in self.emails:
            n += 1
            email = f"{base}{n}@{DOMAIN}"
        self.emails.add(email)
        return email

    def _person(self, category: Category, centre: CentreKey | None, **kw) -> str:
        first = self.rng.choice(words.FIRST_NAMES)
        last = self.rng.choice(words.LAST_NAMES)
        email = self._email(first, last)
        self.people.append(
            PersonSpec(
                email=email,
                first_name=first,
                last_name=last,
                category=category,
                centre=centre,
                directory_consent=self.rng.random() < 0.6,
                **kw,
            )
        )
        return email

    def plan_people(self) -> None:
        for email, first, last, category, centre, roles, _ in DEMO_ACCOUNTS:
            self.emails.add(email)
            self.people.append(
                PersonSpec(email, first, last, category, centre, roles, with_password=True)
            )
        for centre in self.centres:
            sizes = {
                Category.SALARIE: self.rng.randint(3, 5),
                Category.BENEVOLE: self.rng.randint(3, 7),
                Category.ELU: 1,
            }
            for category, size in sizes.items():
                # A centre's élu·e sits on its board.
                sub = "administrateur·rice" if category == Category.ELU else ""
                self.pools[(centre, category)] = [
                    self._person(category, centre, sub_category=sub) for _ in range(size)
                ]
        # The demo volunteer belongs to the pool of her centre (she goes to trainings).
        self.pools[(words.BLANC, Category.BENEVOLE)].append(BENEVOLE)
        # CAF agents (two per département), Carsat, other federations: partners, no centre.
        partners = ["agent CAF"] * 12 + ["agent Carsat"] * 2 + ["fédération"] * 2
        self.partners = [self._person(Category.PARTENAIRE, None, sub_category=s) for s in partners]
        self.caf_agents = self.partners[:12]
        self.elus_municipaux = [
            self._person(Category.ELU, None, sub_category="élu municipal") for _ in range(4)
        ]
        # Other trainers: external (CEMEA, FCSF) and a salariée of Saint-Jean-de-Braye.
        self.trainers = [
            self._person(Category.PARTENAIRE, None, roles=(Role.TRAINER,)),
            self._person(Category.PARTENAIRE, None, roles=(Role.TRAINER,)),
            self._person(Category.SALARIE, words.SAINT_JEAN_DE_BRAYE, roles=(Role.TRAINER,)),
        ]
        # Referents of a few other centres.
        for centre in self.centres[:5] + [self.centres[10], self.centres[35]]:
            self._person(Category.SALARIE, centre, roles=(Role.REFERENT,))
        # Self-registrations waiting for the referent of Le Blanc.
        for n in range(3):
            self._person(
                [Category.BENEVOLE, Category.BENEVOLE, Category.SALARIE][n],
                words.BLANC,
                status=UserStatus.PENDING,
                with_password=True,
                created_at=days.at(self.today - timedelta(days=n + 1), 18, 30),
            )

    def draw(
        self,
        centres: list[CentreKey],
        *,
        salaries: int = 0,
        benevoles: int = 0,
        elus: int = 0,
        partners: int = 0,
        caf_agents: int = 0,
        elus_municipaux: int = 0,
    ) -> list[str]:
        """Pick people: exactly these numbers by category, every centre represented."""
        cats = (
            [Category.SALARIE] * salaries + [Category.BENEVOLE] * benevoles + [Category.ELU] * elus
        )
        if len(cats) < len(centres):
            raise ValueError("not enough people to represent every centre")
        self.rng.shuffle(cats)
        taken: Counter = Counter()
        for centre, category in zip(centres, cats, strict=False):
            taken[(centre, category)] += 1
        for category in cats[len(centres) :]:
            room = [c for c in centres if taken[(c, category)] < len(self.pools[(c, category)])]
            taken[(self.rng.choice(room), category)] += 1
        picked: list[str] = []
        for (centre, category), count in taken.items():
            picked += self.rng.sample(self.pools[(centre, category)], count)
        picked += self.rng.sample(self.partners, partners)
        picked += self.rng.sample(self.caf_agents, caf_agents)
        picked += self.rng.sample(self.elus_municipaux, elus_municipaux)
        self.rng.shuffle(picked)
        return picked

    def in_departments(self, *codes: str) -> list[CentreKey]:
        return [c for c in self.centres if self.dept_of[c] in codes]

    # Sessions -------------------------------------------------------------------------

    def add(self, spec: SessionSpec) -> SessionSpec:
        self.sessions.append(spec)
        return spec

    def close(self, spec: SessionSpec, people: list[str], *, feedback: float = 0.0) -> None:
        """Confirm ``people``, record their attendance (mostly present) and some feedback.

        Without ``feedback`` (the seeds' events) everyone counted was there at every séance.
        """
        spec.enrolments = [(email, EnrolmentStatus.CONFIRMED) for email in people]
        statuses = list(AttendanceStatus)  # present, late, excused, absent
        for email in people:
            if feedback == 0.0:
                spec.attendance[email] = [AttendanceStatus.PRESENT] * len(spec.seances)
            else:
                spec.attendance[email] = self.rng.choices(
                    statuses, words.ATTENDANCE_ODDS, k=len(spec.seances)
                )
        if feedback:
            for email in people:
                came = set(AttendanceStatus.ATTENDED) & set(spec.attendance[email])
                if came and email != BENEVOLE and self.rng.random() < feedback:
                    spec.feedback.append(self._feedback(email))
        spec.status = SessionStatus.CLOSED

    def _feedback(self, email: str) -> tuple[str, int, str, str, bool]:
        score = self.rng.choices([5, 4, 3, 2], [45, 38, 13, 4])[0]
        gained = self.rng.choice(words.GAINED)
        missing = self.rng.choice(words.MISSING)
        return (email, score, gained, missing, score >= 3)
