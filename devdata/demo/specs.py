"""What the demo is planned as before it is written: people, sessions, the demo accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from devdata.vocabulary import BLANC, VIERZON
from reseau.accounts.models import Category, Role, UserStatus
from reseau.attendance.models import AttendanceStatus
from reseau.catalogue.models import Audience, PlaceKind, SessionKind, SessionStatus
from reseau.enrolment.models import EnrolmentStatus

SEED = 2012
DEMO_PASSWORD = "demo"  # noqa: S105 (the documented password of the demo accounts)
DOMAIN = "demo.reseau.test"

CentreKey = tuple[str, str]  # (name, town)

# (e-mail, first name, last name, category, centre, roles, what the account is for)
DEMO_ACCOUNTS: list[tuple[str, str, str, Category, CentreKey | None, tuple[Role, ...], str]] = [
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
        BLANC,
        (Role.REFERENT,),
        "référente du Centre social du Blanc",
    ),
    (
        f"formatrice@{DOMAIN}",
        "Nathalie",
        "Girard",
        Category.SALARIE,
        VIERZON,
        (Role.TRAINER,),
        "formatrice",
    ),
    (
        f"benevole@{DOMAIN}",
        "Martine",
        "Robin",
        Category.BENEVOLE,
        BLANC,
        (),
        "bénévole du Centre social du Blanc",
    ),
    (
        f"handicap@{DOMAIN}",
        "Karima",
        "Haddad",
        Category.SALARIE,
        None,
        (Role.DISABILITY,),
        "référente handicap du réseau (demandes d'aménagement)",
    ),
]
COORDINATOR = DEMO_ACCOUNTS[0][0]
REFERENT = DEMO_ACCOUNTS[1][0]
FORMATRICE = DEMO_ACCOUNTS[2][0]
BENEVOLE = DEMO_ACCOUNTS[3][0]
HANDICAP = DEMO_ACCOUNTS[4][0]

# Centres "created" long ago, so that none seems to have joined after its 2011 events. People's
# accounts are dated the day the demo is loaded (see ``Loader.people``).
PEOPLE_SINCE = datetime(2011, 1, 3, 9, 0)


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
    sub_category: str = ""  # "élu municipal", "agent CAF"…


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


def module_fields(slug: str, cycle_title: str, module: tuple[str, str, float]) -> dict:
    """What every session of a cycle's module is: a published training of its theme."""
    title, objectives, _ = module
    return {
        "kind": SessionKind.FORMATION,
        "status": SessionStatus.PUBLISHED,
        "theme": slug,
        "module": (slug, cycle_title, title),
        "objectives": objectives,
    }


# (theme slug, title, year, audience, description, objectives, modules)
CycleSpec = tuple[str, str, int, Audience, str, str, list[tuple[str, str, float]]]


@dataclass
class Plan:
    people: list[PersonSpec]
    cycles: list[CycleSpec]
    sessions: list[SessionSpec]
