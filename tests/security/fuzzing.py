"""What the fuzzing tests share: odd values, the hypothesis settings, the forms of a page."""

from __future__ import annotations

import re
from html import unescape

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

MALFORMED = [
    "",
    " ",
    "-1",
    "0",
    "9" * 40,
    "1e309",
    "NaN",
    "2026-13-45",
    "31/02/2026",
    "25:99",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "‮evil",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂",
    "e\u0301te\u0301",
    "a@b",
    "x" * 5000,
    "%00",
    "../../etc/passwd",
    "[]",
    "{}",
]
VALUES = st.one_of(
    st.sampled_from(MALFORMED),
    st.text(max_size=60),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
        min_size=200,
        max_size=400,
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)
FUZZ = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
NAME_RE = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
FORM_RE = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)


def _forms(html: str, method: str) -> list[list[str]]:
    forms = []
    for match in FORM_RE.finditer(html):
        attrs = match.group("attrs").lower()
        is_post = 'method="post"' in attrs
        if (method == "post") != is_post:
            continue
        names = [unescape(n) for n in NAME_RE.findall(match.group("body"))]
        names = [n for n in names if n not in ("csrf_token",)]
        if names:
            forms.append(sorted(set(names)))
    return forms
