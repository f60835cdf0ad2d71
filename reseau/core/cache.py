"""Figures kept between requests: the bilan's and the diagnostic results' rendered tables.

Flask-Caching holds them: in Redis when ``CACHE_REDIS_URL`` is set (every worker and host
shares one copy, so a figure is computed once after a change, not once per worker), in the
worker's memory otherwise. Only plain data goes in (strings, numbers, lists, dates), never
ORM objects, and never anything that differs from one person to another (a CSRF token, a
name): the key says whose view it is (``kept``'s caller puts the scope and the role in it).

A kept figure carries the tables its statements read and their counters when the
computation began (``core.changes``): it is served only while no write to those tables has
committed since, and until ``until`` (time alone changes a figure too: a published session
counts as held once it has started). The key also holds a digest of the code (``.py`` and
templates), so that a deployment never serves what the previous code rendered, and one of
the database's address. A restored database brings its old counters back: ``restore``
empties the cache (and the PostgreSQL advice says to).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache as once
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_caching import Cache

from reseau.core import changes
from reseau.core.database import utcnow
from reseau.core.http import RawQuery, RawReader, session_reader

figures = Cache()
PACKAGE = Path(__file__).resolve().parent.parent


@once
def code_digest() -> str:
    """A digest of the package's code and templates (once per process)."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html") and path.is_file():
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _digest(text) -> str:
    return hashlib.blake2b(str(text).encode(), digest_size=6).hexdigest()


def init_app(app) -> None:
    url = app.config["CACHE_REDIS_URL"]
    settings = {
        "CACHE_DEFAULT_TIMEOUT": app.config["FIGURES_CACHE_SECONDS"],
        # Two sites sharing one Redis never read each other's figures.
        "CACHE_KEY_PREFIX": f"reseau:{code_digest()}:{_digest(app.config['SQLALCHEMY_DATABASE_URI'])}:",
        "CACHE_THRESHOLD": app.config["FIGURES_CACHE_ENTRIES"],
    }
    if not app.config["FIGURES_CACHE_SECONDS"]:
        settings["CACHE_TYPE"] = "NullCache"
    elif url:
        settings.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=url)
    else:
        settings["CACHE_TYPE"] = "SimpleCache"
    figures.init_app(app, config=settings)


def key_of(page: str, *parts, **named) -> str:
    """A kept figure's key: the page, then what it depends on (``named`` sorted by name)."""
    return ":".join([page, *map(str, parts), *(f"{k}={named[k]}" for k in sorted(named))])


def kept(
    key: str,
    compute: Callable[[], tuple[Any, datetime | None]],
    *,
    tables: Iterable[str] | None = None,
    reader: RawReader | None = None,
    counters: dict[str, int] | None = None,
) -> Any:
    """The value ``compute`` gives, from the cache while it still holds; ``compute`` returns
    the value (plain data) and the moment it stops being true without any write (or None).
    ``tables``: the tables ``compute`` reads, when known beforehand (else they are seen while
    it runs); ``reader``: a ``RawReader`` to read their counters on, outside the request's
    transaction (with ``tables`` only); ``counters``: theirs, already read (a column of the
    request's first statement, ``counters_column``), before anything ``compute`` reads."""
    if not current_app.config["FIGURES_CACHE_SECONDS"] or changes.writes_pending():
        return compute()[0]
    entry = figures.get(key)
    # One statement either way: the counters of the tables the kept value was read from, or
    # of every table when nothing is kept. Read before computing: what is computed next is
    # at least as fresh as these counts.
    known = sorted(tables) if tables is not None else entry[0] if entry is not None else None
    if counters is not None and tables is not None:
        before = {name: counters[name] for name in known if name in counters}
    elif reader is not None:
        before = _raw_versions(reader, tuple(known))
    elif known is not None:
        # On the request's own connection and transaction (the snapshot the figure is
        # read in on SQLite), compiled once: SQLAlchemy's execution costs more than the read.
        before = _raw_versions(session_reader(), tuple(known))
    else:
        before = changes.versions(known)
    if entry is not None:
        _, counted, until, value = entry
        if (until is None or utcnow() < until) and before == counted:
            return value
    if tables is not None:
        value, until = compute()
        read, counted = known, before
    else:
        with changes.reading() as read:
            value, until = compute()
        # A table the previous value did not read has no count yet: -1 never matches, so
        # the next request computes again, with every table counted.
        counted = {
            name: before.get(name, -1)
            for name in read
            if name in before or known is not None and name not in known
        }
    figures.set(key, (sorted(read), counted, until, value))
    return value


def _raw_versions(reader: RawReader, names: tuple[str, ...]) -> dict[str, int]:
    return {name: int(total) for name, total in reader.all(_raw_versions_query(names), {})}


@lru_cache(maxsize=64)
def _raw_versions_query(names: tuple[str, ...]) -> RawQuery:
    """``changes.versions(names)`` for a ``RawReader``, the names written in, built once."""
    return RawQuery(
        lambda: (
            sa.select(changes.TableChange.table_name, sa.func.sum(changes.TableChange.changes))
            .where(changes.TableChange.table_name.in_(names))
            .group_by(changes.TableChange.table_name)
        )
    )


def counters_column(names: Iterable[str]) -> sa.ScalarSelect:
    """A column giving the tables' counters ("name=count,…", ``read_counters``), for a
    statement that runs anyway to read them with (``kept(counters=…)``)."""
    change = changes.TableChange
    sums = (
        sa.select(change.table_name.label("name"), sa.func.sum(change.changes).label("total"))
        .where(change.table_name.in_(sorted(names)))
        .group_by(change.table_name)
        .subquery()
    )
    pair = sums.c.name + sa.literal("=") + sa.cast(sums.c.total, sa.String)
    return sa.select(sa.func.aggregate_strings(pair, ",")).scalar_subquery()


def read_counters(text: str | None) -> dict[str, int]:
    """``counters_column``'s answer as {table: count} (a table never written is left out)."""
    pairs = (pair.partition("=") for pair in (text or "").split(",") if pair)
    return {name: int(count) for name, _, count in pairs}


def tables_of(statement: sa.Select) -> frozenset[str]:
    """The tables ``statement`` reads (subqueries and CTEs included), for ``kept(tables=…)``."""
    return frozenset(changes.tables_in(statement))
