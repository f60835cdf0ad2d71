"""Drawn signatures: path data in, a canonical SVG out; never stored markup from a browser.

The pad (static/signature.js, on signature_pad) sends only path data, "M x y L x y …" per
stroke, and the pad's size. The server reads numbers and the two commands M and L and nothing
else, keeps the points inside the pad, rounds them, and writes the SVG itself: whatever a
client sends, the stored SVG is one ``<path>`` of numbers, with fixed attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN = re.compile(r"\s*(?:([ML])|(-?\d{1,5}(?:\.\d{1,4})?))\s*,?")
MAX_POINTS = 6000
MAX_STROKES = 300
MIN_POINTS = 8
SIZE_RANGE = (40, 2000)


class SignatureError(ValueError):
    """Unusable path data; ``message`` is French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    strokes: tuple[tuple[tuple[float, float], ...], ...]

    @property
    def path(self) -> str:
        parts = []
        for stroke in self.strokes:
            first, *rest = stroke
            parts.append(f"M{_n(first[0])} {_n(first[1])}")
            parts.extend(f"L{_n(x)} {_n(y)}" for x, y in rest)
        return " ".join(parts)

    def svg(self) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}"><path d="{self.path}" fill="none" '
            'stroke="#000" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>'
        )


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _size(value, default: int) -> int:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return default
    return min(max(number, SIZE_RANGE[0]), SIZE_RANGE[1])


def parse_path(data: str, width=None, height=None) -> Drawing:
    """Return the drawing in ``data`` (path data with M and L only); SignatureError if it is
    empty, too short, too long or holds anything else."""
    width, height = _size(width, 600), _size(height, 200)
    data = (data or "").strip()
    if not data:
        raise SignatureError("Signez dans le cadre avant de valider.")
    if len(data) > MAX_POINTS * 24:
        raise SignatureError("Cette signature est trop longue : effacez-la et signez à nouveau.")
    strokes: list[list[tuple[float, float]]] = []
    numbers: list[float] = []
    position = 0
    for match in TOKEN.finditer(data):
        if match.start() != position:
            break
        position = match.end()
        command, number = match.groups()
        if command and numbers:
            break
        if command == "M":
            strokes.append([])
        elif command is None and strokes:
            numbers.append(float(number))
            if len(numbers) == 2:
                x = min(max(numbers[0], 0.0), float(width))
                y = min(max(numbers[1], 0.0), float(height))
                strokes[-1].append((x, y))
                numbers = []
        elif command is None:
            break
    if position != len(data) or numbers:
        raise SignatureError(
            "Cette signature n'a pas pu être lue : effacez-la et signez à nouveau."
        )
    kept = tuple(tuple(stroke) for stroke in strokes if stroke)
    total = sum(len(stroke) for stroke in kept)
    if len(kept) > MAX_STROKES or total > MAX_POINTS:
        raise SignatureError("Cette signature est trop longue : effacez-la et signez à nouveau.")
    if total < MIN_POINTS:
        raise SignatureError("Cette signature est trop courte : signez dans le cadre.")
    return Drawing(width=width, height=height, strokes=kept)


SVG_PATH = re.compile(r'viewBox="0 0 (\d+) (\d+)".*?<path d="([^"]*)"', re.S)


def drawing_of(svg: str) -> Drawing | None:
    """Read back a stored SVG (written by ``Drawing.svg``); None if there is none."""
    match = SVG_PATH.search(svg or "")
    if match is None:
        return None
    try:
        return parse_path(match.group(3), match.group(1), match.group(2))
    except SignatureError:
        return None
