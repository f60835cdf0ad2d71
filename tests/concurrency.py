"""Run a few writes at the same moment, each in its own app context (its own session and
connection), as concurrent requests would; the errors they raised come back."""

from __future__ import annotations

import threading
from collections.abc import Callable

from reseau.core.extensions import db


def at_once(app, *works: Callable[[], None], timeout: float = 30) -> list[BaseException]:
    """Start every ``work`` together (a barrier), commit what each did, return the errors."""
    db.session.remove()  # the test's own connection holds nothing while the threads write
    barrier = threading.Barrier(len(works))
    errors: list[BaseException] = []

    def run(work: Callable[[], None]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                work()
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported to the test
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return errors
