"""Extra tasks run by ``flask --app reseau tick`` after the enrolment work.

A room adds a task with ``@tick_task``: a function taking nothing, flushing (not committing)
and returning one French line for the command's output.
"""

from __future__ import annotations

from collections.abc import Callable

TICK_TASKS: list[Callable[[], str]] = []


def tick_task(function: Callable[[], str]) -> Callable[[], str]:
    if function not in TICK_TASKS:
        TICK_TASKS.append(function)
    return function


def run_tick_tasks() -> list[str]:
    """Run every registered task; return their lines."""
    import reseau.privacy.retention  # noqa: F401  (registers the retention task)

    return [task() for task in TICK_TASKS]
