"""Generated data at scale: ``flask --app reseau generate --scale regional|national``.

Unlike the demo (a few hundred rows, idempotent, written object by object), the generator
fills an EMPTY database with a realistic network of any size, fast: every table is written
with bulk ``INSERT``s of plain rows in batches, with ids assigned here (1, 2, 3…), in one
transaction. The data is a pure function of the seed and of today's date (Europe/Paris):
sessions spread over the past twelve months and the next six, with their séances,
trainers, enrolments, attendance, feedback, and diagnostic campaigns with answers. The
vocabulary (départements, themes, cycles, skills, comments) is the demo's, from the seeds.

A few "landmark" accounts get pages worth looking at (see ``LANDMARK_EMAILS`` and
``landmarks()``): the trainer runs a session today with a full roster, the participant has
past enrolments with attendance and upcoming ones, the referent's centre has people,
enrolments and a centre calendar address.
"""

from __future__ import annotations

import math
import random
import time as clock
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

import click
import sqlalchemy as sa
import sqlalchemy.orm as so
from werkzeug.security import generate_password_hash

from reseau import demo_data
from reseau.accounts.models import Category, Centre, Department, Role, User, UserRole, UserStatus
from reseau.attendance.models import Attendance, AttendanceStatus, Feedback
from reseau.calendars.models import CalendarToken, FeedKind
from reseau.calendars.tokens import feed_token, hash_token
from reseau.catalogue.models import (
    Audience,
    Cycle,
    Module,
    PlaceKind,
    PromotionMode,
    Seance,
    SeanceStatus,
    SessionKind,
    SessionStatus,
    Theme,
    TrainingSession,
    session_trainer,
)
from reseau.database import utcnow
from reseau.diagnostic import demo as diagnostic_demo
from reseau.diagnostic.models import (
    DiagnosticCampaign,
    DiagnosticQuestion,
    DiagnosticResponse,
    DiagnosticSkill,
    QuestionAnswer,
    SkillAnswer,
    SkillLevel,
    TrainingWish,
)
from reseau.enrolment.models import Enrolment, EnrolmentStatus
from reseau.enrolment.operations import FULL_REASON
from reseau.extensions import db
from reseau.i18n import from_local, to_local


@dataclass(frozen=True)
class Scale:
    """How many rows of each kind to generate."""

    departments: int
    centres: int
    people: int
    sessions: int
    seances: int
    enrolments: int
    attendance_marks: int
    campaigns: int
    responses: int
    feedback: int

    def times(self, factor: int) -> Scale:
        """Return this scale with every figure multiplied by ``factor``."""
        return Scale(**{f.name: getattr(self, f.name) * factor for f in fields(self)})


SCALES: dict[str, Scale] = {
    "tiny": Scale(2, 4, 60, 8, 24, 120, 200, 2, 30, 20),
    "regional": Scale(6, 80, 3_000, 300, 900, 6_000, 15_000, 2, 1_200, 900),
    "national": Scale(100, 3_600, 100_000, 10_000, 30_000, 200_000, 500_000, 2, 40_000, 30_000),
}

# Bumped when the generated data changes shape: cached benchmark data sets are then rebuilt.
GENERATOR_VERSION = 2

GENERATED_PASSWORD = "generated password 2026"  # noqa: S105 (documented, generated data only)
DOMAIN = "generated.example"
LANDMARK_EMAILS = {
    "coordinator": f"coordination@{DOMAIN}",
    "trainer": f"formateur@{DOMAIN}",
    "referent": f"referent@{DOMAIN}",
    "participant": f"participant@{DOMAIN}",
}
BATCH = 5_000
PAST_DAYS = 365
FUTURE_DAYS = 182

Progress = Callable[[str, int, int], None]


class GenerationError(Exception):
    """The database cannot receive generated data (it is not empty)."""


# Départements: the six of the Région Centre (the seeds' network) first, then the others.
# (code, name, chef-lieu)
_DEPARTMENTS = """18|Cher|Bourges;28|Eure-et-Loir|Chartres;36|Indre|Châteauroux;
37|Indre-et-Loire|Tours;41|Loir-et-Cher|Blois;45|Loiret|Orléans;01|Ain|Bourg-en-Bresse;
02|Aisne|Laon;03|Allier|Moulins;04|Alpes-de-Haute-Provence|Digne-les-Bains;05|Hautes-Alpes|Gap;
06|Alpes-Maritimes|Nice;07|Ardèche|Privas;08|Ardennes|Charleville-Mézières;09|Ariège|Foix;
10|Aube|Troyes;11|Aude|Carcassonne;12|Aveyron|Rodez;13|Bouches-du-Rhône|Marseille;
14|Calvados|Caen;15|Cantal|Aurillac;16|Charente|Angoulême;17|Charente-Maritime|La Rochelle;
19|Corrèze|Tulle;2A|Corse-du-Sud|Ajaccio;2B|Haute-Corse|Bastia;21|Côte-d'Or|Dijon;
22|Côtes-d'Armor|Saint-Brieuc;23|Creuse|Guéret;24|Dordogne|Périgueux;25|Doubs|Besançon;
26|Drôme|Valence;27|Eure|Évreux;29|Finistère|Quimper;30|Gard|Nîmes;31|Haute-Garonne|Toulouse;
32|Gers|Auch;33|Gironde|Bordeaux;34|Hérault|Montpellier;35|Ille-et-Vilaine|Rennes;
38|Isère|Grenoble;39|Jura|Lons-le-Saunier;40|Landes|Mont-de-Marsan;42|Loire|Saint-Étienne;
43|Haute-Loire|Le Puy-en-Velay;44|Loire-Atlantique|Nantes;46|Lot|Cahors;47|Lot-et-Garonne|Agen;
48|Lozère|Mende;49|Maine-et-Loire|Angers;50|Manche|Saint-Lô;51|Marne|Châlons-en-Champagne;
52|Haute-Marne|Chaumont;53|Mayenne|Laval;54|Meurthe-et-Moselle|Nancy;55|Meuse|Bar-le-Duc;
56|Morbihan|Vannes;57|Moselle|Metz;58|Nièvre|Nevers;59|Nord|Lille;60|Oise|Beauvais;
61|Orne|Alençon;62|Pas-de-Calais|Arras;63|Puy-de-Dôme|Clermont-Ferrand;
64|Pyrénées-Atlantiques|Pau;65|Hautes-Pyrénées|Tarbes;66|Pyrénées-Orientales|Perpignan;
67|Bas-Rhin|Strasbourg;68|Haut-Rhin|Colmar;69|Rhône|Lyon;70|Haute-Saône|Vesoul;
71|Saône-et-Loire|Mâcon;72|Sarthe|Le Mans;73|Savoie|Chambéry;74|Haute-Savoie|Annecy;
75|Paris|Paris;76|Seine-Maritime|Rouen;77|Seine-et-Marne|Melun;78|Yvelines|Versailles;
79|Deux-Sèvres|Niort;80|Somme|Amiens;81|Tarn|Albi;82|Tarn-et-Garonne|Montauban;83|Var|Toulon;
84|Vaucluse|Avignon;85|Vendée|La Roche-sur-Yon;86|Vienne|Poitiers;87|Haute-Vienne|Limoges;
88|Vosges|Épinal;89|Yonne|Auxerre;90|Territoire de Belfort|Belfort;91|Essonne|Évry-Courcouronnes;
92|Hauts-de-Seine|Nanterre;93|Seine-Saint-Denis|Bobigny;94|Val-de-Marne|Créteil;
95|Val-d'Oise|Cergy;971|Guadeloupe|Basse-Terre;972|Martinique|Fort-de-France;
973|Guyane|Cayenne;974|La Réunion|Saint-Denis;976|Mayotte|Mamoudzou"""
DEPARTMENTS: list[tuple[str, str, str]] = [
    tuple(item.strip().split("|"))
    for item in _DEPARTMENTS.split(";")  # type: ignore[misc]
]

CENTRE_NAMES = [
    "des Tilleuls", "Jean Moulin", "Simone Veil", "La Passerelle", "L'Escale", "Le Colombier",
    "Les Acacias", "du Vieux Moulin", "Victor Hugo", "Louise Michel", "Jacques Prévert",
    "Pablo Picasso", "Aimé Césaire", "Nelson Mandela", "La Boussole", "L'Agora",
    "Le Trait d'union", "Les Quatre Vents", "du Parc", "de la Gare", "Saint-Exupéry",
    "Jules Ferry", "Marie Curie", "Lucie Aubrac", "Rosa Parks", "Les Marronniers",
    "Le Point du jour", "Arc-en-ciel", "Les Bruyères", "Le Plateau", "La Fontaine",
    "Les Châtaigniers", "Les Glycines", "Espace Mosaïque", "La Ruche", "Le Lien", "Les Sablons",
    "Georges Brassens", "Olympe de Gouges", "Les Sources",
]  # fmt: skip
STREETS = [
    "rue Jean Jaurès", "avenue de la République", "place du Marché", "rue Victor Hugo",
    "rue des Écoles", "allée des Tilleuls", "boulevard Pasteur", "rue de la Liberté",
    "rue du 8 Mai 1945", "square Léo Lagrange",
]  # fmt: skip
# Titles of days and meetings by theme, in the words of the seeds.
EVENT_TITLES = {
    "fondamentaux": "Animation globale : une culture commune des centres sociaux",
    "fonction-employeur": "Bénévoles et salarié·es : le travail conjoint",
    "strategie-partenaires": "Réforme territoriale et centres sociaux",
    "accueil": "Accueillir et faire vivre la différence",
    "participation": "La participation des habitants : principes communs et cultures multiples",
    "evaluation": "Veille, projet, évaluation : prendre en main le classeur V.P.E.",
    "numerique": "Faire réseau avec le numérique : site régional et blogs départementaux",
}
WHAT_TO_BRING = "De quoi prendre des notes ; le projet social de votre centre."
ATTENDANCE_ODDS = [86, 5, 5, 4]  # present, late, excused, absent
_HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch == "-")


def _working(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in _HOLIDAYS


def _next_working(day: date, step: int = 1) -> date:
    while not _working(day):
        day += timedelta(days=step)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return the UTC instant of a wall-clock time in Europe/Paris."""
    return from_local(datetime.combine(day, time(hour, minute)))


def _postcode(code: str) -> str:
    if code.startswith("97"):
        return f"{code}00"
    return {"2A": "20000", "2B": "20200"}.get(code, f"{code}000")


@dataclass
class _Session:
    """A session being planned, before it becomes a row."""

    id: int
    day: date
    count: int  # number of séances
    kind: SessionKind
    department: int  # index in self.departments
    special: str = ""
    status: SessionStatus = SessionStatus.PUBLISHED
    capacity: int = 12
    enrolled: int = 0
    seances: list[tuple[int, datetime, datetime]] | None = None
    trainers: list[int] | None = None
    people: list[int] | None = None  # in queue order
    statuses: list[EnrolmentStatus] | None = None
    enrolment_ids: list[int] | None = None
    past: bool = False
    requires_validation: bool = False
    centre_cap: int | None = None
    created: datetime | None = None

    @property
    def starts_at(self) -> datetime:
        return self.seances[0][1]

    @property
    def ends_at(self) -> datetime:
        return self.seances[-1][2]


class _Generator:
    def __init__(self, scale: Scale, seed: int, progress: Progress | None):
        self.scale = scale
        self.rng = random.Random(seed)
        self.progress = progress or (lambda label, done, total: None)
        self.today = to_local(utcnow()).date()
        self.counts: dict[str, int] = {}
        self.since = datetime(2011, 1, 3, 8, 0, tzinfo=UTC)
        self.mark_id = 0

    # Writing ----------------------------------------------------------------------------

    def insert(self, label: str, table: sa.Table, rows: Iterable[dict], total: int) -> int:
        """Insert ``rows`` in batches, reporting progress; return how many were written."""
        done, batch = 0, []
        self.progress(label, 0, total)
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                db.session.execute(sa.insert(table), batch)
                done += len(batch)
                batch = []
                self.progress(label, done, max(total, done))
        if batch:
            db.session.execute(sa.insert(table), batch)
            done += len(batch)
        self.progress(label, done, max(total, done))
        self.counts[table.name] = self.counts.get(table.name, 0) + done
        return done

    def run(self) -> dict[str, int]:
        self.departments_()
        self.centres_()
        self.people_()
        self.catalogue_()
        self.plan_sessions()
        self.plan_enrolments()
        self.write_sessions()
        self.write_enrolments()
        self.write_attendance()
        self.write_feedback()
        self.write_diagnostic()
        self.write_calendar_tokens()
        _reset_sequences()
        return self.counts

    # Places and people -------------------------------------------------------------------

    def departments_(self) -> None:
        n = self.scale.departments
        chosen = list(DEPARTMENTS[:n])
        number = 100
        while len(chosen) < n:  # beyond the real list (a multiplied scale): made-up ones
            number += 1
            chosen.append((str(number), f"Département {number}", f"Ville {number}"))
        self.departments = chosen
        rows = [
            {"id": i, "code": code, "name": name} for i, (code, name, _) in enumerate(chosen, 1)
        ]
        self.insert("départements", Department.__table__, rows, n)

    def centres_(self) -> None:
        rng, n = self.rng, self.scale.centres
        real = {}
        for code, name, town, postcode, address, since in demo_data.CENTRES:
            real.setdefault(code, []).append((name, town, postcode, address, since))
        taken: set[tuple[str, str]] = set()
        used_real: dict[str, int] = {}
        rows = []
        self.centre_dept: list[int] = []  # centre id - 1 -> department index
        self.centre_town: list[str] = []
        for i in range(n):
            dept = i % len(self.departments)
            code, _, capital = self.departments[dept]
            k = used_real.get(code, 0)
            if k < len(real.get(code, [])):
                name, town, postcode, address, since = real[code][k]
                used_real[code] = k + 1
                address = address or f"{rng.randint(1, 80)}, {rng.choice(STREETS)}"
            else:
                town, postcode = capital, _postcode(code)
                name = f"Centre social {rng.choice(CENTRE_NAMES)}"
                address = f"{rng.randint(1, 80)}, {rng.choice(STREETS)}"
                since = date(rng.randint(1995, 2024), rng.randint(1, 12), 1)
                if rng.random() < 0.2:
                    since = None
            base, extra = name, 1
            while (name, town) in taken:
                extra += 1
                name = f"{base} ({extra})"
            taken.add((name, town))
            self.centre_dept.append(dept)
            self.centre_town.append(town)
            rows.append(
                {
                    "id": i + 1,
                    "name": name,
                    "address": address,
                    "postcode": postcode,
                    "town": town,
                    "department_id": dept + 1,
                    "is_member": since is not None,
                    "member_since": since,
                    "email": f"accueil.centre{i + 1}@{DOMAIN}",
                    "phone": f"0{rng.randint(1, 5)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                    "created_at": self.since,
                }
            )
        self.centre_name = [row["name"] for row in rows]
        self.insert("centres", Centre.__table__, rows, n)

    def people_(self) -> None:
        rng, scale = self.rng, self.scale
        n = scale.people
        n_coord = max(1, scale.departments // 10)
        n_trainers = max(2, scale.sessions // 40)
        password = generate_password_hash(GENERATED_PASSWORD, method="scrypt")
        ncentres = scale.centres
        # ids 1-4: the landmarks; then coordinators, trainers, referents, everybody else.
        roles: dict[int, Role] = {1: Role.COORDINATOR, 2: Role.TRAINER, 3: Role.REFERENT}
        next_id = 5
        for _ in range(n_coord - 1):
            roles[next_id] = Role.COORDINATOR
            next_id += 1
        self.trainers = [2]
        for _ in range(n_trainers - 1):
            roles[next_id] = Role.TRAINER
            self.trainers.append(next_id)
            next_id += 1
        centre_of: dict[int, int | None] = {1: None, 2: 2 if ncentres > 1 else 1, 3: 1, 4: 1}
        # About seven centres in ten have a referent (centre 1: the landmark referent).
        for centre in range(2, ncentres + 1):
            if rng.random() < 0.7 and next_id <= n:
                roles[next_id] = Role.REFERENT
                centre_of[next_id] = centre
                next_id += 1
        if n < next_id - 1 + 10:
            raise GenerationError("Pas assez de personnes pour cette échelle / too few people.")

        self.pools: list[list[int]] = [[] for _ in self.departments]  # by department
        self.everyone: list[int] = []  # active people who may enrol (not staff)
        self.person_centre: dict[int, int | None] = {}
        self.person_category: dict[int, Category] = {}
        landmark_names = {
            1: ("Claire", "Moreau", Category.SALARIE),
            2: ("Nathalie", "Girard", Category.SALARIE),
            3: ("Sylvie", "Lambert", Category.SALARIE),
            4: ("Martine", "Robin", Category.BENEVOLE),
        }
        emails = {1: "coordinator", 2: "trainer", 3: "referent", 4: "participant"}
        categories = [Category.BENEVOLE, Category.SALARIE, Category.ELU, Category.PARTENAIRE]
        statuses = [
            UserStatus.ACTIVE,
            UserStatus.INVITED,
            UserStatus.PENDING,
            UserStatus.DISABLED,
            UserStatus.GUEST,
        ]
        recent = datetime.combine(self.today, time(8), tzinfo=UTC)

        def rows() -> Iterator[dict]:
            for uid in range(1, n + 1):
                if uid in landmark_names:
                    first, last, category = landmark_names[uid]
                    status = UserStatus.ACTIVE
                    email = LANDMARK_EMAILS[emails[uid]]
                else:
                    first = rng.choice(demo_data.FIRST_NAMES)
                    last = rng.choice(demo_data.LAST_NAMES)
                    staff = uid in roles
                    category = (
                        Category.SALARIE if staff else rng.choices(categories, [50, 35, 8, 7])[0]
                    )
                    status = (
                        UserStatus.ACTIVE if staff else rng.choices(statuses, [92, 3, 2, 2, 1])[0]
                    )
                    email = (
                        None
                        if status == UserStatus.GUEST
                        else f"{_ascii(first)}.{_ascii(last.replace(' ', '-'))}.{uid}@{DOMAIN}"
                    )
                if uid in centre_of:
                    centre = centre_of[uid]
                elif (
                    uid in roles
                    and roles[uid] == Role.COORDINATOR
                    or category == Category.PARTENAIRE
                ):
                    centre = None
                else:
                    centre = rng.randint(1, ncentres)
                self.person_centre[uid] = centre
                self.person_category[uid] = category
                if status == UserStatus.ACTIVE and uid not in roles and uid != 4 and email:
                    self.everyone.append(uid)
                    if centre is not None:
                        self.pools[self.centre_dept[centre - 1]].append(uid)
                created = self.since + timedelta(days=rng.randint(0, 5000))
                created = min(created, recent - timedelta(days=rng.randint(400, 900)))
                yield {
                    "id": uid,
                    "email": email,
                    "first_name": first,
                    "last_name": last,
                    "phone": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
                    if rng.random() < 0.5
                    else "",
                    "centre_id": centre,
                    "category": category,
                    "status": status,
                    "password_hash": password
                    if status in (UserStatus.ACTIVE, UserStatus.PENDING, UserStatus.DISABLED)
                    else None,
                    "session_version": 1,
                    "directory_consent": rng.random() < 0.6,
                    "invited_by_id": None,
                    "approved_by_id": None,
                    "created_at": created,
                    "updated_at": created,
                    "last_login_at": recent - timedelta(minutes=rng.randint(60, 90 * 24 * 60))
                    if status == UserStatus.ACTIVE
                    else None,
                }

        self.insert("personnes", User.__table__, rows(), n)

        def role_rows() -> Iterator[dict]:
            for uid in range(1, n + 1):
                yield {"user_id": uid, "role": Role.PARTICIPANT}
                if uid in roles:
                    yield {"user_id": uid, "role": roles[uid]}

        self.insert("rôles", UserRole.__table__, role_rows(), n + len(roles))
        self.roles = roles

    # Catalogue --------------------------------------------------------------------------

    def catalogue_(self) -> None:
        themes = [
            {"id": i, "slug": slug, "name": name, "description": description, "position": pos}
            for i, (slug, name, description, pos) in enumerate(demo_data.THEMES, 1)
        ]
        self.theme_id = {row["slug"]: row["id"] for row in themes}
        self.theme_description = {row["slug"]: row["description"] for row in themes}
        self.insert("thématiques", Theme.__table__, themes, len(themes))
        first = self.today - timedelta(days=PAST_DAYS)
        last = self.today + timedelta(days=FUTURE_DAYS)
        cycles, modules = [], []
        # modules by year: (module id, theme slug, title, objectives, audience)
        self.modules: dict[int, list[tuple[int, str, str, str, Audience]]] = {}
        for year in range(first.year, last.year + 1):
            for slug, audience, description, objectives, items in demo_data.CYCLES:
                cycle_id = len(cycles) + 1
                cycles.append(
                    {
                        "id": cycle_id,
                        "theme_id": self.theme_id[slug],
                        "title": "Cycle de formation",
                        "year": year,
                        "audience": Audience(audience),
                        "description": description,
                        "objectives": objectives,
                    }
                )
                for position, (title, mod_objectives, hours) in enumerate(items, 1):
                    module_id = len(modules) + 1
                    modules.append(
                        {
                            "id": module_id,
                            "cycle_id": cycle_id,
                            "title": title,
                            "objectives": mod_objectives,
                            "duration_hours": hours,
                            "position": position,
                        }
                    )
                    self.modules.setdefault(year, []).append(
                        (module_id, slug, title, mod_objectives, Audience(audience))
                    )
        self.cycle_of_module = {row["id"]: row["cycle_id"] for row in modules}
        self.insert("cycles", Cycle.__table__, cycles, len(cycles))
        self.insert("modules", Module.__table__, modules, len(modules))

    # Sessions ---------------------------------------------------------------------------

    def plan_sessions(self) -> None:
        rng, scale, today = self.rng, self.scale, self.today
        if scale.seances < scale.sessions:
            raise GenerationError("Il faut au moins une séance par session / one séance each.")
        specials = [
            # (label, days from today, séances)
            ("today", 0, 2),
            ("past1", -120, 2),
            ("past2", -75, 2),
            ("past3", -40, 1),
            ("landmark", 15, 3),
            ("upcoming", 30, 2),
        ][: scale.sessions]
        plans: list[_Session] = []
        home = self.centre_dept[0]
        for label, offset, count in specials:
            day = today if label == "today" else _next_working(today + timedelta(days=offset))
            plans.append(_Session(0, day, count, SessionKind.FORMATION, home, special=label))
        for _ in range(scale.sessions - len(plans)):
            day = _next_working(today + timedelta(days=rng.randint(-PAST_DAYS, FUTURE_DAYS)))
            kind = rng.choices(list(SessionKind), [80, 8, 12])[0]
            count = rng.choices([1, 2, 3, 4, 5], [20, 30, 20, 15, 15])[0]
            plans.append(_Session(0, day, count, kind, rng.randrange(len(self.departments))))
        # Exactly scale.seances séances: adjust the ordinary sessions one séance at a time.
        ordinary = [p for p in plans if not p.special] or plans
        total = sum(p.count for p in plans)
        cap = max(6, math.ceil((scale.seances - total) / len(ordinary)) + 6)
        while total != scale.seances:
            plan = rng.choice(ordinary)
            if total < scale.seances and plan.count < cap:
                plan.count += 1
                total += 1
            elif total > scale.seances and plan.count > 1:
                plan.count -= 1
                total -= 1
        # Ids follow the calendar, as they would in real life.
        plans.sort(key=lambda p: (p.day, p.special))
        seance_id = 0
        for number, plan in enumerate(plans, 1):
            plan.id = number
            plan.seances = []
            day = plan.day
            for k in range(plan.count):
                if k and k % 2 == 0:
                    day = _next_working(day + timedelta(days=1))
                start, end = ((9, 30), (12, 30)) if k % 2 == 0 else ((14, 0), (17, 0))
                seance_id += 1
                plan.seances.append((seance_id, _at(day, *start), _at(day, *end)))
            self._shape(plan)
        self.plans = plans
        self.special = {p.special: p for p in plans if p.special}

    def _shape(self, plan: _Session) -> None:
        """Choose status, capacity and trainers of a planned session."""
        rng = self.rng
        first_day = to_local(plan.starts_at).date()
        last_day = to_local(plan.ends_at).date()
        plan.past = last_day < self.today
        if plan.kind == SessionKind.FORMATION:
            plan.capacity = rng.choice([10, 12, 12, 14, 15, 16, 18, 20])
        elif plan.kind == SessionKind.JOURNEE_DEPARTEMENTALE:
            plan.capacity = rng.choice([30, 40, 50, 60])
        else:
            plan.capacity = rng.choice([60, 80, 100, 120])
        if plan.special:
            plan.capacity = 16 if plan.special == "today" else 14
            plan.trainers = [2]
        else:
            extra = 1 if rng.random() < 0.2 else 0
            plan.trainers = sorted(set(rng.sample(self.trainers, 1 + extra)))
            if rng.random() < 0.04:
                plan.status = SessionStatus.CANCELLED
            elif first_day > self.today and rng.random() < 0.04:
                plan.status = SessionStatus.DRAFT
        plan.capacity = min(plan.capacity, max(4, len(self.everyone) // 2))

    def plan_enrolments(self) -> None:
        """Decide how many people each session has, hitting the enrolment total exactly."""
        rng, scale = self.rng, self.scale
        plans = self.plans
        limit = max(4, len(self.everyone) - 2)  # distinct people available to one session
        past = [p for p in plans if p.past and p.status == SessionStatus.PUBLISHED]
        future = [p for p in plans if not p.past and p.status == SessionStatus.PUBLISHED]
        cancelled = [p for p in plans if p.status == SessionStatus.CANCELLED]
        # Past sessions: enough confirmed people for the attendance marks (+3 %: the most
        # recent sessions are still waiting for their trainer to close them).
        pairs = scale.attendance_marks * 1.03 + 3
        weight = sum(p.capacity * p.count for p in past) or 1
        budget = scale.enrolments * 0.85
        lam = min(pairs / weight, budget / (sum(p.capacity for p in past) * 1.05 or 1))
        self.confirmed_past: dict[int, int] = {}
        for plan in past:
            confirmed = min(limit, max(3, round(lam * plan.capacity * rng.uniform(0.85, 1.15))))
            self.confirmed_past[plan.id] = confirmed
            plan.capacity = max(plan.capacity, confirmed)
            plan.enrolled = confirmed + round(confirmed * rng.uniform(0.0, 0.1))
        # Upcoming sessions fill up as they come closer; cancelled ones had a few people.
        desire: dict[int, float] = {}
        for plan in future:
            ahead = (to_local(plan.starts_at).date() - self.today).days
            low, high = (0.7, 1.15) if ahead <= 14 else (0.4, 0.9) if ahead <= 45 else (0.1, 0.5)
            desire[plan.id] = plan.capacity * rng.uniform(low, high)
        for plan in cancelled:
            desire[plan.id] = plan.capacity * rng.uniform(0.1, 0.4)
        fixed = {
            "today": lambda p: p.capacity + 2,
            "landmark": lambda p: p.capacity // 2,
            "upcoming": lambda p: p.capacity // 3,
        }
        for plan in future:
            if plan.special in fixed:
                plan.enrolled = min(limit, fixed[plan.special](plan))
                desire.pop(plan.id)
        rest = scale.enrolments - sum(p.enrolled for p in plans)
        mu = rest / (sum(desire.values()) or 1)
        by_id = {p.id: p for p in plans}
        for sid, wanted in desire.items():
            by_id[sid].enrolled = min(limit, max(0, round(wanted * mu)))
        # Exact total: one enrolment more or less at a time; more on ordinary sessions only.
        movable = [p for p in plans if p.status != SessionStatus.DRAFT]
        growing = [p for p in movable if not p.special] or movable

        def floor(plan: _Session) -> int:
            if plan.past:
                return 3
            if plan.special == "today":
                return plan.capacity
            return 1 if plan.special else 0

        total = sum(p.enrolled for p in plans)
        tries = 0
        while total != scale.enrolments:
            tries += 1
            if tries > 50 * scale.enrolments + 1000:
                raise GenerationError("Répartition des inscriptions impossible / cannot spread.")
            if total < scale.enrolments:
                plan = rng.choice(growing)
                if plan.enrolled < limit:
                    plan.enrolled += 1
                    total += 1
                continue
            plan = rng.choice(movable)
            if plan.enrolled > floor(plan):
                plan.enrolled -= 1
                total -= 1
                if plan.past:  # fewer confirmed people: walk-ins make up the marks
                    self.confirmed_past[plan.id] = min(self.confirmed_past[plan.id], plan.enrolled)
        for plan in future + cancelled:
            if plan.kind == SessionKind.RENCONTRE_REGIONALE and plan.enrolled > plan.capacity:
                plan.capacity = plan.enrolled  # regional days take everybody who comes

    def _pick(self, plan: _Session, count: int, forced: list[int]) -> list[int]:
        """Pick ``count`` distinct people, mostly from the session's département."""
        rng = self.rng
        chosen = list(forced)[:count]
        seen = set(chosen)
        per_centre: dict[int | None, int] = {}

        def take(uid: int, capped: bool) -> None:
            centre = self.person_centre[uid]
            if uid in seen or (capped and per_centre.get(centre, 0) >= plan.centre_cap):
                return
            seen.add(uid)
            chosen.append(uid)
            per_centre[centre] = per_centre.get(centre, 0) + 1

        local = self.pools[plan.department]
        want_local = min(len(local), round((count - len(chosen)) * 0.85))
        capped = plan.centre_cap is not None
        for uid in rng.sample(local, want_local):
            if len(chosen) < count:
                take(uid, capped)
        attempts = 0
        while len(chosen) < count:
            attempts += 1
            # Past many refusals the cap is given up rather than looping forever.
            take(self.everyone[rng.randrange(len(self.everyone))], capped and attempts < 50 * count)
        # Arrival order: shuffled, but the forced people keep their place in the queue.
        tail = chosen[len(forced) :]
        rng.shuffle(tail)
        return chosen[: len(forced)] + tail

    def write_sessions(self) -> None:
        rng, today = self.rng, self.today
        rows, seances, trainers = [], [], []
        for plan in self.plans:
            year = to_local(plan.starts_at).year
            dept_code, dept_name, capital = self.departments[plan.department]
            centres = list(range(plan.department, self.scale.centres, len(self.departments)))
            centres = centres or list(range(self.scale.centres))
            host = (0 if plan.special else rng.choice(centres)) + 1
            place = rng.choices(list(PlaceKind), [75, 10, 15])[0]
            if plan.special:
                place = PlaceKind.CENTRE
            if plan.kind != SessionKind.FORMATION and place == PlaceKind.VISIO:
                place = PlaceKind.CENTRE
            town = self.centre_town[host - 1] if place != PlaceKind.VISIO else "en visio"
            module_id, slug, objectives, audience = None, None, "", Audience.TOUS
            if plan.kind == SessionKind.FORMATION and (plan.special or rng.random() < 0.85):
                module_id, slug, title, objectives, audience = rng.choice(self.modules[year])
                title = f"{title} – {town}"
            else:
                slug = rng.choice(list(self.theme_id))
                base = EVENT_TITLES[slug]
                if plan.kind == SessionKind.FORMATION:
                    title = f"{base} – {town}"
                elif plan.kind == SessionKind.JOURNEE_DEPARTEMENTALE:
                    title = f"{base} – journée départementale ({dept_name})"
                else:
                    title = f"Rencontre régionale : {base}"
                    audience = Audience.TOUS
            first = plan.starts_at
            created = min(first - timedelta(days=rng.randint(30, 90)), _at(today, 8))
            published = None if plan.status == SessionStatus.DRAFT else created + timedelta(days=2)
            cancelled = None
            if plan.status == SessionStatus.CANCELLED:
                cancelled = min(first - timedelta(days=rng.randint(3, 15)), _at(today, 8))
                cancelled = max(cancelled, created + timedelta(days=3))
            # A per-centre cap only where the centres can fill the session under it.
            if (
                plan.kind == SessionKind.RENCONTRE_REGIONALE
                and rng.random() < 0.3
                and plan.enrolled * 3 <= 4 * self.scale.centres
            ):
                plan.centre_cap = 4
            validation = plan.kind == SessionKind.FORMATION and not plan.special
            validation = validation and rng.random() < 0.1
            row = {
                "id": plan.id,
                "kind": plan.kind,
                "title": title[:200],
                "theme_id": self.theme_id[slug],
                "module_id": module_id,
                "description": self.theme_description[slug],
                "objectives": objectives,
                "audience": audience,
                "status": plan.status,  # closed ones are updated after the attendance
                "capacity": plan.capacity,
                "centre_cap": plan.centre_cap,
                "enrolment_deadline": _at(to_local(first).date() - timedelta(days=3), 23, 59),
                "place_kind": place,
                "host_centre_id": host if place == PlaceKind.CENTRE else None,
                "place_name": "Salle des fêtes" if place == PlaceKind.ADDRESS else "",
                "address": f"{rng.randint(1, 60)}, {rng.choice(STREETS)}"
                if place == PlaceKind.ADDRESS
                else "",
                "postcode": _postcode(dept_code) if place == PlaceKind.ADDRESS else "",
                "town": capital if place == PlaceKind.ADDRESS else "",
                "department_id": plan.department + 1,
                "visio_url": f"https://visio.{DOMAIN}/session-{plan.id}"
                if place == PlaceKind.VISIO
                else "",
                "what_to_bring": WHAT_TO_BRING if plan.kind == SessionKind.FORMATION else "",
                "requires_validation": validation,
                "promotion_mode": PromotionMode.OFFER
                if rng.random() < 0.15
                else PromotionMode.AUTOMATIC,
                "offer_hours": 48,
                "starts_at": plan.starts_at,
                "ends_at": plan.ends_at,
                "created_at": created,
                "updated_at": cancelled or published or created,
                "published_at": published,
                "cancelled_at": cancelled,
                "closed_at": None,
                "closed_by_id": None,
            }
            plan.requires_validation = validation
            plan.created = created
            rows.append(row)
            gone = plan.status == SessionStatus.CANCELLED
            for seance_id, start, end in plan.seances:
                seances.append(
                    {
                        "id": seance_id,
                        "session_id": plan.id,
                        "starts_at": start,
                        "ends_at": end,
                        "status": SeanceStatus.CANCELLED if gone else SeanceStatus.SCHEDULED,
                        "sequence": 1 if gone else 0,
                        "updated_at": row["updated_at"],
                    }
                )
            trainers += [{"session_id": plan.id, "user_id": uid} for uid in plan.trainers]
        self.insert("sessions", TrainingSession.__table__, rows, len(rows))
        self.insert("séances", Seance.__table__, seances, len(seances))
        self.insert("formateur·rices", session_trainer, trainers, len(trainers))

    # Enrolments and attendance ----------------------------------------------------------------

    def write_enrolments(self) -> None:
        rng = self.rng
        participant = 4
        forced_for = {"past1", "past2", "past3", "landmark", "upcoming"}
        enrolment_id = 0
        for plan in self.plans:
            forced = [participant] if plan.special in forced_for else []
            plan.people = self._pick(plan, plan.enrolled, forced) if plan.enrolled else []
            n = len(plan.people)
            statuses: list[EnrolmentStatus] = []
            if plan.status == SessionStatus.CANCELLED:
                statuses = [EnrolmentStatus.CANCELLED] * n
            elif plan.past:
                confirmed = self.confirmed_past[plan.id]
                statuses = [EnrolmentStatus.CONFIRMED] * confirmed
                statuses += [EnrolmentStatus.CANCELLED] * (n - confirmed)
                tail = statuses[len(forced) :]
                rng.shuffle(tail)
                statuses = statuses[: len(forced)] + tail
            else:
                for k in range(n):
                    if k >= len(forced) and rng.random() < 0.04:
                        statuses.append(EnrolmentStatus.CANCELLED)
                        continue
                    held = sum(s != EnrolmentStatus.CANCELLED for s in statuses)
                    if held >= plan.capacity:
                        statuses.append(EnrolmentStatus.WAITLISTED)
                    elif plan.requires_validation and rng.random() < 0.3:
                        statuses.append(EnrolmentStatus.PENDING)
                    else:
                        statuses.append(EnrolmentStatus.CONFIRMED)
            plan.statuses = statuses
            plan.enrolment_ids = list(range(enrolment_id + 1, enrolment_id + n + 1))
            enrolment_id += n

        def rows() -> Iterator[dict]:
            for plan in self.plans:
                opened = plan.created + timedelta(days=2)
                closing = min(plan.starts_at - timedelta(days=4), _at(self.today, 8))
                step = max(closing - opened, timedelta(hours=1)) / (len(plan.people) + 1)
                for k, (eid, uid, status) in enumerate(
                    zip(plan.enrolment_ids, plan.people, plan.statuses, strict=True), 1
                ):
                    queued = (opened + step * k).replace(microsecond=0)
                    cancelled = status == EnrolmentStatus.CANCELLED
                    when = queued + timedelta(days=1) if cancelled else None
                    if cancelled and plan.status == SessionStatus.CANCELLED:
                        when = max(queued, self._cancelled_at(plan))
                    yield {
                        "id": eid,
                        "session_id": plan.id,
                        "person_id": uid,
                        "status": status,
                        "queued_at": queued,
                        "waitlist_reason": FULL_REASON
                        if status == EnrolmentStatus.WAITLISTED
                        else "",
                        "enrolled_by_id": uid,
                        "decided_by_id": None,
                        "offer_expires_at": None,
                        "cancelled_at": when,
                        "cancelled_by_id": uid if cancelled else None,
                        "reminder_sent_at": None,
                        "created_at": queued,
                        "updated_at": when or queued,
                    }

        self.insert("inscriptions", Enrolment.__table__, rows(), enrolment_id)

    def _cancelled_at(self, plan: _Session) -> datetime:
        return min(plan.starts_at - timedelta(days=3), _at(self.today, 8))

    def write_attendance(self) -> None:
        """Mark the confirmed people of past sessions, oldest first (the landmark ones first)."""
        rng, target = self.rng, self.scale.attendance_marks
        order = sorted(
            (p for p in self.plans if p.past and p.status == SessionStatus.PUBLISHED),
            key=lambda p: (not p.special, p.starts_at, p.id),
        )
        statuses = list(AttendanceStatus)
        self.came: list[tuple[int, int]] = []  # (session, person) of closed sessions
        self.closed: list[_Session] = []
        done = 0

        def rows() -> Iterator[dict]:
            nonlocal done
            for plan in order:
                people = [
                    (eid, uid)
                    for eid, uid, s in zip(
                        plan.enrolment_ids, plan.people, plan.statuses, strict=True
                    )
                    if s == EnrolmentStatus.CONFIRMED
                ]
                if done + len(people) * len(plan.seances) > target:
                    # The rest stays to be marked: the trainer has not closed these yet.
                    if done < target:
                        yield from self._marks(plan, people, target - done, statuses)
                        done = target
                    continue
                came: set[int] = set()
                for row in self._marks(plan, people, len(people) * len(plan.seances), statuses):
                    if row["status"] in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
                        came.add(row["person_id"])
                    yield row
                done += len(people) * len(plan.seances)
                plan.status = SessionStatus.CLOSED
                self.closed.append(plan)
                self.came += [(plan.id, uid) for _, uid in people if uid in came]
            # Not enough enrolled people for the marks asked: walk-ins on closed sessions.
            walk_in = 0
            while done < target and self.closed and walk_in < 100 * target:
                plan = self.closed[walk_in % len(self.closed)]
                seance_id, start, end = plan.seances[
                    walk_in // len(self.closed) % len(plan.seances)
                ]
                walk_in += 1
                uid = self.everyone[rng.randrange(len(self.everyone))]
                key = (seance_id, uid)
                if uid in plan.people or key in self.walk_ins:
                    continue
                self.walk_ins.add(key)
                done += 1
                yield self._mark(seance_id, uid, None, AttendanceStatus.PRESENT, plan, end, True)

        self.walk_ins: set[tuple[int, int]] = set()
        self.insert("émargements", Attendance.__table__, rows(), target)
        # Closed sessions: closed a few days after their last séance, by their trainer.
        for plan in self.closed:
            closed_at = min(plan.ends_at + timedelta(days=rng.randint(1, 6)), _at(self.today, 8))
            db.session.execute(
                sa.update(TrainingSession.__table__)
                .where(TrainingSession.__table__.c.id == plan.id)
                .values(
                    status=SessionStatus.CLOSED,
                    closed_at=closed_at,
                    closed_by_id=plan.trainers[0],
                    updated_at=closed_at,
                )
            )

    def _marks(self, plan, people, limit, statuses) -> Iterator[dict]:
        count = 0
        for seance_id, _, end in plan.seances:
            for eid, uid in people:
                if count >= limit:
                    return
                count += 1
                status = self.rng.choices(statuses, ATTENDANCE_ODDS)[0]
                if uid == 4:  # the landmark participant came to every séance
                    status = AttendanceStatus.PRESENT
                yield self._mark(seance_id, uid, eid, status, plan, end, False)

    def _mark(self, seance_id, uid, eid, status, plan, end, walk_in) -> dict:
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

    def write_feedback(self) -> None:
        rng = self.rng
        by_id = {p.id: p for p in self.plans}
        count = min(self.scale.feedback, len(self.came))
        chosen = sorted(rng.sample(range(len(self.came)), count))

        def rows() -> Iterator[dict]:
            for number, index in enumerate(chosen, 1):
                session_id, uid = self.came[index]
                score = rng.choices([5, 4, 3, 2, 1], [45, 38, 12, 4, 1])[0]
                yield {
                    "id": number,
                    "session_id": session_id,
                    "person_id": uid,
                    "satisfaction": score,
                    "gained": rng.choice(demo_data.GAINED),
                    "missing": rng.choice(demo_data.MISSING),
                    "would_recommend": None if rng.random() < 0.1 else score >= 3,
                    "created_at": min(
                        by_id[session_id].ends_at + timedelta(days=rng.randint(1, 10)),
                        _at(self.today, 8),
                    ),
                }

        self.insert("évaluations", Feedback.__table__, rows(), count)

    # Diagnostic -------------------------------------------------------------------------

    def write_diagnostic(self) -> None:
        rng, today, scale = self.rng, self.today, self.scale
        n = scale.campaigns
        if n == 0:
            return
        campaigns, skills, questions = [], [], []
        skill_ids: dict[int, list[tuple[int, str]]] = {}
        question_ids: dict[int, list[int]] = {}
        intro = (
            "Le réseau met en place un diagnostic des besoins de formation. Vos réponses "
            "deviendront les thématiques des formations de l'année."
        )
        for k in range(1, n + 1):
            is_open = k == n
            if is_open:
                opens, closes = today - timedelta(days=14), today + timedelta(days=45)
            else:
                opens = today - timedelta(days=300 + 365 * (n - 1 - k))
                closes = opens + timedelta(days=60)
            campaigns.append(
                {
                    "id": k,
                    "title": f"Diagnostic des besoins de formation {opens.year}"
                    if is_open
                    else f"Diagnostic régional des besoins de formation {opens.year}",
                    "audience": Audience.TOUS,
                    "introduction": intro,
                    "opens_on": opens,
                    "closes_on": closes,
                    "copied_from_id": k - 1 if k > 1 else None,
                    "created_at": _at(opens - timedelta(days=10), 9),
                }
            )
            for position, (slug, title, explanation) in enumerate(diagnostic_demo.SKILLS, 1):
                skills.append(
                    {
                        "id": len(skills) + 1,
                        "campaign_id": k,
                        "theme_id": self.theme_id[slug],
                        "title": title,
                        "explanation": explanation,
                        "position": position,
                    }
                )
                skill_ids.setdefault(k, []).append((len(skills), slug))
            for position, prompt in enumerate(diagnostic_demo.QUESTIONS, 1):
                questions.append(
                    {
                        "id": len(questions) + 1,
                        "campaign_id": k,
                        "prompt": prompt,
                        "position": position,
                    }
                )
                question_ids.setdefault(k, []).append(len(questions))
        self.insert("campagnes", DiagnosticCampaign.__table__, campaigns, n)
        self.insert("compétences", DiagnosticSkill.__table__, skills, len(skills))
        self.insert("questions", DiagnosticQuestion.__table__, questions, len(questions))

        # Responses: the open campaign has about a third of them, the closed ones the rest.
        pool = [uid for uid in self.everyone if self.person_centre[uid] is not None]
        pool = [4, *pool] if 4 not in pool else pool
        share = [1.0] * n
        if n > 1:
            share = [0.65 / (n - 1)] * (n - 1) + [0.35]
        sizes = [min(len(pool), round(scale.responses * s)) for s in share]
        k = 0
        while sum(sizes) != scale.responses:
            i = k % n
            k += 1
            if sum(sizes) < scale.responses and sizes[i] < len(pool):
                sizes[i] += 1
            elif sum(sizes) > scale.responses and sizes[i] > 0:
                sizes[i] -= 1
            if k > 10 * (scale.responses + n) + 100:
                raise GenerationError("Trop de réponses pour les personnes / too many responses.")
        plan = []  # (response id, campaign, person, state)
        for campaign, size in zip(campaigns, sizes, strict=True):
            is_open = campaign["id"] == n
            # The landmark participant answers every campaign (submitted the closed ones,
            # half-way through the open one): their pages look the same at every scale.
            others = [uid for uid in pool if uid != 4]
            people = sorted([4, *rng.sample(others, size - 1)]) if size else []
            for uid in people:
                if uid == 4:
                    state = "started" if is_open else "submitted"
                elif is_open:
                    state = rng.choices(["submitted", "started", "invited"], [40, 35, 25])[0]
                else:
                    state = rng.choices(["submitted", "started"], [85, 15])[0]
                plan.append((len(plan) + 1, campaign, uid, state))

        answers_total = 0
        answered: list[tuple[int, int, str, datetime, int]] = []  # id, campaign, state, at, skills
        response_rows = []
        for rid, campaign, uid, state in plan:
            opens = campaign["opens_on"]
            span = max(1, min((campaign["closes_on"] - opens).days, (today - opens).days))
            invited = _at(opens, 9)
            at = invited + timedelta(days=rng.randint(0, span - 1), minutes=rng.randint(0, 600))
            nskills = len(skill_ids[campaign["id"]])
            answered_skills = (
                nskills
                if state == "submitted"
                else rng.randint(1, nskills)
                if state == "started"
                else 0
            )
            answers_total += answered_skills
            answered.append((rid, campaign["id"], state, at, answered_skills))
            response_rows.append(
                {
                    "id": rid,
                    "campaign_id": campaign["id"],
                    "person_id": uid,
                    "other_needs": rng.choice(diagnostic_demo.OTHER_NEEDS)
                    if state == "submitted" and rng.random() < 0.25
                    else "",
                    "invited_at": invited,
                    "reminded_at": invited + timedelta(days=14)
                    if state != "submitted" and span > 14
                    else None,
                    "started_at": at if state != "invited" else None,
                    "submitted_at": at + timedelta(minutes=12) if state == "submitted" else None,
                    "updated_at": at + timedelta(minutes=12) if state != "invited" else invited,
                }
            )
        self.insert("réponses", DiagnosticResponse.__table__, response_rows, len(response_rows))
        levels = list(SkillLevel)
        person_of = {row["id"]: row["person_id"] for row in response_rows}

        def skill_rows() -> Iterator[dict]:
            number = 0
            for rid, campaign_id, _, at, count in answered:
                appetite = diagnostic_demo.APPETITE.get(self.person_category[person_of[rid]], {})
                for skill_id, slug in skill_ids[campaign_id][:count]:
                    want = appetite.get(slug, 0.2)
                    draw = rng.random()
                    wish = (
                        TrainingWish.PRIORITY
                        if draw < want * 0.4
                        else TrainingWish.YES
                        if draw < want
                        else TrainingWish.NO
                    )
                    spread = 2.2 if wish != TrainingWish.NO else 4
                    number += 1
                    yield {
                        "id": number,
                        "response_id": rid,
                        "skill_id": skill_id,
                        "level": levels[min(3, int(rng.random() * spread))],
                        "wants_training": wish,
                        "updated_at": at,
                    }

        self.insert("réponses aux compétences", SkillAnswer.__table__, skill_rows(), answers_total)

        def question_rows() -> Iterator[dict]:
            number = 0
            for rid, campaign_id, state, _, _ in answered:
                if state != "submitted":
                    continue
                for index, question_id in enumerate(question_ids[campaign_id]):
                    if rng.random() < 0.3:
                        number += 1
                        choices = diagnostic_demo.ANSWERS.get(index, diagnostic_demo.OTHER_NEEDS)
                        yield {
                            "id": number,
                            "response_id": rid,
                            "question_id": question_id,
                            "text": rng.choice(choices),
                        }

        self.insert("réponses aux questions", QuestionAnswer.__table__, question_rows(), 0)

    # Calendar addresses ---------------------------------------------------------------------

    def write_calendar_tokens(self) -> None:
        """Give the landmark people their secret feed addresses (the centre feed included)."""
        created = _at(self.today - timedelta(days=30), 10)
        specs = [
            (1, FeedKind.CENTRE, 3, self.person_centre[3]),
            (2, FeedKind.TRAINER, 2, None),
            (3, FeedKind.PERSON, 4, None),
        ]
        rows = []
        for token_id, kind, uid, centre in specs:
            row = CalendarToken(id=token_id, kind=kind, user_id=uid, centre_id=centre)
            rows.append(
                {
                    "id": token_id,
                    "kind": kind,
                    "user_id": uid,
                    "centre_id": centre,
                    "token_hash": hash_token(feed_token(row)),
                    "created_at": created,
                    "revoked_at": None,
                    "last_fetched_at": None,
                }
            )
        self.insert("agendas", CalendarToken.__table__, rows, len(rows))


# Written by any session's write (reseau/data_version.py), not data of the network.
_BOOKKEEPING_TABLES = {"data_version"}


def _reset_sequences() -> None:
    """PostgreSQL: move every id sequence past the ids written here, for later inserts."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.primary_key:
            continue
        name = f'"{table.name}"'
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {name}"
            )
        )


def is_empty() -> bool:
    """Return whether every table of the application is empty (bookkeeping aside)."""
    for table in db.metadata.sorted_tables:
        if table.name in _BOOKKEEPING_TABLES:
            continue
        if db.session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            return False
    return True


def generate(scale: Scale, seed: int = 1, progress: Progress | None = None) -> dict[str, int]:
    """Fill an EMPTY database with generated data; return the row count of each table.

    Raises ``GenerationError`` when the database already holds data. Commits once at the end
    (nothing is left behind when it fails). ``progress(step, done, total)`` is called as each
    table is written.
    """
    if not is_empty():
        raise GenerationError(
            "La base de données n'est pas vide : le générateur ne remplit qu'une base vide. "
            "/ The database is not empty: the generator only fills an empty database."
        )
    try:
        counts = _Generator(scale, seed, progress).run()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return counts


def landmarks() -> dict[str, int]:
    """Return the ids of the landmark rows of generated data, queried from the database.

    ``roster_seance`` is a séance of the trainer's session held today (Europe/Paris) on the
    day of the generation; on a later day it is the trainer's séance closest to now.
    """
    users = {
        key: db.session.scalar(sa.select(User.id).where(User.email == email))
        for key, email in LANDMARK_EMAILS.items()
    }
    if None in users.values():
        raise GenerationError("Pas de données générées / no generated data.")
    trainer, participant = users["trainer"], users["participant"]
    referent_centre = db.session.scalar(
        sa.select(User.centre_id).where(User.id == users["referent"])
    )
    now = utcnow()
    seat = so.aliased(Enrolment)  # the outer query joins Enrolment too
    held = (
        sa.select(sa.func.count(seat.id))
        .where(
            seat.session_id == TrainingSession.id,
            seat.status.in_(
                [EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING, EnrolmentStatus.OFFERED]
            ),
        )
        .scalar_subquery()
    )
    session = db.session.execute(
        sa.select(TrainingSession.id, TrainingSession.theme_id, TrainingSession.module_id)
        .join(session_trainer, session_trainer.c.session_id == TrainingSession.id)
        .join(Enrolment, Enrolment.session_id == TrainingSession.id)
        .where(
            session_trainer.c.user_id == trainer,
            Enrolment.person_id == participant,
            TrainingSession.status == SessionStatus.PUBLISHED,
            TrainingSession.starts_at > now,
            held < TrainingSession.capacity,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(1)
    ).first()
    seances = db.session.execute(
        sa.select(Seance.id, Seance.starts_at)
        .join(session_trainer, session_trainer.c.session_id == Seance.session_id)
        .where(session_trainer.c.user_id == trainer)
        .order_by(Seance.starts_at, Seance.id)
    ).all()
    today = to_local(now).date()
    roster = next((sid for sid, start in seances if to_local(start).date() == today), None)
    if roster is None and seances:
        roster = min(seances, key=lambda s: (abs((s[1] - now).total_seconds()), s[0]))[0]
    responses = (
        sa.select(sa.func.count(DiagnosticResponse.id))
        .where(DiagnosticResponse.campaign_id == DiagnosticCampaign.id)
        .scalar_subquery()
    )
    campaign = db.session.scalar(
        sa.select(DiagnosticCampaign.id)
        .where(responses > 0)
        .order_by(
            (DiagnosticCampaign.closes_on < today).desc(), DiagnosticCampaign.closes_on.desc()
        )
        .limit(1)
    )
    cycle = (
        db.session.scalar(sa.select(Module.cycle_id).where(Module.id == session.module_id))
        if session and session.module_id
        else db.session.scalar(sa.select(Cycle.id).order_by(Cycle.year.desc(), Cycle.id))
    )
    centre_feed = db.session.scalar(
        sa.select(CalendarToken.id).where(
            CalendarToken.kind == FeedKind.CENTRE,
            CalendarToken.user_id == users["referent"],
            CalendarToken.revoked_at.is_(None),
        )
    )
    return {
        **users,
        "referent_centre": referent_centre,
        "session": session.id if session else None,
        "roster_seance": roster,
        "campaign": campaign,
        "theme": session.theme_id if session else None,
        "cycle": cycle,
        "department": db.session.scalar(
            sa.select(Centre.department_id).where(Centre.id == referent_centre)
        ),
        "centre_feed": centre_feed,
    }


# Command line -------------------------------------------------------------------------------

_STEP_WIDTH = 26


class _ProgressBars:
    """One click progress bar per step, each closed when the next step starts."""

    def __init__(self):
        self._bar = None
        self._label = None
        self._done = 0

    def update(self, label: str, done: int, total: int) -> None:
        if label != self._label:
            self.close()
            self._bar = click.progressbar(
                length=max(total, 1), label=f"{label:<{_STEP_WIDTH}}", show_pos=True
            )
            self._bar.__enter__()
            self._label, self._done = label, 0
        self._bar.length = max(self._bar.length, total)
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@click.command("generate")
@click.option(
    "--scale",
    "scale_name",
    type=click.Choice(sorted(SCALES)),
    required=True,
    help="regional : 6 départements, 3 000 personnes ; national : 100 départements, "
    "100 000 personnes.",
)
@click.option("--seed", default=1, show_default=True, help="Graine : même graine, mêmes données.")
def generate_command(scale_name: str, seed: int) -> None:
    """Fill an EMPTY database with generated data (run `flask --app reseau db upgrade` first).

    Every generated account has the password « generated password 2026 »; the landmark
    accounts are coordination@, formateur@, referent@ and participant@generated.example.
    """
    started = clock.perf_counter()
    bars = _ProgressBars()
    try:
        counts = generate(SCALES[scale_name], seed=seed, progress=bars.update)
    except GenerationError as error:
        click.echo(f"Erreur : {error}", err=True)
        raise SystemExit(1) from None
    finally:
        bars.close()
    elapsed = clock.perf_counter() - started
    click.echo(f"\nDonnées générées (échelle {scale_name}, graine {seed}) :")
    for table, count in counts.items():
        click.echo(f"  {count:>9,} {table}".replace(",", " "))
    click.echo(
        f"Terminé en {elapsed:.1f} s. Mot de passe de tous les comptes : « {GENERATED_PASSWORD} »."
    )
    for role, email in LANDMARK_EMAILS.items():
        click.echo(f"  {role:<12} {email}")
