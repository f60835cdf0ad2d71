"""Stage 2: people and their roles (ids 1-4 are the landmarks, then staff, then everybody)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from werkzeug.security import generate_password_hash

from devdata import vocabulary as words
from devdata.generate.build import (
    COORDINATOR_ID,
    DOMAIN,
    GENERATED_PASSWORD,
    LANDMARK_EMAILS,
    PARTICIPANT_ID,
    REFERENT_ID,
    TRAINER_ID,
    Build,
    GenerationError,
)
from reseau.accounts.models import Category, Role, User, UserRole, UserStatus

LANDMARKS = {
    COORDINATOR_ID: ("Claire", "Moreau", Category.SALARIE, "coordinator"),
    TRAINER_ID: ("Nathalie", "Girard", Category.SALARIE, "trainer"),
    REFERENT_ID: ("Sylvie", "Lambert", Category.SALARIE, "referent"),
    PARTICIPANT_ID: ("Martine", "Robin", Category.BENEVOLE, "participant"),
}
CATEGORIES = [Category.BENEVOLE, Category.SALARIE, Category.ELU, Category.PARTENAIRE]
STATUSES = [
    UserStatus.ACTIVE,
    UserStatus.INVITED,
    UserStatus.PENDING,
    UserStatus.DISABLED,
    UserStatus.GUEST,
]
WITH_PASSWORD = (UserStatus.ACTIVE, UserStatus.PENDING, UserStatus.DISABLED)


def write_people(build: Build) -> None:
    n = build.scale.people
    centre_of = _staff(build)
    build.pools = [[] for _ in build.departments]
    password = generate_password_hash(GENERATED_PASSWORD, method="scrypt")
    recent = datetime.combine(build.today, time(8), tzinfo=UTC)
    rows = (_person(build, uid, centre_of, password, recent) for uid in range(1, n + 1))
    build.insert("personnes", User, rows, n)

    def role_rows() -> Iterator[dict]:
        for uid in range(1, n + 1):
            yield {"user_id": uid, "role": Role.PARTICIPANT}
            if uid in build.roles:
                yield {"user_id": uid, "role": build.roles[uid]}

    build.insert("rôles", UserRole, role_rows(), n + len(build.roles))


def _staff(build: Build) -> dict[int, int | None]:
    """Give out the staff roles; return the centres of the people who must have one."""
    rng, scale = build.rng, build.scale
    n_coord = max(1, scale.departments // 10)
    n_trainers = max(2, scale.sessions // 40)
    ncentres = scale.centres
    roles = {COORDINATOR_ID: Role.COORDINATOR, TRAINER_ID: Role.TRAINER, REFERENT_ID: Role.REFERENT}
    next_id = max(LANDMARKS) + 1
    for _ in range(n_coord - 1):
        roles[next_id] = Role.COORDINATOR
        next_id += 1
    build.trainers = [TRAINER_ID]
    for _ in range(n_trainers - 1):
        roles[next_id] = Role.TRAINER
        build.trainers.append(next_id)
        next_id += 1
    centre_of: dict[int, int | None] = {
        COORDINATOR_ID: None,
        TRAINER_ID: 2 if ncentres > 1 else 1,
        REFERENT_ID: 1,
        PARTICIPANT_ID: 1,
    }
    # About seven centres in ten have a referent (centre 1: the landmark referent).
    for centre in range(2, ncentres + 1):
        if rng.random() < 0.7 and next_id <= scale.people:
            roles[next_id] = Role.REFERENT
            centre_of[next_id] = centre
            next_id += 1
    if scale.people < next_id - 1 + 10:
        raise GenerationError("Pas assez de personnes pour cette échelle / too few people.")
    build.roles = roles
    return centre_of


def _person(build: Build, uid: int, centre_of, password: str, recent: datetime) -> dict:
    rng, roles = build.rng, build.roles
    if uid in LANDMARKS:
        first, last, category, key = LANDMARKS[uid]
        status = UserStatus.ACTIVE
        email = LANDMARK_EMAILS[key]
    else:
        first = rng.choice(words.FIRST_NAMES)
        last = rng.choice(words.LAST_NAMES)
        staff = uid in roles
        category = Category.SALARIE if staff else rng.choices(CATEGORIES, [50, 35, 8, 7])[0]
        status = UserStatus.ACTIVE if staff else rng.choices(STATUSES, [92, 3, 2, 2, 1])[0]
        email = (
            None
            if status == UserStatus.GUEST
            else f"{words.ascii_slug(first)}.{words.ascii_slug(last.replace(' ', '-'))}"
            f".{uid}@{DOMAIN}"
        )
    if uid in centre_of:
        centre = centre_of[uid]
    elif roles.get(uid) == Role.COORDINATOR or category == Category.PARTENAIRE:
        centre = None
    else:
        centre = rng.randint(1, build.scale.centres)
    build.person_centre[uid] = centre
    build.person_category[uid] = category
    if status == UserStatus.ACTIVE and uid not in roles and uid != PARTICIPANT_ID and email:
        build.everyone.append(uid)
        if centre is not None:
            build.pools[build.centre_dept[centre - 1]].append(uid)
    created = build.since + timedelta(days=rng.randint(0, 5000))
    created = min(created, recent - timedelta(days=rng.randint(400, 900)))
    return {
        "id": uid,
        "email": email,
        "first_name": first,
        "last_name": last,
        "phone": _mobile(rng) if rng.random() < 0.5 else "",
        "centre_id": centre,
        "category": category,
        "sub_category": _sub_category(uid, category),
        "status": status,
        "password_hash": password if status in WITH_PASSWORD else None,
        "directory_consent": rng.random() < 0.6,
        "created_at": created,
        "updated_at": created,
        "last_login_at": recent - timedelta(minutes=rng.randint(60, 90 * 24 * 60))
        if status == UserStatus.ACTIVE
        else None,
    }


# Sub-categories drawn from the id, not the random generator: the rest stays as it was.
_PARTNERS = ("agent CAF", "agent CAF", "agent de la collectivité", "agent Carsat")
_ELUS = ("administrateur·rice", "administrateur·rice", "administrateur·rice", "élu municipal")


def _sub_category(uid: int, category: Category) -> str:
    if category == Category.PARTENAIRE:
        return _PARTNERS[uid % len(_PARTNERS)]
    if category == Category.ELU:
        return _ELUS[uid % len(_ELUS)]
    return ""


def _mobile(rng) -> str:
    digits = [rng.randint(10, 99) for _ in range(4)]
    return "06 " + " ".join(str(d) for d in digits)
