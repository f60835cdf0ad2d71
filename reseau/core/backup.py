"""Backing up and restoring a live SQLite database (``flask --app reseau backup|restore``).

SQLite's online backup API gives a consistent snapshot even while workers write to the WAL
(a plain file copy does not); a restore checks the backup's integrity first and compares the
row counts of every table afterwards. PostgreSQL is backed up with ``pg_dump``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from reseau.core.extensions import db


def sqlite_path(uri: str) -> Path | None:
    """The SQLite file of the database ``uri``; None for another database."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise click.ClickException("La base SQLite est en mémoire : rien à sauvegarder.")
    return Path(url.database)


def table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {
        # Table names come from sqlite_master, quoted: not user input.
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
        for name in names
    }


def _integrity(connection: sqlite3.Connection) -> str:
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:  # not a database at all
        return str(error)


def backup_sqlite(source: Path, target: Path) -> dict[str, int]:
    """Copy ``source`` to ``target`` with the online backup API; return its row counts."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise click.ClickException(f"{target} existe déjà : choisissez un autre nom.")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        check = _integrity(dst)
        if check != "ok":
            raise click.ClickException(f"La copie est incohérente : {check}")
        return table_counts(dst)
    finally:
        dst.close()
        src.close()


def restore_sqlite(backup: Path, target: Path) -> dict[str, int]:
    """Check ``backup``, copy it over ``target`` (backup API) and compare the row counts."""
    if not backup.exists():
        raise click.ClickException(f"{backup} n'existe pas.")
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        check = _integrity(src)
        if check != "ok":
            raise click.ClickException(f"La sauvegarde est abîmée ({check}) : rien n'est restauré.")
        expected = table_counts(src)
        db.engine.dispose()  # no pooled connection keeps the old file open
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            restored = table_counts(dst)
            if _integrity(dst) != "ok" or restored != expected:
                raise click.ClickException("La base restaurée ne correspond pas à la sauvegarde.")
            return restored
        finally:
            dst.close()
    finally:
        src.close()


PG_ADVICE = (
    "PostgreSQL : sauvegardez avec pg_dump, par exemple\n"
    '  pg_dump --format=custom --file=reseau-$(date +%F).dump "$DATABASE_URL"\n'
    "et restaurez avec\n"
    '  pg_restore --clean --if-exists --dbname="$DATABASE_URL" reseau-AAAA-MM-JJ.dump\n'
    "puis, si CACHE_REDIS_URL est défini, videz les chiffres gardés :\n"
    '  redis-cli -u "$CACHE_REDIS_URL" FLUSHDB'
)
