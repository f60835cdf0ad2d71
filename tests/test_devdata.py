"""devdata/ beside the package: how Flask finds its commands, what it may import, its days."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import click
import pytest
from flask.cli import FlaskGroup

from devdata import cli, days

ROOT = Path(__file__).resolve().parent.parent


def test_flask_finds_the_commands_of_devdata():
    """`flask --app reseau demo|generate` reach devdata through the flask.commands entry
    points (after a change of setup.cfg: `.venv/bin/pip install -e '.[dev]'`)."""
    group = FlaskGroup(add_default_commands=False)
    context = click.Context(group)
    assert group.get_command(context, "demo") is cli.demo_command
    assert group.get_command(context, "generate") is cli.generate_command


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_package_never_imports_devdata():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "reseau").rglob("*.py"))
        if any(name.split(".")[0] == "devdata" for name in _imported_modules(path))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 3, 18), True),  # a Wednesday
        (date(2026, 3, 21), False),  # a Saturday
        (date(2026, 5, 1), False),  # Fête du travail
        (date(2026, 7, 14), False),
        (date(2026, 12, 21), True),  # the Monday before the Christmas break
        (date(2026, 12, 22), False),
        (date(2027, 1, 1), False),
        (date(2027, 1, 4), True),  # the Monday after
    ],
)
def test_working_days(day, working):
    assert days.is_working_day(day) is working


def test_working_day_skips_the_christmas_break_both_ways():
    assert days.working_day(date(2026, 12, 23)) == date(2027, 1, 4)
    assert days.working_day(date(2026, 12, 23), step=-1) == date(2026, 12, 21)
    assert days.working_day(date(2026, 3, 18)) == date(2026, 3, 18)


def test_seances_are_paris_wall_clock_times():
    morning, afternoon = days.full_day(date(2026, 7, 1))  # summer time: UTC+2
    assert (morning[0].hour, morning[0].minute, afternoon[1].hour) == (7, 30, 15)
    assert days.morning(date(2026, 1, 5))[0][0].hour == 8  # winter time: UTC+1
