"""On PostgreSQL a GET that wrote nothing ends its transaction with COMMIT (psycopg keeps its
prepared statements; it drops them on ROLLBACK), and one that wrote is rolled back, never
committed behind the view's back. On SQLite nothing changes."""

from __future__ import annotations

import sqlalchemy as sa

from reseau.accounts.models import Centre
from reseau.core.extensions import db
from tests.factories import make_centre


def _endings(app, client, url) -> list[str]:
    seen = []
    db.session.remove()  # the test's own transaction ends before we listen
    listeners = {name: (lambda *a, n=name: seen.append(n)) for name in ("commit", "rollback")}
    for name, listener in listeners.items():
        sa.event.listen(db.engine, name, listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        for name, listener in listeners.items():
            sa.event.remove(db.engine, name, listener)
    return seen


def test_a_read_commits_on_postgresql_and_a_write_is_rolled_back(app):
    centre = make_centre(name="Centre social du Breil")
    db.session.commit()
    centre_id = centre.id

    @app.route("/test/lire")
    def read_only():
        return db.session.get(Centre, centre_id).name

    @app.route("/test/ecrire-sans-valider")
    def write_without_commit():
        db.session.get(Centre, centre_id).name = "Renommé sans commit"
        db.session.flush()
        return "ok"

    client = app.test_client()
    postgresql = db.engine.dialect.name == "postgresql"
    read = _endings(app, client, "/test/lire")
    assert read == ["commit"] if postgresql else "commit" not in read
    wrote = _endings(app, client, "/test/ecrire-sans-valider")
    assert "commit" not in wrote
    db.session.remove()
    assert db.session.get(Centre, centre_id).name == "Centre social du Breil"
