"""The store machinery the parts with a database share: one URL form, one migrated engine per URL, SQLite with
WAL and immediate transactions, PostgreSQL through psycopg 3, and transactions retried while the database is busy."""

from __future__ import annotations

import argparse
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from lce_utils.errors import DataError
from lce_utils.paths import ROOT

T = TypeVar("T")

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def normalise_url(url: str, root: Path | None = None, *, what: str = "store", env_var: str = "",
                  example: str = "sqlite:///var/store.db") -> str:
    """url as the one database it names: a relative SQLite path resolved against the repository (not the current
    folder: Voilà runs each app in its own), PostgreSQL pointed at psycopg 3. what/env_var/example word errors."""
    url = url.strip()
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DataError(f"{what}: {url.split('@')[-1]!r} is not a database URL; expected e.g. "
                        f"{example} or postgresql://user@host/database ({env_var} or "
                        "--db) / ingen giltig databasadress") from None
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in {"", ":memory:"} \
            and not database.startswith("file:"):
        path = Path(database).expanduser()
        if not path.is_absolute():
            return parsed.set(database=str((root or ROOT) / path)).render_as_string(hide_password=False)
    return url


def describe(url: str) -> str:
    """The database a normalised url names, for people: the file of an SQLite database, else the URL without
    its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {parsed.database or ':memory:'}"
    return parsed.render_as_string(hide_password=True)


def sqlite_setup(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE for every transaction of an SQLite engine."""
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers queue for the lock at the start instead of failing half-way on an upgrade from read to write.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine, migrations: Path) -> None:
    """Upgrade the schema to the newest migration in the alembic folder migrations, safely when several
    processes do it at once."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    for attempt in range(10):
        try:
            with engine.connect() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            return
        except OperationalError:
            if attempt == 9:
                raise
            time.sleep(0.2 + random.random() * 0.3)
        except IntegrityError:  # another process created the version table at the same moment
            time.sleep(0.1)


def engine_for(url: str, migrations: Path, what: str = "store") -> Engine:
    """The engine for a normalised url, created and migrated (with the alembic folder migrations) once."""
    key = f"{migrations}|{url}"
    with _lock:
        engine = _engines.get(key)
        if engine is not None:
            return engine
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path.split("?", 1)[0]).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
            sqlite_setup(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        try:
            migrate(engine, migrations)
        except OperationalError as exc:
            raise DataError(f"{what} {engine.url.render_as_string(hide_password=True)}: cannot open or "
                            f"migrate the database ({exc.orig})") from exc
        _engines[key] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection of every store (tests and servers that stop)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def retryable(exc: OperationalError) -> bool:
    """Whether a failed transaction may succeed when run again (a busy or locked database, a lost race)."""
    text = str(exc.orig).lower()
    return any(word in text for word in ("locked", "busy", "deadlock", "could not serialize"))


def run_transaction(engine: Engine, fn: Callable[[Session], T], attempts: int = 12) -> T:
    """Run fn(session) in one transaction on engine, retrying when the database is busy or a unique race was
    lost; objects stay usable after it commits."""
    for attempt in range(attempts):
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                return fn(session)
        except OperationalError as exc:
            if attempt == attempts - 1 or not retryable(exc):
                raise
        except IntegrityError:
            if attempt == attempts - 1:
                raise
        time.sleep(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def run_alembic_env(context: Any, metadata: MetaData, lock_key: int, version_table: str = "alembic_version") -> None:
    """The body of an alembic env.py: migrate on the connection the store hands over (or the configured URL),
    PostgreSQL upgrades serialised by the advisory lock lock_key."""
    config = context.config

    def run(connection: Any) -> None:
        context.configure(connection=connection, target_metadata=metadata, version_table=version_table,
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Two processes upgrading at once wait for each other instead of racing.
                connection.execute(text(f"SELECT pg_advisory_xact_lock({int(lock_key)})"))
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                          version_table=version_table, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    with create_engine(config.get_main_option("sqlalchemy.url")).connect() as conn:
        run(conn)


def db_option(parser: argparse.ArgumentParser, *, what: str, env_var: str, default: str) -> argparse.ArgumentParser:
    """Add the `--db URL` option every store's commands take (mentorship, programme); returns the parser."""
    parser.add_argument("--db", metavar="URL", help=f"SQLAlchemy URL of the {what} (default: {env_var} or {default})")
    return parser


def db_url(args: argparse.Namespace) -> str | None:
    """The --db URL a command was given, or None for the store's default."""
    return getattr(args, "db", None)
