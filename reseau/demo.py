"""Demo data built from the seeds: ``flask --app reseau demo`` or ``load_demo()``.

The data is planned in memory first (a pure function of a fixed random seed and today's
date), then written: every row is looked up by a stable natural key (département code,
centre name and town, e-mail, theme slug, cycle title, module title, session title) and only
what is missing is inserted. A session's séances, trainers, enrolments, attendance and
feedback are written only together with the session itself. Running the loader twice
therefore changes nothing, and dates relative to today are fixed by the first run.

The 2011 events reproduce the figures of the network's 2011 report exactly (participants by
category, centres), so the bilan of 2011 can be checked against the seeds.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import click
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from reseau import demo_data as data
from reseau.accounts.models import Category, Centre, Department, Role, User, UserRole, UserStatus
from reseau.attendance.models import Attendance, AttendanceStatus, Feedback
from reseau.catalogue.models import (
    Audience,
    Cycle,
    Module,
    PlaceKind,
    Seance,
    SessionKind,
    SessionStatus,
    Theme,
    TrainingSession,
)
from reseau.database import utcnow
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.extensions import db
from reseau.i18n import from_local, to_local

SEED = 2012
DEMO_PASSWORD = "demo"  # noqa: S105 (the documented password of the demo accounts)
DOMAIN = "demo.reseau.test"

# (e-mail, first name, last name, category, centre, roles, what the account is for)
DEMO_ACCOUNTS: list[
    tuple[str, str, str, Category, tuple[str, str] | None, tuple[Role, ...], str]
] = [
    (
        f"coordination@{DOMAIN}",
        "Claire",
        "Moreau",
        Category.SALARIE,
        None,
        (Role.COORDINATOR,),
        "coordinatrice régionale",
    ),
    (
        f"referent@{DOMAIN}",
        "Sylvie",
        "Lambert",
        Category.SALARIE,
        data.BLANC,
        (Role.REFERENT,),
        "référente du Centre social du Blanc",
    ),
    (
        f"formatrice@{DOMAIN}",
        "Nathalie",
        "Girard",
        Category.SALARIE,
        data.VIERZON,
        (Role.TRAINER,),
        "formatrice",
    ),
    (
        f"benevole@{DOMAIN}",
        "Martine",
        "Robin",
        Category.BENEVOLE,
        data.BLANC,
        (),
        "bénévole du Centre social du Blanc",
    ),
]
COORDINATOR = DEMO_ACCOUNTS[0][0]
FORMATRICE = DEMO_ACCOUNTS[2][0]
BENEVOLE = DEMO_ACCOUNTS[3][0]

# People "created" long ago, so that nobody seems to have joined after their 2011 events.
PEOPLE_SINCE = datetime(2011, 1, 3, 9, 0)

CentreKey = tuple[str, str]
_SJB: CentreKey = ("Centre social de Saint-Jean-de-Braye", "Saint-Jean-de-Braye")
_VIERZON: CentreKey = data.VIERZON


@dataclass
class PersonSpec:
    email: str
    first_name: str
    last_name: str
    category: Category
    centre: CentreKey | None
    roles: tuple[Role, ...] = ()
    status: UserStatus = UserStatus.ACTIVE
    with_password: bool = False
    directory_consent: bool = False
    created_at: datetime | None = None


@dataclass
class SessionSpec:
    title: str
    kind: SessionKind
    status: SessionStatus
    seances: list[tuple[datetime, datetime]]
    theme: str | None = None
    module: tuple[str, str, str] | None = None  # (theme slug, cycle title, module title)
    description: str = ""
    objectives: str = ""
    audience: Audience = Audience.TOUS
    capacity: int = 12
    centre_cap: int | None = None
    requires_validation: bool = False
    place_kind: PlaceKind = PlaceKind.CENTRE
    host: CentreKey | None = None
    place_name: str = ""
    address: str = ""
    postcode: str = ""
    town: str = ""
    department: str | None = None
    visio_url: str = ""
    what_to_bring: str = ""
    trainers: list[str] = field(default_factory=list)
    # (e-mail, status) in queue order
    enrolments: list[tuple[str, EnrolmentStatus]] = field(default_factory=list)
    # e-mail -> one status per séance
    attendance: dict[str, list[AttendanceStatus]] = field(default_factory=dict)
    # (e-mail, satisfaction, gained, missing, would recommend)
    feedback: list[tuple[str, int, str, str, bool]] = field(default_factory=list)


@dataclass
class Plan:
    people: list[PersonSpec]
    cycles: list[tuple[str, str, int, Audience, str, str, list[tuple[str, str, float]]]]
    sessions: list[SessionSpec]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return the UTC instant of a wall-clock time in Europe/Paris."""
    return from_local(datetime.combine(day, time(hour, minute)))


def _day(day: date) -> list[tuple[datetime, datetime]]:
    """A full day as two half-day séances (émargement par demi-journée)."""
    return [(_at(day, 9, 30), _at(day, 12, 30)), (_at(day, 14), _at(day, 17))]


def _morning(day: date) -> list[tuple[datetime, datetime]]:
    return [(_at(day, 9, 30), _at(day, 12, 30))]


# Fixed public holidays, and the Christmas break, when nobody organises a training.
_HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def _working(day: date) -> bool:
    christmas = (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 3)
    return day.weekday() < 5 and (day.month, day.day) not in _HOLIDAYS and not christmas


def _weekday(day: date, step: int = 1) -> date:
    """Return ``day``, or the next (``step=-1``: previous) working day."""
    while not _working(day):
        day += timedelta(days=step)
    return day


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch == "-")


class _Planner:
    """Build the whole demo in memory, deterministically."""

    def __init__(self, today: date):
        self.today = today
        self.rng = random.Random(SEED)
        self.people: list[PersonSpec] = []
        self.emails: set[str] = set()
        self.pools: dict[tuple[CentreKey, Category], list[str]] = {}
        self.partners: list[str] = []
        self.elus_municipaux: list[str] = []
        self.sessions: list[SessionSpec] = []
        self.centres = [(name, town) for _, name, town, *_ in data.CENTRES]
        self.dept_of = {(name, town): code for code, name, town, *_ in data.CENTRES}
        self.member_since = {(name, town): since for _, name, town, *_, since in data.CENTRES}

    # People ---------------------------------------------------------------------------

    def _email(self, first: str, last: str) -> str:
        base = f"{_ascii(first)}.{_ascii(last.replace(' ', '-'))}"
        email, n = f"{base}@{DOMAIN}", 1
        while email in self.emails:
            n += 1
            email = f"{base}{n}@{DOMAIN}"
        self.emails.add(email)
        return email

    def _person(self, category: Category, centre: CentreKey | None, **kw) -> str:
        first = self.rng.choice(data.FIRST_NAMES)
        last = self.rng.choice(data.LAST_NAMES)
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
                self.pools[(centre, category)] = [
                    self._person(category, centre) for _ in range(size)
                ]
        # The demo volunteer belongs to the pool of her centre (she goes to trainings).
        self.pools[(data.BLANC, Category.BENEVOLE)].append(BENEVOLE)
        # CAF agents (two per département), Carsat, other federations: partners, no centre.
        self.partners = [self._person(Category.PARTENAIRE, None) for _ in range(16)]
        self.elus_municipaux = [self._person(Category.ELU, None) for _ in range(4)]
        # Other trainers: external (CEMEA, FCSF) and a salariée of Saint-Jean-de-Braye.
        self.trainers = [
            self._person(Category.PARTENAIRE, None, roles=(Role.TRAINER,)),
            self._person(Category.PARTENAIRE, None, roles=(Role.TRAINER,)),
            self._person(
                Category.SALARIE,
                ("Centre social de Saint-Jean-de-Braye", "Saint-Jean-de-Braye"),
                roles=(Role.TRAINER,),
            ),
        ]
        # Referents of a few other centres.
        for centre in self.centres[:5] + [self.centres[10], self.centres[35]]:
            self._person(Category.SALARIE, centre, roles=(Role.REFERENT,))
        # Self-registrations waiting for the referent of Le Blanc.
        for n in range(3):
            self._person(
                [Category.BENEVOLE, Category.BENEVOLE, Category.SALARIE][n],
                data.BLANC,
                status=UserStatus.PENDING,
                with_password=True,
                created_at=_at(self.today - timedelta(days=n + 1), 18, 30),
            )

    def draw(
        self,
        centres: list[CentreKey],
        *,
        salaries: int = 0,
        benevoles: int = 0,
        elus: int = 0,
        partners: int = 0,
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
        picked += self.rng.sample(self.elus_municipaux, elus_municipaux)
        self.rng.shuffle(picked)
        return picked

    # Sessions -------------------------------------------------------------------------

    def _closed(self, spec: SessionSpec, people: list[str], *, feedback: float = 0.0) -> None:
        """Confirm ``people``, record their attendance (mostly present) and some feedback."""
        spec.enrolments = [(email, EnrolmentStatus.CONFIRMED) for email in people]
        statuses = list(AttendanceStatus)  # present, late, excused, absent
        odds = [86, 5, 5, 4]
        for email in people:
            if feedback == 0.0:  # the seeds' events: everyone counted was there
                spec.attendance[email] = [AttendanceStatus.PRESENT] * len(spec.seances)
            else:
                spec.attendance[email] = self.rng.choices(statuses, odds, k=len(spec.seances))
        if feedback:
            for email in people:
                came = {AttendanceStatus.PRESENT, AttendanceStatus.LATE} & set(
                    spec.attendance[email]
                )
                if came and email != BENEVOLE and self.rng.random() < feedback:
                    score = self.rng.choices([5, 4, 3, 2], [45, 38, 13, 4])[0]
                    spec.feedback.append(
                        (
                            email,
                            score,
                            self.rng.choice(data.GAINED),
                            self.rng.choice(data.MISSING),
                            score >= 3,
                        )
                    )
        spec.status = SessionStatus.CLOSED

    def _in(self, *codes: str) -> list[CentreKey]:
        return [c for c in self.centres if self.dept_of[c] in codes]

    def plan_2011(self) -> None:
        """The 2011 events of the seeds, with their exact figures."""
        rng = self.rng
        members = [
            c for c in self.centres if (s := self.member_since[c]) and s <= date(2011, 10, 1)
        ]
        assert len(members) == 27  # "27 adhérents fin 2011"
        cher = self._in("18")
        # 24 March, Bourges: 27 centres (all of the Cher's), 3 members stay away, 3 non-members come.
        absent = rng.sample([c for c in members if c not in cher and c != _SJB], 3)
        non_members_2011 = [c for c in self.centres if c not in members]
        march = [c for c in members if c not in absent] + rng.sample(
            [c for c in non_members_2011 if self.dept_of[c] in ("36", "45", "37")], 3
        )
        assert len(set(march)) == 27
        # 22 November, Orléans, open to members only: 21 centres, the 3 absent in March included.
        november = absent + rng.sample([c for c in members if c not in absent], 18)
        # 9 June, Saint-Jean-de-Braye: 19 centres among those → 30 centres over the three days.
        came = set(march) | set(november)
        june = [_SJB] + rng.sample([c for c in self.centres if c in came and c != _SJB], 18)
        assert len(set(march) | set(november) | set(june)) == 30

        spec = SessionSpec(
            title="Réforme territoriale et centres sociaux : conférence-débat régionale",
            kind=SessionKind.RENCONTRE_REGIONALE,
            status=SessionStatus.CLOSED,
            seances=_day(date(2011, 3, 24)),
            description=(
                "Conférence-débat sur la réforme des collectivités territoriales et son impact "
                "sur l'action des centres sociaux. Journée co-construite avec la FCSF et "
                "l'Adels, avec la participation de quatre territoires (Nièvre, Allier, "
                "Côte-d'Or et Centre)."
            ),
            place_kind=PlaceKind.ADDRESS,
            town="Bourges",
            postcode="18000",
            department="18",
            capacity=60,
        )
        # 48 participants: 28 salariés, 12 bénévoles, 1 élu municipal, 7 agents CAF.
        self._closed(
            spec,
            self.draw(march, salaries=28, benevoles=12, partners=7, elus_municipaux=1),
        )
        self.sessions.append(spec)

        spec = SessionSpec(
            title="2e journée du Bien vivre ensemble dans le Loiret",
            kind=SessionKind.JOURNEE_DEPARTEMENTALE,
            status=SessionStatus.CLOSED,
            theme="participation",
            seances=_day(date(2011, 4, 14)),
            description=(
                "« La participation des habitants, des principes communs et des cultures "
                "multiples » : échanges de pratiques et apports de la SCOP « L'engrenage, le "
                "Pavé » sur l'histoire de la participation, ses méthodes et ses postures. "
                "Avec le soutien de la municipalité de Châteauneuf-sur-Loire."
            ),
            host=("Centre social de Châteauneuf-sur-Loire", "Châteauneuf-sur-Loire"),
            department="45",
            capacity=80,
        )
        # Every centre of the Loiret took part: 25 structures.
        self._closed(spec, self.draw(self._in("45"), salaries=36, benevoles=24, elus=3))
        self.sessions.append(spec)

        spec = SessionSpec(
            title="Assemblée générale 2011 et valorisation des dynamiques départementales",
            kind=SessionKind.RENCONTRE_REGIONALE,
            status=SessionStatus.CLOSED,
            seances=_day(date(2011, 6, 9)),
            description=(
                "Journée régionale incluant l'assemblée générale du Réseau : élection de deux "
                "nouveaux administrateurs bénévoles de centres sociaux d'Indre-et-Loire et du "
                "Loiret."
            ),
            host=_SJB,
            department="45",
            capacity=60,
        )
        # 19 centres were present.
        self._closed(spec, self.draw(june, salaries=17, benevoles=13, elus=6))
        self.sessions.append(spec)

        spec = SessionSpec(
            title="Comment accueillir et faire vivre la différence dans les centres sociaux ?",
            kind=SessionKind.JOURNEE_DEPARTEMENTALE,
            status=SessionStatus.CLOSED,
            theme="accueil",
            seances=_day(date(2011, 6, 20)),
            description=(
                "Journée des centres sociaux de l'Indre et du Cher : échanges de pratiques "
                "autour des actions de lutte contre les discriminations, intervention de "
                "l'association « Toit du monde », création d'un outil d'animation."
            ),
            host=("Centre social de Châteauroux", "Châteauroux"),
            department="36",
            capacity=60,
        )
        # All the centres of the Cher and the Indre: 51 participants, 29 habitants and
        # bénévoles, 22 salariés.
        self._closed(spec, self.draw(self._in("18", "36"), salaries=22, benevoles=29))
        self.sessions.append(spec)

        spec = SessionSpec(
            title="Animation globale : une culture commune des centres sociaux du Loir-et-Cher",
            kind=SessionKind.JOURNEE_DEPARTEMENTALE,
            status=SessionStatus.CLOSED,
            seances=_morning(date(2011, 10, 13)),
            description=(
                "Une des rencontres des centres sociaux du Loir-et-Cher : définition commune de "
                "l'animation globale, document collectif, préparation du film « Les centres "
                "sociaux du Loir-et-Cher »."
            ),
            host=("Centre social Quinière", "Blois"),
            department="41",
            capacity=30,
        )
        # 8 of the 9 centres of the Loir-et-Cher.
        loir = self._in("41")
        loir.remove(rng.choice([c for c in loir if c != ("Centre social Quinière", "Blois")]))
        self._closed(spec, self.draw(loir, salaries=11, benevoles=7))
        self.sessions.append(spec)

        spec = SessionSpec(
            title="Le fédéralisme en question",
            kind=SessionKind.RENCONTRE_REGIONALE,
            status=SessionStatus.CLOSED,
            seances=_day(date(2011, 11, 22)),
            description=(
                "Rencontre ouverte aux adhérents du Réseau, avec la fédération des centres "
                "sociaux de Bretagne et la Carsat du Centre : le contexte et les perspectives "
                "de l'association, les craintes, les atouts et la plus-value du passage en "
                "fédération."
            ),
            place_kind=PlaceKind.ADDRESS,
            town="Orléans",
            postcode="45000",
            department="45",
            capacity=60,
        )
        # 21 centres.
        self._closed(spec, self.draw(november, salaries=19, benevoles=12, elus=5, partners=2))
        self.sessions.append(spec)

    def plan_2012(self) -> list:
        """The 2012 cycles of the three themes (past, closed) and the AG of 14 June 2012."""
        rng = self.rng
        cycles = []
        places = {
            "fondamentaux": [
                (_VIERZON, date(2012, 1, 28)),
                (_SJB, date(2012, 3, 10)),
                (("Centre social du Sanitas", "Tours"), date(2012, 4, 14)),
            ],
            "fonction-employeur": [
                (("Centre social de Châteauroux", "Châteauroux"), date(2012, 2, 18)),
                (("Centre social Quinière", "Blois"), date(2012, 3, 24)),
                (("Centre social de La Source", "Orléans"), date(2012, 5, 12)),
            ],
            "strategie-partenaires": [
                (("Centre social La Chancellerie", "Bourges"), date(2012, 9, 22)),
                (data.BLANC, date(2012, 10, 13)),
                (("Centre social de Saint-Georges-sur-Eure", "Saint-Georges-sur-Eure"),
                 date(2012, 11, 17)),
            ],
        }  # fmt: skip
        members_2012 = [
            c for c in self.centres if (s := self.member_since[c]) and s <= date(2012, 12, 31)
        ]
        for slug, audience, description, objectives, modules in data.CYCLES:
            title = "Cycle de formation 2012"
            cycles.append((slug, title, 2012, Audience(audience), description, objectives, modules))
            for (module, mod_objectives, hours), (host, day) in zip(
                modules, places[slug], strict=True
            ):
                seances = _day(day) if hours > 3 else _morning(day)
                spec = SessionSpec(
                    title=f"{module} – {host[1]}, 2012",
                    kind=SessionKind.FORMATION,
                    status=SessionStatus.PUBLISHED,
                    theme=slug,
                    module=(slug, title, module),
                    objectives=mod_objectives,
                    audience=Audience(audience),
                    seances=seances,
                    host=host,
                    department=self.dept_of[host],
                    capacity=14,
                    trainers=[FORMATRICE]
                    if slug == "fondamentaux"
                    else [rng.choice(self.trainers)],
                )
                if host[0].endswith("La Source"):  # not enough people: the session was cancelled
                    spec.status = SessionStatus.CANCELLED
                else:
                    counts = {
                        "benevoles": rng.randint(6, 9),
                        "elus": rng.randint(1, 2),
                        "salaries": rng.randint(0, 2),
                    }
                    centres = rng.sample(members_2012, rng.randint(4, 7))
                    people = self.draw(centres, **counts)
                    self._closed(spec, people, feedback=0.6)
                self.sessions.append(spec)

        spec = SessionSpec(
            title="Assemblée générale du Réseau des centres sociaux de la Région Centre 2012",
            kind=SessionKind.RENCONTRE_REGIONALE,
            status=SessionStatus.CLOSED,
            seances=_day(date(2012, 6, 14)),
            description=(
                "Bilan en groupes : en quoi le Réseau a été un appui, une ressource pour votre "
                "centre social ? Perspectives pour le projet."
            ),
            host=data.BLANC,
            department="36",
            capacity=60,
        )
        # Groups A, B and C: 15 bénévoles and 22 salariés from the 45, 37, 36 and 18.
        centres = rng.sample(self._in("45", "37", "36", "18"), 16)
        self._closed(spec, self.draw(centres, salaries=22, benevoles=15, partners=2))
        self.sessions.append(spec)
        return cycles

    def plan_current(self) -> list:
        """This year's cycles: sessions around today so the demo looks alive."""
        rng = self.rng
        today = self.today
        cycles = []
        title = "Cycle de formation"
        for slug, audience, description, objectives, modules in data.CYCLES:
            cycles.append(
                (slug, title, today.year, Audience(audience), description, objectives, modules)
            )
        mods = {slug: modules for slug, _, _, _, modules in data.CYCLES}
        ext1, ext2, sjb_trainer = self.trainers

        def formation(slug, index, host, seances, trainers, **kw):
            module, objectives, _ = mods[slug][index]
            town = "en visio" if host is None else host[1]
            spec = SessionSpec(
                title=f"{module} – {town}",
                kind=SessionKind.FORMATION,
                status=SessionStatus.PUBLISHED,
                theme=slug,
                module=(slug, title, module),
                objectives=objectives,
                audience=Audience.BENEVOLES if slug != "strategie-partenaires" else Audience.TOUS,
                seances=seances,
                host=host,
                department=self.dept_of[host] if host else None,
                trainers=trainers,
                what_to_bring="De quoi prendre des notes ; le projet social de votre centre.",
                **kw,
            )
            if host is None:
                spec.place_kind = PlaceKind.VISIO
                spec.visio_url = f"https://visio.{DOMAIN}/reseau-{_ascii(module)[:40]}"
            self.sessions.append(spec)
            return spec

        def ahead(days: int) -> date:
            return _weekday(today + timedelta(days=days))

        def past(days: int) -> date:
            return _weekday(today - timedelta(days=days), step=-1)

        # The demo trainer: a session today, a closed one with attendance, one to close,
        # and upcoming ones.
        formation("fondamentaux", 0, data.BLANC, _day(today), [FORMATRICE], capacity=12)
        spec = formation("fondamentaux", 2, _VIERZON, _day(past(21)), [FORMATRICE], capacity=12)
        people = [BENEVOLE] + self.draw(
            rng.sample(self._in("18", "36"), 5), benevoles=7, elus=1, salaries=1
        )
        people = list(dict.fromkeys(people))
        self._closed(spec, people, feedback=0.7)
        spec.attendance[BENEVOLE] = [AttendanceStatus.PRESENT] * 2
        spec = formation(
            "fonction-employeur",
            0,
            ("Centre social d'Issoudun", "Issoudun"),
            _morning(past(5)),
            [FORMATRICE, ext1],
        )
        spec.enrolments = [
            (email, EnrolmentStatus.CONFIRMED)
            for email in self.draw(rng.sample(self._in("36", "18"), 4), benevoles=5, elus=3)
        ]
        formation(
            "fondamentaux",
            1,
            ("Centre social du Val d'Auron", "Bourges"),
            _morning(ahead(12)),
            [FORMATRICE],
            capacity=10,
        )
        formation("strategie-partenaires", 0, _SJB, _day(ahead(26)), [FORMATRICE, sjb_trainer])
        # The other trainers.
        formation(
            "fonction-employeur",
            1,
            ("Centre social du Sanitas", "Tours"),
            _morning(ahead(9)),
            [ext1],
            centre_cap=2,
        )
        formation(
            "fonction-employeur",
            2,
            ("Centre social Quinière", "Blois"),
            _morning(ahead(33)),
            [ext1],
            requires_validation=True,
        )
        formation("strategie-partenaires", 1, _SJB, _morning(ahead(16)), [sjb_trainer])
        formation("strategie-partenaires", 2, None, _morning(ahead(20)), [sjb_trainer], capacity=20)
        formation(
            "fondamentaux",
            1,
            ("Centre social de Beaulieu", "Chartres"),
            _morning(ahead(61)),
            [ext2],
        )

        def event(title, slug, host, seances, trainers, **kw):
            kw.setdefault("kind", SessionKind.FORMATION)
            kw.setdefault("status", SessionStatus.PUBLISHED)
            spec = SessionSpec(
                title=title,
                theme=slug,
                seances=seances,
                host=host,
                department=self.dept_of[host] if host else None,
                trainers=trainers,
                **kw,
            )
            if host is None:
                spec.place_kind = PlaceKind.VISIO
                spec.visio_url = f"https://visio.{DOMAIN}/reseau-{slug}"
            self.sessions.append(spec)

        event(
            "Accueillir et faire vivre la différence",
            "accueil",
            ("Centre social de Châteauroux", "Châteauroux"),
            _day(ahead(40)),
            [ext2],
            description="Identifier et faire évoluer les compétences, individuelles et "
            "collectives, nécessaires pour un accueil de qualité ; aller vers les publics "
            "isolés.",
            capacity=16,
        )
        event(
            "La participation des habitants : principes communs et cultures multiples",
            "participation",
            ("Centre social de Montargis", "Montargis"),
            _day(ahead(47)),
            [ext2, sjb_trainer],
            description="Histoire et évolution de la participation, nouvelles méthodes et "
            "postures ; échanges de pratiques entre centres.",
            capacity=20,
        )
        event(
            "Faire vivre le blog départemental",
            "numerique",
            None,
            [(_at(ahead(6), 18), _at(ahead(6), 20))],
            [sjb_trainer],
            description="Publier les initiatives de votre centre sur le blog de votre "
            "département, en visio, en fin de journée.",
            capacity=4,
            audience=Audience.BENEVOLES,
        )
        event(
            "Veille, projet, évaluation : prendre en main le classeur V.P.E.",
            "evaluation",
            ("Centre social de Joué-lès-Tours", "Joué-lès-Tours"),
            _day(ahead(54)),
            [],
            description="Faire des évaluations plutôt que des bilans, pour le contrat de projet.",
            status=SessionStatus.DRAFT,
        )
        event(
            "Rencontre régionale : le Réseau, appui et ressource des centres sociaux",
            None,
            ("Centre social de Vierzon", "Vierzon"),
            _day(ahead(68)),
            [],
            kind=SessionKind.RENCONTRE_REGIONALE,
            description="Une journée pour tous les centres sociaux de la région, adhérents "
            "ou non : échanges de pratiques et perspectives du projet régional.",
            capacity=80,
            centre_cap=4,
        )
        return cycles

    def build(self) -> Plan:
        self.plan_people()
        self.plan_2011()
        cycles = self.plan_2012() + self.plan_current()
        titles = Counter(spec.title for spec in self.sessions)
        assert max(titles.values()) == 1, [t for t, n in titles.items() if n > 1]
        return Plan(people=self.people, cycles=cycles, sessions=self.sessions)


def build_plan(today: date) -> Plan:
    """Return the demo data as specs (no database access); same seed, same plan."""
    return _Planner(today).build()


# Writing ------------------------------------------------------------------------------


class _Loader:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.created: Counter = Counter()
        self._hash: str | None = None

    @property
    def password_hash(self) -> str:
        # scrypt is slow on purpose: hash once, for every account that needs a password.
        if self._hash is None:
            self._hash = generate_password_hash(DEMO_PASSWORD, method="scrypt")
        return self._hash

    def run(self) -> dict[str, int]:
        self.departments()
        self.centres_()
        self.people()
        self.catalogue()
        self.sessions()
        return {key: self.created[key] for key in _SUMMARY_KEYS}

    def departments(self) -> None:
        existing = {d.code: d for d in db.session.scalars(sa.select(Department))}
        for code, name in data.DEPARTMENTS:
            if code not in existing:
                existing[code] = Department(code=code, name=name)
                db.session.add(existing[code])
                self.created["departments"] += 1
        self.department = existing
        db.session.flush()

    def centres_(self) -> None:
        existing = {(c.name, c.town): c for c in db.session.scalars(sa.select(Centre))}
        for n, (code, name, town, postcode, address, since) in enumerate(data.CENTRES):
            if (name, town) in existing:
                continue
            centre = Centre(
                name=name,
                town=town,
                postcode=postcode,
                address=address,
                department=self.department[code],
                is_member=since is not None,
                member_since=since,
                email=f"accueil.{_ascii(name.removeprefix('Centre social ').replace(' ', '-'))}"
                f"@{DOMAIN}",
                phone=_phone(code, n),
                created_at=from_local(PEOPLE_SINCE),
            )
            existing[(name, town)] = centre
            db.session.add(centre)
            self.created["centres"] += 1
        self.centre = existing
        db.session.flush()

    def people(self) -> None:
        emails = [p.email for p in self.plan.people]
        existing = {
            u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))
        }
        since = from_local(PEOPLE_SINCE)
        for spec in self.plan.people:
            if spec.email in existing:
                continue
            created_at = spec.created_at or since
            user = User(
                email=spec.email,
                first_name=spec.first_name,
                last_name=spec.last_name,
                category=spec.category,
                status=spec.status,
                centre=self.centre[spec.centre] if spec.centre else None,
                password_hash=self.password_hash if spec.with_password else None,
                directory_consent=spec.directory_consent,
                created_at=created_at,
                updated_at=created_at,
                role_rows=[UserRole(role=role) for role in sorted({Role.PARTICIPANT, *spec.roles})],
            )
            existing[spec.email] = user
            db.session.add(user)
            self.created["people"] += 1
        self.user = existing
        db.session.flush()

    def catalogue(self) -> None:
        themes = {t.slug: t for t in db.session.scalars(sa.select(Theme))}
        names = {t.name: t for t in themes.values()}
        for slug, name, description, position in data.THEMES:
            if slug not in themes:
                theme = names.get(name) or Theme(
                    slug=slug, name=name, description=description, position=position
                )
                if theme.id is None:
                    db.session.add(theme)
                    self.created["themes"] += 1
                themes[slug] = theme
        self.theme = themes
        db.session.flush()

        cycles = {(c.theme_id, c.title): c for c in db.session.scalars(sa.select(Cycle))}
        self.module: dict[tuple[str, str, str], Module] = {}
        for slug, title, year, audience, description, objectives, modules in self.plan.cycles:
            theme = themes[slug]
            cycle = cycles.get((theme.id, title))
            if cycle is None:
                cycle = Cycle(
                    theme=theme,
                    title=title,
                    year=year,
                    audience=audience,
                    description=description,
                    objectives=objectives,
                )
                db.session.add(cycle)
                cycles[(theme.id, title)] = cycle
                self.created["cycles"] += 1
            have = {m.title: m for m in cycle.modules}
            for position, (module_title, module_objectives, hours) in enumerate(modules, 1):
                module = have.get(module_title)
                if module is None:
                    module = Module(
                        title=module_title,
                        objectives=module_objectives,
                        duration_hours=hours,
                        position=position,
                    )
                    cycle.modules.append(module)
                    self.created["modules"] += 1
                self.module[(slug, title, module_title)] = module
        db.session.flush()

    def sessions(self) -> None:
        titles = [spec.title for spec in self.plan.sessions]
        existing = set(
            db.session.scalars(
                sa.select(TrainingSession.title).where(TrainingSession.title.in_(titles))
            )
        )
        coordinator = self.user[COORDINATOR]
        now = utcnow()
        for spec in self.plan.sessions:
            if spec.title in existing:
                continue
            self.created["sessions"] += 1
            first = spec.seances[0][0]
            last = spec.seances[-1][1]
            created_at = min(first - timedelta(days=60), now)
            session = TrainingSession(
                title=spec.title,
                kind=spec.kind,
                status=spec.status,
                theme=self.theme[spec.theme] if spec.theme else None,
                module=self.module[spec.module] if spec.module else None,
                description=spec.description,
                objectives=spec.objectives,
                audience=spec.audience,
                capacity=spec.capacity,
                centre_cap=spec.centre_cap,
                requires_validation=spec.requires_validation,
                enrolment_deadline=_at(to_local(first).date() - timedelta(days=3), 23, 59),
                place_kind=spec.place_kind,
                host_centre=self.centre[spec.host] if spec.host else None,
                place_name=spec.place_name,
                address=spec.address,
                postcode=spec.postcode,
                town=spec.town,
                department=self.department[spec.department] if spec.department else None,
                visio_url=spec.visio_url,
                what_to_bring=spec.what_to_bring,
                created_at=created_at,
                updated_at=created_at,
                trainers=[self.user[email] for email in spec.trainers],
            )
            if spec.status != SessionStatus.DRAFT:
                session.published_at = min(created_at + timedelta(days=2), now)
                session.updated_at = session.published_at
            if spec.status == SessionStatus.CANCELLED:
                session.cancelled_at = first - timedelta(days=10)
                session.updated_at = session.cancelled_at
            if spec.status == SessionStatus.CLOSED:
                session.closed_at = last + timedelta(hours=1)
                session.closed_by_id = coordinator.id
                session.updated_at = session.closed_at
            for start, end in spec.seances:
                session.seances.append(
                    Seance(starts_at=start, ends_at=end, updated_at=session.updated_at)
                )
            session.sync_dates()
            db.session.add(session)
            self.created["seances"] += len(spec.seances)
            self._enrolments(session, spec, coordinator)

    def _enrolments(self, session: TrainingSession, spec: SessionSpec, coordinator: User) -> None:
        if not spec.enrolments:
            return
        opened = session.published_at or session.created_at
        step = (min(session.starts_at - timedelta(days=4), utcnow()) - opened) / (
            len(spec.enrolments) + 1
        )
        by_email: dict[str, Enrolment] = {}
        for n, (email, status) in enumerate(spec.enrolments, 1):
            person = self.user[email]
            queued = opened + step * n
            enrolment = Enrolment(
                session=session,
                person=person,
                status=status,
                queued_at=queued,
                enrolled_by=person if person.password_hash else coordinator,
                created_at=queued,
                updated_at=queued,
            )
            db.session.add(enrolment)
            by_email[email] = enrolment
            self.created["enrolments"] += 1
        for email, statuses in spec.attendance.items():
            for seance, status in zip(session.seances, statuses, strict=True):
                db.session.add(
                    Attendance(
                        seance=seance,
                        person=self.user[email],
                        enrolment=by_email[email],
                        status=status,
                        recorded_by_id=(
                            self.user[spec.trainers[0]].id if spec.trainers else coordinator.id
                        ),
                        recorded_at=seance.ends_at,
                    )
                )
                self.created["attendances"] += 1
        for email, score, gained, missing, recommend in spec.feedback:
            db.session.add(
                Feedback(
                    session=session,
                    person_id=self.user[email].id,
                    satisfaction=score,
                    gained=gained,
                    missing=missing,
                    would_recommend=recommend,
                    created_at=session.ends_at + timedelta(days=1),
                )
            )
            self.created["feedback"] += 1


def _phone(code: str, n: int) -> str:
    return f"02 {_PHONE[code]} {10 + n:02d} {(n * 37) % 90 + 10:02d} {(n * 53) % 90 + 10:02d}"


_PHONE = {"18": "48", "28": "37", "36": "54", "37": "47", "41": "54", "45": "38"}
_LABELS = {
    "departments": "départements",
    "centres": "centres sociaux",
    "people": "personnes",
    "themes": "thématiques",
    "cycles": "cycles",
    "modules": "modules",
    "sessions": "sessions",
    "seances": "séances",
    "enrolments": "inscriptions",
    "attendances": "émargements",
    "feedback": "évaluations",
    "upcoming_enrolments": "inscriptions aux sessions à venir",
}
_SUMMARY_KEYS = tuple(_LABELS)


def load_demo(*, today: date | None = None, commit: bool = True) -> dict[str, int]:
    """Load the demo data (idempotent) and return how many rows of each kind were created.

    ``today`` (Europe/Paris) anchors the sessions around "now"; it defaults to the current
    date. Only rows missing from the database are written, so a second run creates nothing.
    """
    # The rooms above the foundation add their own demo rows, each idempotent too.
    from reseau.diagnostic.demo import add_demo_campaign
    from reseau.enrolment.demo import add_demo_enrolments

    today = today or to_local(utcnow()).date()
    created = _Loader(build_plan(today)).run()
    db.session.flush()
    created["upcoming_enrolments"] = add_demo_enrolments(commit=False)
    add_demo_campaign(today)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return created


@click.command("demo")
def demo_command() -> None:
    """Load the demo data (idempotent)."""
    created = load_demo()
    if any(created.values()):
        click.echo("Données de démonstration chargées :")
        for key, count in created.items():
            click.echo(f"  {count:>4} {_LABELS[key]}")
    else:
        click.echo("Les données de démonstration sont déjà en place : rien à ajouter.")
    click.echo(f"\nComptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
    for email, *_, what in DEMO_ACCOUNTS:
        click.echo(f"  {email:<32} {what}")
