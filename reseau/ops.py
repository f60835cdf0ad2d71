"""Operations commands: ``deploy-check``, ``backup`` and ``restore``.

``flask --app reseau deploy-check`` lists what is unsafe in the current configuration, like
Django's ``check --deploy``; it exits with status 1 when something must be fixed.
``backup`` copies a live SQLite database with SQLite's online backup API (a consistent
snapshot even while workers write to the WAL; a plain file copy is not), and prints how to
back up PostgreSQL with ``pg_dump``. ``restore`` checks a backup's integrity, replaces the
database with it and compares the row counts of every table.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from reseau.extensions import db
from reseau.tick import hosts_seen

WEAK_SECRETS = {"dev", "secret", "changeme", "test", "development", "cle-secrete"}


def deploy_problems(config, environ=os.environ, *, hosts: int = 1) -> list[str]:
    """Return the unsafe points of ``config`` for a production deployment, in French.

    ``hosts``: how many hosts were seen running ``tick`` lately (several_hosts_problems)."""
    problems = []
    if config.get("DEBUG"):
        problems.append("Le mode debug est activé (FLASK_DEBUG) : désactivez-le en production.")
    if config.get("TESTING"):
        problems.append("Le mode TESTING est activé : désactivez-le en production.")
    secret = config.get("SECRET_KEY") or ""
    if not secret:
        problems.append("SECRET_KEY manque.")
    elif len(str(secret)) < 32 or str(secret).lower() in WEAK_SECRETS or "test" in str(secret):
        problems.append(
            "SECRET_KEY est faible : utilisez au moins 32 caractères aléatoires "
            '(python -c "import secrets; print(secrets.token_hex(32))").'
        )
    base_url = str(config.get("BASE_URL") or "")
    https = base_url.startswith("https://")
    if not https:
        problems.append(f"BASE_URL ({base_url or 'vide'}) n'est pas en https://.")
    if https and not config.get("SESSION_COOKIE_SECURE"):
        problems.append(
            "Les cookies de session n'ont pas l'attribut Secure alors que BASE_URL est en "
            "https : SESSION_COOKIE_SECURE=true."
        )
    if https and not config.get("REMEMBER_COOKIE_SECURE"):
        problems.append("Le cookie « rester connecté » n'a pas l'attribut Secure.")
    if not config.get("SESSION_COOKIE_HTTPONLY", True):
        problems.append("SESSION_COOKIE_HTTPONLY est désactivé.")
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        problems.append("SESSION_COOKIE_SAMESITE devrait valoir Lax.")
    if not config.get("TRUSTED_HOSTS"):
        problems.append(
            "TRUSTED_HOSTS n'est pas défini : indiquez les noms de domaine servis "
            "(par exemple TRUSTED_HOSTS=formation.exemple.fr)."
        )
    if not config.get("WTF_CSRF_ENABLED", True):
        problems.append("La protection CSRF est désactivée (WTF_CSRF_ENABLED).")
    if not config.get("MAX_CONTENT_LENGTH"):
        problems.append("MAX_CONTENT_LENGTH n'est pas défini.")
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    workers = _worker_count(environ)
    if uri.startswith("sqlite") and workers > 1:
        problems.append(
            f"SQLite avec {workers} workers : les écritures attendront les unes après les "
            "autres ; au-delà d'un petit réseau, passez à PostgreSQL (DATABASE_URL)."
        )
    if not config.get("RATELIMIT_ENABLED", True):
        problems.append("Les limites de tentatives sont désactivées (RATELIMIT_ENABLED).")
    elif str(config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory") and (
        workers > 1
    ):
        problems.append(
            "RATELIMIT_STORAGE_URI=memory:// avec plusieurs workers : chaque worker compte "
            "à part ; utilisez Redis (redis://…)."
        )
    if not config.get("MAIL_SERVER"):
        problems.append("MAIL_SERVER n'est pas défini : les e-mails sont écrits dans des fichiers.")
    problems += several_hosts_problems(config, workers, hosts)
    return problems


def several_hosts_problems(config, workers: int, hosts: int) -> list[str]:
    """What breaks as soon as a second worker or host serves the same database."""
    return [
        problem
        for check in (_generated_secret_key, _file_mail_on_several, _memory_limits_on_hosts)
        if (problem := check(config, workers, hosts))
    ]


def _generated_secret_key(config, workers: int, hosts: int) -> str | None:
    if not config.get("SECRET_KEY_GENERATED"):
        return None
    return (
        "SECRET_KEY n'est pas configurée : une clé a été générée dans instance/secret_key. "
        "Chaque hôte aurait la sienne, et les sessions, les formulaires, les liens QR et les "
        "adresses d'agenda d'un hôte échoueraient sur l'autre : donnez la même SECRET_KEY "
        "à tous les hôtes."
    )


def _file_mail_on_several(config, workers: int, hosts: int) -> str | None:
    if config.get("MAIL_SERVER") or max(workers, hosts) <= 1:
        return None
    return (
        f"E-mails en fichiers avec {max(workers, hosts)} {'hôtes' if hosts > 1 else 'workers'} : "
        "ce mode est pour un seul hôte (chaque hôte écrit ceux qu'il envoie dans son propre "
        "instance/mail/) ; configurez MAIL_SERVER."
    )


def _memory_limits_on_hosts(config, workers: int, hosts: int) -> str | None:
    memory = str(config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory")
    if hosts <= 1 or workers > 1 or not memory or not config.get("RATELIMIT_ENABLED", True):
        return None  # several workers: already said above
    return (
        f"RATELIMIT_STORAGE_URI=memory:// sur {hosts} hôtes : chaque hôte compte à part ; "
        "utilisez un Redis commun (redis://…)."
    )


def _hosts_seen() -> int:
    """Hosts that ran ``tick`` lately; 1 when the database cannot tell (not upgraded yet)."""
    try:
        return max(hosts_seen(), 1)
    except SQLAlchemyError:
        db.session.rollback()
        return 1


def _worker_count(environ) -> int:
    for name in ("WEB_CONCURRENCY", "GUNICORN_WORKERS"):
        value = environ.get(name, "")
        if value.isdigit():
            return int(value)
    args = environ.get("GUNICORN_CMD_ARGS", "").split()
    for index, arg in enumerate(args):
        if arg in ("-w", "--workers") and index + 1 < len(args) and args[index + 1].isdigit():
            return int(args[index + 1])
        if arg.startswith("--workers=") and arg.split("=", 1)[1].isdigit():
            return int(arg.split("=", 1)[1])
    return 1


@click.command("deploy-check")
def deploy_check_command() -> None:
    """List what is unsafe in the current configuration for production."""
    problems = deploy_problems(current_app.config, hosts=_hosts_seen())
    if not problems:
        click.echo("Aucun problème de configuration détecté.")
        return
    click.echo(f"{len(problems)} point(s) à corriger avant la mise en production :")
    for problem in problems:
        click.echo(f"  - {problem}")
    raise SystemExit(1)


def _sqlite_path() -> Path | None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
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
    '  pg_restore --clean --if-exists --dbname="$DATABASE_URL" reseau-AAAA-MM-JJ.dump'
)


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path | None) -> None:
    """Copy the live SQLite database consistently (or explain pg_dump for PostgreSQL)."""
    source = _sqlite_path()
    if source is None:
        click.echo(PG_ADVICE)
        return
    if target is None:
        from reseau.database import utcnow

        target = (
            Path(current_app.instance_path)
            / "backups"
            / (f"reseau-{utcnow():%Y%m%d-%H%M%S}.sqlite")
        )
    counts = backup_sqlite(source, target)
    click.echo(f"Sauvegarde écrite : {target} ({sum(counts.values())} lignes, intégrité ok).")
    click.echo("(Avec PostgreSQL, la sauvegarde se fait avec pg_dump : voir SECURITY.md.)")


@click.command("restore")
@click.argument("backup", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
def restore_command(backup: Path, yes: bool) -> None:
    """Replace the SQLite database by BACKUP after an integrity check; compare row counts."""
    target = _sqlite_path()
    if target is None:
        click.echo(PG_ADVICE)
        raise SystemExit(1)
    if not yes:
        click.confirm(f"Remplacer {target} par {backup} ?", abort=True)
    counts = restore_sqlite(backup, target)
    click.echo(f"Base restaurée depuis {backup} : intégrité ok, nombres de lignes identiques.")
    for name, count in counts.items():
        click.echo(f"  {name}: {count}")


def register_ops_commands(app) -> None:
    app.cli.add_command(deploy_check_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
