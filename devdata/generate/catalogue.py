"""Stage 3: the seeds' themes, and their cycles and modules for every year of the period."""

from __future__ import annotations

from datetime import timedelta

from devdata import vocabulary as words
from devdata.generate.build import FUTURE_DAYS, PAST_DAYS, Build
from reseau.catalogue.models import Audience, Cycle, Module, Theme


def write_catalogue(build: Build) -> None:
    themes = [
        {"id": i, "slug": slug, "name": name, "description": description, "position": pos}
        for i, (slug, name, description, pos) in enumerate(words.THEMES, 1)
    ]
    build.theme_id = {row["slug"]: row["id"] for row in themes}
    build.theme_description = {row["slug"]: row["description"] for row in themes}
    build.insert("thématiques", Theme, themes, len(themes))
    first = build.today - timedelta(days=PAST_DAYS)
    last = build.today + timedelta(days=FUTURE_DAYS)
    cycles, modules = [], []
    for year in range(first.year, last.year + 1):
        for slug, audience, description, objectives, items in words.CYCLES:
            cycle_id = len(cycles) + 1
            cycles.append(
                {
                    "id": cycle_id,
                    "theme_id": build.theme_id[slug],
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
                build.modules.setdefault(year, []).append(
                    (module_id, slug, title, mod_objectives, Audience(audience))
                )
    build.insert("cycles", Cycle, cycles, len(cycles))
    build.insert("modules", Module, modules, len(modules))
