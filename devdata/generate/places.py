"""Stage 1: départements and centres (the seeds' centres first, then made-up ones)."""

from __future__ import annotations

from datetime import date

from devdata import vocabulary as words
from devdata.generate.build import DOMAIN, Build
from reseau.accounts.models import Centre, Department


def postcode(code: str) -> str:
    """A plausible postcode of the chef-lieu of département ``code``."""
    if code.startswith("97"):
        return f"{code}00"
    return {"2A": "20000", "2B": "20200"}.get(code, f"{code}000")


def write_departments(build: Build) -> None:
    n = build.scale.departments
    chosen = list(words.FRANCE[:n])
    number = 100
    while len(chosen) < n:  # beyond the real list (a multiplied scale): made-up ones
        number += 1
        chosen.append((str(number), f"Département {number}", f"Ville {number}"))
    build.departments = chosen
    rows = [{"id": i, "code": code, "name": name} for i, (code, name, _) in enumerate(chosen, 1)]
    build.insert("départements", Department, rows, n)


def write_centres(build: Build) -> None:
    """Each département in turn gets a centre: the seeds' own while they last."""
    rng, n = build.rng, build.scale.centres
    real: dict[str, list] = {}
    for code, name, town, code_postal, address, since in words.CENTRES:
        real.setdefault(code, []).append((name, town, code_postal, address, since))
    taken: set[tuple[str, str]] = set()
    used_real: dict[str, int] = {}
    rows = []
    for i in range(n):
        dept = i % len(build.departments)
        code, _, capital = build.departments[dept]
        k = used_real.get(code, 0)
        if k < len(real.get(code, [])):
            name, town, code_postal, address, since = real[code][k]
            used_real[code] = k + 1
            address = address or f"{rng.randint(1, 80)}, {rng.choice(words.STREETS)}"
        else:
            town, code_postal = capital, postcode(code)
            name = f"Centre social {rng.choice(words.CENTRE_NAMES)}"
            address = f"{rng.randint(1, 80)}, {rng.choice(words.STREETS)}"
            since = date(rng.randint(1995, 2024), rng.randint(1, 12), 1)
            if rng.random() < 0.2:
                since = None
        base, extra = name, 1
        while (name, town) in taken:
            extra += 1
            name = f"{base} ({extra})"
        taken.add((name, town))
        build.centre_dept.append(dept)
        build.centre_town.append(town)
        rows.append(
            {
                "id": i + 1,
                "name": name,
                "address": address,
                "postcode": code_postal,
                "town": town,
                "department_id": dept + 1,
                "is_member": since is not None,
                "member_since": since,
                "email": f"accueil.centre{i + 1}@{DOMAIN}",
                "phone": f"0{rng.randint(1, 5)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                "created_at": build.since,
            }
        )
    build.insert("centres", Centre, rows, n)
