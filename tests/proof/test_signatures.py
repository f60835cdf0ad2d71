"""The drawn signature is rebuilt from numbers: nothing a browser sends is stored as markup."""

from __future__ import annotations

import pytest

from reseau.proof.signatures import SignatureError, drawing_of, parse_path
from tests.proof.helpers import PATH


def test_path_data_becomes_a_canonical_svg():
    drawing = parse_path(PATH, 300, 120)
    svg = drawing.svg()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 120"')
    assert svg.count("<path") == 1 and "<script" not in svg
    assert drawing_of(svg) == drawing
    assert len(drawing.strokes) == 2


@pytest.mark.parametrize(
    "data",
    [
        '<svg onload="alert(1)"><path d="M1 1 L2 2"/></svg>',
        "M10 10 L20 20 <script>alert(1)</script>",
        "M10 10 L20 20 Z javascript:alert(1)",
        "M10 10 C 1 2 3 4 5 6 L 7 8 L 9 10 L 11 12 L 13 14",
        "L10 10 L20 20",
        "M10 10 L20",
    ],
)
def test_anything_but_numbers_and_m_l_is_refused(data):
    with pytest.raises(SignatureError):
        parse_path(data, 300, 120)


def test_points_are_kept_inside_the_pad_and_a_dot_is_too_short():
    drawing = parse_path("M-50 10 L9999 500 L20 20 L30 30 L40 40 L50 50 L60 60 L70 70", 300, 120)
    assert drawing.strokes[0][0] == (0.0, 10.0) and drawing.strokes[0][1] == (300.0, 120.0)
    with pytest.raises(SignatureError, match="trop courte"):
        parse_path("M10 10 L11 11", 300, 120)
    with pytest.raises(SignatureError, match="Signez"):
        parse_path("   ", 300, 120)
