"""The list of common passwords: large, sourced, loaded once and quickly."""

from __future__ import annotations

import time

import pytest

from reseau.accounts import passwords
from reseau.accounts.passwords import common_passwords, is_common_password


def test_the_list_is_large_and_says_where_it_comes_from():
    words = common_passwords()
    assert len(words) > 9000
    header = passwords._LIST.read_text(encoding="utf-8").split("\n", 20)[:20]
    assert any("Django" in line and "BSD" in " ".join(header) for line in header)
    assert all(word == word.strip().lower() and word for word in words)


@pytest.mark.parametrize(
    "password",
    # From the public list (10 characters or more), and its words with digits added.
    ["basketball", "1qaz2wsx3edc", "q1w2e3r4t5y6", "liverpool1", "Sunshine2024!", "dragon123456"],
)
def test_entries_from_the_public_list_are_refused(password):
    assert is_common_password(password)


def test_the_list_is_loaded_once_and_fast():
    passwords.common_passwords.cache_clear()
    started = time.perf_counter()
    words = common_passwords()
    assert time.perf_counter() - started < 0.5
    assert isinstance(words, frozenset)
    assert common_passwords() is words
    started = time.perf_counter()
    for _ in range(1000):
        is_common_password("une phrase de passe assez longue")
    assert time.perf_counter() - started < 0.5
