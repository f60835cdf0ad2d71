"""Refusing the passwords attackers try first: common ones (``common_passwords.txt``) and
those made of the person's own e-mail or names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

_LIST = Path(__file__).with_name("common_passwords.txt")
_TRAILING = re.compile(r"[\d\W_]+$")
_WALKS = (
    "0123456789012345678901234567890",
    "9876543210987654321098765432109",
    "abcdefghijklmnopqrstuvwxyz",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertyuiopasdfghjklzxcvbnm",
)


@cache
def common_passwords() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def is_common_password(password: str) -> bool:
    """Return whether ``password`` is a common one, a common word plus digits, or a pattern."""
    value = password.strip().lower()
    words = common_passwords()
    if value in words:
        return True
    base = _TRAILING.sub("", value)
    if base and base in words:
        return True  # motdepasse2024!, soleil123456
    if len(set(value)) <= 2:
        return True  # aaaaaaaaaa, abababababab
    return any(value in walk for walk in _WALKS)


def _fold(text: str) -> str:
    """Lower case, accents off, letters and digits only: « Élodie-Marie » → « elodiemarie »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum() and char.isascii())


def _personal_words(email: str | None, names: Iterable[str]) -> set[str]:
    words = set()
    for text in (*names, *(email or "").replace("@", " ").split()):
        words.add(_fold(text))
        words.update(_fold(word) for word in re.split(r"[\s.'_+-]+", text))
    return {word for word in words if len(word) >= 3}


def is_personal_password(password: str, *, email: str | None, names: Iterable[str] = ()) -> bool:
    """Return whether ``password`` is made of the person's e-mail or names (plus digits or
    signs): the first things someone who knows them tries. ``jean.martin1990`` is refused,
    ``martin-chocolat-bleu`` is not: once the personal words are taken out, at least 4
    letters must be left."""
    value = _fold(password)
    covered = [False] * len(value)
    for word in _personal_words(email, names):
        start = value.find(word)
        while start != -1:
            covered[start : start + len(word)] = [True] * len(word)
            start = value.find(word, start + 1)
    if not any(covered):
        return False
    rest = "".join(char for char, hit in zip(value, covered, strict=True) if not hit)
    return len(re.sub(r"\d", "", rest)) < 4
