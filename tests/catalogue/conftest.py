"""Fixtures of the catalogue tests."""

from __future__ import annotations

import pytest

from reseau.core.extensions import db
from tests.factories import make_coordinator


@pytest.fixture
def coordinator(auth):
    """A coordinator, logged in."""
    person = make_coordinator()
    db.session.commit()
    auth.login(person)
    return person
