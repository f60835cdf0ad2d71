"""Server-side SVG bar charts: no script, no inline style, the same numbers in a table below.

Each chart is an ``<svg role="img">`` with a ``<title>`` and an ``aria-label`` that says what it
shows; the page puts the table with the same figures right after it (screen readers and
printing rely on the table, the chart is for the eye).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from reseau.reports.wording import hours_fr as _hours_fr

WIDTH = 640
VALUE_WIDTH = 60
BAR = 18
GAP = 8
# Each label is written in full on its own lines above its bars (a label beside the bars was
# cut: « ratégie et communication en dir… »). 13 px text: about 80 characters a line.
LABEL_CHARS = 80
LINE = 16
# Colour-blind friendly, 3:1 against white at least.
COLOURS = ("#1a56c4", "#a15c00")


# The same small numbers come back in every chart (twice: the bar and the fingerprint): each
# is written by Babel once per process (plain strings; the application speaks French only).
hours_fr = lru_cache(maxsize=4096)(_hours_fr)


@dataclass
class Series:
    name: str
    values: list[float]


def bar_chart(
    title: str,
    labels: list[str],
    *series: Series,
    chart_id: str = "",
    colour_of: list[int] | None = None,
    legend_names: tuple[str, ...] = (),
) -> Markup:
    """A horizontal bar chart of one or more series (two bars per label for two series).

    ``colour_of`` gives each bar of a single series its colour (0 or 1), explained by
    ``legend_names`` (e.g. needs covered or not).
    """
    count = len(series)
    names = legend_names or (tuple(s.name for s in series) if count > 1 else ())
    maximum = max((value for s in series for value in s.values), default=0) or 1
    group = count * BAR + (count - 1) * 2
    legend = 22 if names else 0
    lines = [textwrap.wrap(label, LABEL_CHARS) or [""] for label in labels]
    height = legend + sum(len(rows) * LINE + group + GAP for rows in lines) + GAP
    plot = WIDTH - VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}"'
        + (f' id="{escape(chart_id)}"' if chart_id else "")
        + f' data-values="{escape(_fingerprint(series))}">',
        f"<title>{escape(title)}</title>",
    ]
    x = 0
    for index, name in enumerate(names):
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS[index % 2]}"/>'
            f'<text x="{x + 16}" y="15" font-size="12" fill="#1f2937">{escape(name)}</text>'
        )
        x += 30 + 7 * len(name)
    y = legend + GAP
    for row, label in enumerate(labels):
        for line in lines[row]:
            y += LINE
            parts.append(
                f'<text x="0" y="{y - 4}" font-size="13" fill="#1f2937">{escape(line)}</text>'
            )
        for index, s in enumerate(series):
            value = s.values[row]
            width = max(0.0, plot * value / maximum)
            top = y + index * (BAR + 2)
            colour = COLOURS[(colour_of[row] if colour_of else index) % 2]
            parts.append(
                f'<rect x="0" y="{top}" width="{width:.1f}" height="{BAR}" '
                f'fill="{colour}"><title>{escape(label)} – {escape(s.name)} : '
                f"{escape(hours_fr(value))}</title></rect>"
                f'<text x="{width + 4:.1f}" y="{top + BAR - 4}" font-size="12" '
                f'fill="#1f2937">{escape(hours_fr(value))}</text>'
            )
        y += group + GAP
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every label and value above is escaped)


def _fingerprint(series: tuple[Series, ...]) -> str:
    """The values, for tests and for anyone comparing two versions of a chart."""
    return "|".join(",".join(hours_fr(v) for v in s.values) for s in series)
