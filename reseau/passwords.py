"""Refusing the passwords attackers try first (see ``common_passwords.txt``)."""

from __future__ import annotations

import re
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
