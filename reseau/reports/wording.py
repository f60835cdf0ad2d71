"""The seeds' own sentences: « 27 centres sociaux, 48 participants dont 28 salariés… »."""

from __future__ import annotations

from functools import lru_cache

from reseau.accounts.models import Category
from reseau.catalogue.models import SessionKind
from reseau.core.i18n import number, plural_form

# The seeds' order: salariés first, then bénévoles, élus and partenaires.
ORDER = (Category.SALARIE, Category.BENEVOLE, Category.ELU, Category.PARTENAIRE)
NOUNS = {
    Category.SALARIE: ("salarié", "salariés"),
    Category.BENEVOLE: ("bénévole", "bénévoles"),
    Category.ELU: ("élu", "élus"),
    Category.PARTENAIRE: ("partenaire", "partenaires"),
}


@lru_cache(maxsize=4096)  # a bilan says it for each of hundreds of sessions (plain strings)
def count_noun(n: int, singular: str, plural: str | None = None) -> str:
    """« 1 élu », « 12 bénévoles », « 0 participant »."""
    return f"{number(n)} {plural_form(singular, plural or singular + 's', n)}"


def join_fr(parts: list[str]) -> str:
    """« a », « a et b », « a, b et c »."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} et {parts[-1]}"


def category_phrase(by_category: dict, subs: dict | None = None) -> str:
    """« 28 salariés, 12 bénévoles, 1 élu et 7 partenaires » (zeros left out); with ``subs``
    (category → sub-category → people), « … 1 élu municipal et 7 agents CAF »."""
    parts: list[str] = []
    for category in ORDER:
        n = by_category.get(category, 0)
        if not n:
            continue
        named = {sub: k for sub, k in ((subs or {}).get(category) or {}).items() if sub and k}
        ranked = [sub_category_noun(k, sub) for sub, k in _ranked(named)]
        if named and sum(named.values()) == n:  # everyone of the category said which
            parts += ranked
        elif named:
            parts.append(f"{count_noun(n, *NOUNS[category])} (dont {join_fr(ranked)})")
        else:
            parts.append(count_noun(n, *NOUNS[category]))
    return join_fr(parts)


def _ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


# Plurals the first-word rule below gets wrong.
SUB_CATEGORY_PLURALS = {
    "élu municipal": "élus municipaux",
    "élu départemental": "élus départementaux",
    "élu régional": "élus régionaux",
    "fédération": "fédérations",
}


def sub_category_plural(text: str) -> str:
    """« agents CAF », « agents de la collectivité », « administrateur·rices »: the first word
    takes the plural (French compound nouns of this kind: « agent de la collectivité »)."""
    if text in SUB_CATEGORY_PLURALS:
        return SUB_CATEGORY_PLURALS[text]
    first, _, rest = text.partition(" ")
    if first.endswith(("s", "x", "z")):
        plural = first
    elif first.endswith("al"):
        plural = first[:-2] + "aux"
    else:
        plural = first + "s"
    return f"{plural} {rest}" if rest else plural


def sub_category_noun(n: int, text: str) -> str:
    """« 1 élu municipal », « 7 agents CAF »."""
    return count_noun(n, text, sub_category_plural(text))


def sub_category_phrase(counts: dict[str, int]) -> str:
    """« 7 agents CAF, 2 agents Carsat et 1 fédération », the largest first."""
    return join_fr([sub_category_noun(n, sub) for sub, n in _ranked(counts) if sub and n])


def participants_sentence(centres: int | None, by_category: dict, subs: dict | None = None) -> str:
    """« 27 centres sociaux, 48 participants dont 28 salariés, 12 bénévoles, 1 élu et 7 partenaires »
    (« … 1 élu municipal et 7 agents CAF » with the sub-categories ``subs``)."""
    total = sum(by_category.values())
    sentence = count_noun(total, "participant")
    detail = category_phrase(by_category, subs)
    if detail and len([n for n in by_category.values() if n]) > 1:
        sentence += f" dont {detail}"
    elif detail:
        sentence = detail if total else sentence
    if centres is not None:
        sentence = f"{count_noun(centres, 'centre social', 'centres sociaux')}, {sentence}"
    return sentence


def hours_fr(value: float) -> str:
    """« 337 », « 4,5 » (French decimal comma, no useless ,0)."""
    return number(value)


# What the kinds of session are called in the seeds' reports: « 3 rencontres régionales »,
# « 30 centres sociaux qui ont participé aux rencontres ».
KIND_NOUNS = {
    SessionKind.FORMATION: ("formation", "formations", "à la formation", "aux formations"),
    SessionKind.RENCONTRE_REGIONALE: (
        "rencontre régionale",
        "rencontres régionales",
        "à la rencontre",
        "aux rencontres",
    ),
    SessionKind.JOURNEE_DEPARTEMENTALE: (
        "journée départementale",
        "journées départementales",
        "à la journée",
        "aux journées",
    ),
}


def kind_sentence(kind: SessionKind, held: int, centres: int) -> str:
    """« 3 rencontres régionales ; 30 centres sociaux qui ont participé aux rencontres »."""
    singular, plural, to_one, to_many = KIND_NOUNS[kind]
    sessions = count_noun(held, singular, plural)
    who = count_noun(centres, "centre social", "centres sociaux")
    verb = "a participé" if centres <= 1 else "ont participé"
    return f"{sessions} ; {who} qui {verb} {to_one if held <= 1 else to_many}"
