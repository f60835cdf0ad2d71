"""The seeds' own sentences: « 27 centres sociaux, 48 participants dont 28 salariés… »."""

from __future__ import annotations

from reseau.accounts.models import Category
from reseau.core.i18n import number, plural_form

# The seeds' order: salariés first, then bénévoles, élus and partenaires.
ORDER = (Category.SALARIE, Category.BENEVOLE, Category.ELU, Category.PARTENAIRE)
NOUNS = {
    Category.SALARIE: ("salarié", "salariés"),
    Category.BENEVOLE: ("bénévole", "bénévoles"),
    Category.ELU: ("élu", "élus"),
    Category.PARTENAIRE: ("partenaire", "partenaires"),
}


def count_noun(n: int, singular: str, plural: str | None = None) -> str:
    """« 1 élu », « 12 bénévoles », « 0 participant »."""
    return f"{number(n)} {plural_form(singular, plural or singular + 's', n)}"


def join_fr(parts: list[str]) -> str:
    """« a », « a et b », « a, b et c »."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} et {parts[-1]}"


def category_phrase(by_category: dict) -> str:
    """« 28 salariés, 12 bénévoles, 1 élu et 7 partenaires » (zeros left out)."""
    return join_fr(
        [count_noun(by_category.get(c, 0), *NOUNS[c]) for c in ORDER if by_category.get(c, 0)]
    )


def participants_sentence(centres: int | None, by_category: dict) -> str:
    """« 27 centres sociaux, 48 participants dont 28 salariés, 12 bénévoles, 1 élu et 7 partenaires »."""
    total = sum(by_category.values())
    sentence = count_noun(total, "participant")
    detail = category_phrase(by_category)
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
