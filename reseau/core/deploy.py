"""What ``flask --app reseau deploy-check`` checks: the unsafe points of a configuration for
production, like Django's ``check --deploy``, including what gunicorn really runs with."""

from __future__ import annotations

import math
import os
import re
import runpy
import shlex
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import click

WEAK_SECRETS = {"dev", "secret", "changeme", "test", "development", "cle-secrete"}
# A key's estimated entropy (its length × the Shannon entropy of its own characters) must
# reach this: secrets.token_hex(16) always does (about 94 bits at worst), "a" * 32 has 0.
MIN_SECRET_BITS = 90


def deploy_problems(config, environ=os.environ, *, gunicorn=None, hosts: int = 1) -> list[str]:
    """Return the unsafe points of ``config`` for a production deployment, in French.

    ``gunicorn``: what each gunicorn runs with (``gunicorn_setups``); by default, what a
    gunicorn started here would run with (``gunicorn.conf.py``, ``GUNICORN_CMD_ARGS``,
    ``WEB_CONCURRENCY``). ``hosts``: how many hosts were seen running ``tick`` lately
    (several_hosts_problems).
    """
    if gunicorn is None:
        gunicorn = [read_gunicorn([], environ, Path.cwd(), where="gunicorn lancé ici")]
    problems = []
    if config.get("DEBUG"):
        problems.append("Le mode debug est activé (FLASK_DEBUG) : désactivez-le en production.")
    if config.get("TESTING"):
        problems.append("Le mode TESTING est activé : désactivez-le en production.")
    problems += secret_key_problems(config)
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
    if not config.get("RATELIMIT_ENABLED", True):
        problems.append("Les limites de tentatives sont désactivées (RATELIMIT_ENABLED).")
    problems += worker_problems(config, gunicorn)
    problems += proxy_problems(config, gunicorn)
    if not config.get("MAIL_SERVER"):
        problems.append("MAIL_SERVER n'est pas défini : les e-mails sont écrits dans des fichiers.")
    workers = max((setup.workers for setup in gunicorn), default=1)
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


def secret_key_problems(config) -> list[str]:
    secret = str(config.get("SECRET_KEY") or "")
    if not secret:
        return ["SECRET_KEY manque."]
    lowered = secret.lower()
    weak = (
        len(secret) < 32
        or lowered in WEAK_SECRETS
        or "test" in lowered
        or entropy_bits(secret) < MIN_SECRET_BITS
        or re.fullmatch(r"(.+?)\1+", secret) is not None  # "0123456789abcdef" twice
    )
    if not weak:
        return []
    return [
        "SECRET_KEY est faible : utilisez au moins 32 caractères aléatoires "
        '(python -c "import secrets; print(secrets.token_hex(32))").'
    ]


def entropy_bits(text: str) -> float:
    """Estimate ``text``'s entropy: its length × the Shannon entropy of its characters."""
    counts, n = Counter(text), len(text)
    return -sum(count * math.log2(count / n) for count in counts.values())


# --- What gunicorn runs with ---------------------------------------------------------------


@dataclass(frozen=True)
class GunicornSetup:
    """The settings of one gunicorn that matter here, and where they were read (French)."""

    where: str
    workers: int
    serves_tls: bool
    local_only: bool  # bound to loopback addresses or unix sockets only


def read_gunicorn(argv: list[str], environ, cwd: Path, *, where: str) -> GunicornSetup:
    """Read gunicorn's settings as gunicorn does: its defaults (``WEB_CONCURRENCY``), the
    config file (``-c``, else ``./gunicorn.conf.py``), ``GUNICORN_CMD_ARGS``, then ``argv``.
    """
    from gunicorn.config import Config

    cfg = Config()
    if str(environ.get("WEB_CONCURRENCY", "")).isdigit():
        cfg.set("workers", int(environ["WEB_CONCURRENCY"]))
    parser = cfg.parser()
    try:
        args = parser.parse_args(argv)
        env_args = parser.parse_args(shlex.split(environ.get("GUNICORN_CMD_ARGS", "")))
    except SystemExit as error:  # argparse exits on arguments it does not know
        raise click.ClickException(f"Arguments de gunicorn illisibles ({where}).") from error
    location = (
        args.config
        or env_args.config
        or ("gunicorn.conf.py" if (cwd / "gunicorn.conf.py").exists() else None)
    )
    if location and not location.startswith("python:"):
        path = cwd / location.removeprefix("file:")
        try:
            settings = runpy.run_path(str(path))
        except Exception as error:  # whatever the file raises, gunicorn would stop on it too
            raise click.ClickException(f"{path} illisible ({where}) : {error}") from error
        for name, value in settings.items():
            if name in cfg.settings:
                cfg.set(name, value)
    for parsed in (env_args, args):
        for name, value in vars(parsed).items():
            if value is not None and name != "args":
                cfg.set(name, value)
    binds = cfg.bind or []
    return GunicornSetup(
        where=where,
        workers=cfg.workers,
        serves_tls=bool(cfg.certfile),
        local_only=all(_local_bind(bind) for bind in binds),
    )


def _local_bind(bind: str) -> bool:
    if bind.startswith(("unix:", "fd://")):
        return True
    host = bind.rsplit(":", 1)[0].strip("[]") if ":" in bind else bind
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


def gunicorn_command(command: tuple[str, ...]) -> list[str]:
    """The arguments of a gunicorn command line (``.venv/bin/gunicorn -w 4 wsgi:app``,
    ``python -m gunicorn …``): what follows the word gunicorn."""
    words = list(command)
    for index, word in enumerate(words):
        if Path(word).name.startswith("gunicorn"):
            return words[index + 1 :]
    return words


def running_gunicorns(proc: Path = Path("/proc")) -> list[GunicornSetup]:
    """Read the gunicorn masters running on this machine (Linux ``/proc``): their command
    line, environment and directory; workers are counted as they run (their children)."""
    processes = {}
    for entry in proc.glob("[0-9]*"):
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
            parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError):
            continue
        if any(Path(word).name.startswith("gunicorn") for word in argv[:3]):
            processes[entry.name] = (argv, parent)
    setups = []
    for pid, (argv, parent) in sorted(processes.items()):
        if parent in processes:
            continue  # a worker
        children = sum(1 for _, other_parent in processes.values() if other_parent == pid)
        environ, cwd = _process_environ(proc / pid), _process_cwd(proc / pid)
        where = f"gunicorn, processus {pid}"
        try:
            setup = read_gunicorn(gunicorn_command(tuple(argv)), environ, cwd, where=where)
        except click.ClickException:  # settings we cannot read: what runs still counts
            setup = GunicornSetup(where, workers=1, serves_tls=False, local_only=False)
        setups.append(replace(setup, workers=max(setup.workers, children)))
    return setups


def _process_environ(entry: Path) -> dict[str, str]:
    try:
        pairs = (entry / "environ").read_bytes().decode(errors="replace").split("\0")
    except OSError:  # another user's process: its environment cannot be read
        return {}
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def _process_cwd(entry: Path) -> Path:
    try:
        return (entry / "cwd").resolve(strict=True)
    except OSError:
        return Path.cwd()


def worker_problems(config, setups: list[GunicornSetup]) -> list[str]:
    """SQLite or per-process rate limits under several gunicorn workers."""
    problems = []
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    limits = str(config.get("RATELIMIT_STORAGE_URI", "memory://"))
    for setup in setups:
        if setup.workers <= 1:
            continue
        if uri.startswith("sqlite"):
            problems.append(
                f"SQLite avec {setup.workers} workers ({setup.where}) : les écritures "
                "attendront les unes après les autres ; au-delà d'un petit réseau, passez à "
                "PostgreSQL (DATABASE_URL)."
            )
        if config.get("RATELIMIT_ENABLED", True) and limits.startswith("memory"):
            problems.append(
                f"RATELIMIT_STORAGE_URI=memory:// avec {setup.workers} workers "
                f"({setup.where}) : chaque worker compte à part ; utilisez Redis (redis://…)."
            )
    return problems


def proxy_problems(config, setups: list[GunicornSetup]) -> list[str]:
    """PROXY_FIX_HOPS=0 while a reverse proxy is in front of the app.

    The rule, read from the configuration: a proxy is in front when gunicorn listens only on
    the machine itself (loopback or a unix socket: nobody else can reach it), or when
    BASE_URL is https:// and gunicorn does not serve TLS (something in front ends it). At run
    time, the app also logs a warning when X-Forwarded-* headers arrive from a local address
    while PROXY_FIX_HOPS=0 (``reseau.core.security``).
    """
    if config.get("PROXY_FIX_HOPS"):
        return []
    https = str(config.get("BASE_URL") or "").startswith("https://")
    for setup in setups:
        if setup.local_only:
            reason = f"{setup.where} n'écoute que sur la machine elle-même"
        elif https and not setup.serves_tls:
            reason = f"BASE_URL est en https mais {setup.where} ne sert pas le TLS"
        else:
            continue
        return [
            f"PROXY_FIX_HOPS=0 alors qu'un proxy est devant l'application ({reason}) : "
            "indiquez le nombre de proxys (PROXY_FIX_HOPS=1 derrière un nginx), sans quoi "
            "les limites de tentatives comptent toutes les personnes comme une seule."
        ]
    return []
