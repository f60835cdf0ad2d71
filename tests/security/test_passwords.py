"""Common passwords and those made of one's own e-mail or names are refused; long ones are
allowed; hashing is scrypt."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reseau.accounts.passwords import common_passwords, is_common_password, is_personal_password
from reseau.core.extensions import db
from tests.accounts.helpers import password_change_form
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
        data=password_change_form("motdepasse2024"),
    )
    assert answer.status_code == 422
    assert "trop courant" in answer.get_data(as_text=True)
    long_password = "une phrase de passe très longue " * 5
    answer = client.post(
        "/mon-compte",
        data=password_change_form(long_password[:200]),
    )
    assert answer.status_code == 303
    db.session.refresh(user)
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(long_password[:200])


# -- passwords made of the person's own e-mail or names (issue 13) ---------------------------

PERSON = {"email": "jean-louis.martin@exemple.fr", "names": ("Jean-Louis", "Martin")}


@pytest.mark.parametrize(
    "password",
    [
        "jean-louis.martin@exemple.fr",
        "jean-louis.martin",
        "JeanLouisMartin",
        "martin.jean-louis1990",
        "Martin2024!!!!",
        "jeanlouis-1234567",
        "MÄRTIN-JEAN-LOUIS",
        "exemplemartin",
    ],
)
def test_a_password_made_of_ones_email_or_names_is_refused(password):
    assert is_personal_password(password, email=PERSON["email"], names=PERSON["names"])


@pytest.mark.parametrize(
    "password", ["martin-chocolat-bleu", "Brouette-Cerise-47", "1234567890123", PASSWORD]
)
def test_a_password_with_more_than_the_names_is_accepted(password):
    assert not is_personal_password(password, email=PERSON["email"], names=PERSON["names"])


def _change_password(client, password: str):
    return client.post("/mon-compte", data=password_change_form(password))


def test_the_profile_form_refuses_ones_own_email_or_name(client, auth):
    user = make_user(email="zephyrine.quartz@exemple.test", first_name="Zéphyrine")
    db.session.commit()
    auth.login(user)
    for password in ("zephyrine.quartz", "Zéphyrine2024!", "zephyrine.quartz@exemple.test"):
        answer = _change_password(client, password)
        assert answer.status_code == 422, password
        assert "reprend votre nom ou votre adresse e-mail" in answer.text
    assert _change_password(client, "zephyrine-range-ses-bocaux").status_code == 303


def test_invitation_and_reset_links_refuse_ones_own_email_or_name(client):
    from reseau.accounts.models import TokenPurpose, UserStatus
    from reseau.accounts.operations import issue_token

    invited = make_user(email="albertine.roux@exemple.test", status=UserStatus.INVITED)
    active = make_user(email="basile.noir@exemple.test", last_name="Noirmoutier")
    invitation = issue_token(invited, TokenPurpose.INVITATION, timedelta(days=1))
    reset = issue_token(active, TokenPurpose.PASSWORD_RESET, timedelta(hours=1))
    db.session.commit()
    for url, password in (
        (f"/invitation/{invitation}", "albertine.roux1"),
        (f"/reinitialiser/{reset}", "Noirmoutier1234"),
    ):
        answer = client.post(url, data={"password": password, "password_confirm": password})
        assert answer.status_code == 422, url
        assert "reprend votre nom ou votre adresse e-mail" in answer.text


def test_the_registration_link_refuses_ones_own_email_or_name(client):
    from tests.accounts.helpers import link_in, outbox
    from tests.factories import make_centre

    centre = make_centre()
    db.session.commit()
    client.post(
        "/inscription",
        data={
            "first_name": "Octavie",
            "last_name": "Lebrun",
            "email": "octavie.lebrun@exemple.test",
            "category": "benevole",
            "centre_id": str(centre.id),
        },
    )
    link = link_in(outbox("octavie.lebrun@exemple.test")[0])
    answer = client.post(
        link, data={"password": "OctavieLebrun!", "password_confirm": "OctavieLebrun!"}
    )
    assert answer.status_code == 422
    assert "reprend votre nom ou votre adresse e-mail" in answer.text


def test_create_admin_refuses_ones_own_email_or_name(runner):
    import sqlalchemy as sa

    from reseau.accounts.models import User

    arguments = ["create-admin", "--email", "ines.garnier@exemple.test", "--first-name", "Inès"]
    arguments += ["--last-name", "Garnier"]
    refused = runner.invoke(args=[*arguments, "--password", "ines.garnier2025"])
    assert refused.exit_code != 0 and "fait de votre nom" in refused.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    accepted = runner.invoke(args=[*arguments, "--password", "cerisier-en-fleur-42"])
    assert accepted.exit_code == 0, accepted.output
