"""The demo shows proof: the demo trainer's closed session is signed and sealed."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from devdata.demo import load_demo
from reseau.core.extensions import db
from reseau.proof import operations
from reseau.proof.models import ProofSettings, SealedSheet, SeanceSignature


def test_the_demo_has_signed_and_sealed_sheets(app):
    created = load_demo(today=date(2026, 3, 16))
    sheets = db.session.scalars(sa.select(SealedSheet)).all()
    assert created["sealed_sheets"] == len(sheets) >= 2
    assert all(operations.verify(sheet) for sheet in sheets)
    signatures = db.session.scalars(sa.select(SeanceSignature)).all()
    assert any(s.svg for s in signatures) and any(s.typed_name for s in signatures)
    assert db.session.get(ProofSettings, 1).signatory_name
    assert load_demo(today=date(2026, 3, 16))["sealed_sheets"] == 0
