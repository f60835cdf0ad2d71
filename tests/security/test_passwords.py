"""Common passwords are refused; long ones are allowed; hashing is scrypt."""

from __future__ import annotations

import pytest

from reseau.extensions import db
from reseau.passwords import common_passwords, is_common_password
from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize(
    "password",
    [
        "azertyuiop",
        "MotDePasse",
        "motdepasse2024!",
        "soleil123456",
        "password1234",
        "1234567890",
        "aaaaaaaaaaaa",
        "abababababab",
        "qsdfghjklm",
        "centresocial2025",
    ],
)
def test_common_passwords_and_patterns_are_refused(password):
    assert is_common_password(password)


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "le chat dort sur le radiateur", "Brouette-Cerise-47", "x" * 3 + "yz" * 5 + "w"],
)
def test_ordinary_passwords_are_accepted(password):
    assert not is_common_password(password)


def test_the_list_is_loaded_without_comments():
    words = common_passwords()
    assert {"123456", "password", "azerty", "motdepasse", "soleil"} <= words
    assert not any(word.startswith("#") for word in words)


def test_the_profile_form_refuses_a_common_password(client, auth):
    user = make_user()
    db.session.commit()
    auth.login(user)
    answer = client.post(
        "/mon-compte",
        data={
            "pw-current_password": PASSWORD,
            "pw-password": "motdepasse2024",
            "pw-password_confirm": "motdepasse2024",
            "pw-submit": "1",
        },
    )
    assert answer.status_code == 422
    assert "trop courant" in answer.get_data(as_text=True)
    long_password = "une phrase de passe très longue " * 5
    answer = client.post(
        "/mon-compte",
        data={
            "pw-current_password": PASSWORD,
            "pw-password": long_password[:200],
            "pw-password_confirm": long_password[:200],
            "pw-submit": "1",
        },
    )
    assert answer.status_code == 303
    db.session.refresh(user)
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(long_password[:200])
