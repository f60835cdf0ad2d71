"""Builders for proof tests."""

from __future__ import annotations

PATH = "M10 10 L20 15 L30 22 L40 30 L50 31 M60 40 L70 45 L80 50 L90 52"


def drawn(**overrides) -> dict:
    data = {"signature": PATH, "signature_width": "300", "signature_height": "120"}
    data.update(overrides)
    return data
