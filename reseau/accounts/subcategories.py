"""A person's sub-category ("élu municipal", "agent CAF"…): free text, finer than the category.

The forms suggest the usual ones for each category (a ``<datalist>``); what a person types is
kept, except that a suggestion typed with other capitals or spaces is stored as the
suggestion, so the bilan counts "Agent  CAF" and "agent CAF" together.
"""

from __future__ import annotations

from reseau.accounts.models import Category

MAX_LENGTH = 80

SUGGESTIONS: dict[Category, tuple[str, ...]] = {
    Category.ELU: (
        "élu municipal",
        "élu départemental",
        "élu régional",
        "administrateur·rice",
        "président·e",
        "trésorier·ère",
    ),
    Category.PARTENAIRE: (
        "agent CAF",
        "agent de la collectivité",
        "agent Carsat",
        "agent de l'État",
        "fédération",
        "organisme de formation",
    ),
    Category.SALARIE: (
        "directeur·rice",
        "animateur·rice",
        "référent·e famille",
        "chargé·e d'accueil",
    ),
    Category.BENEVOLE: (
        "bénévole d'activité",
        "habitant·e",
    ),
}


def all_suggestions() -> list[str]:
    """Every suggestion once, in the categories' order."""
    seen: dict[str, None] = {}
    for suggestions in SUGGESTIONS.values():
        seen.update(dict.fromkeys(suggestions))
    return list(seen)


_CANONICAL = {" ".join(s.split()).casefold(): s for s in all_suggestions()}


def normalise_sub_category(value: str | None) -> str:
    """One line, no outer spaces, a known suggestion in its own spelling; "" when empty."""
    text = " ".join((value or "").split())[:MAX_LENGTH]
    return _CANONICAL.get(text.casefold(), text)


def anonymous_sub_category(value: str) -> str:
    """What anonymising keeps: a suggested sub-category (the bilan still counts it), never
    free text, which may say who the person is ("maire de Vierzon")."""
    return value if value in _CANONICAL.values() else ""
