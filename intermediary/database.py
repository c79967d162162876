"""The business database's engine and schema: SQLite (the embedded default) or PostgreSQL, brought to the newest
Alembic revision at start-up (``intermediary/migrations``, run from the package; no ``alembic.ini``).

    engine = open_database("postgresql+psycopg://app@127.0.0.1:5432/intermediary")   # migrated, ready

A database made before migrations (no ``alembic_version`` table) is adopted by revision 0001 without losing a row.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from intermediary.errors import Error

MIGRATIONS = Path(__file__).parent / "migrations"
DIALECTS = ("sqlite", "postgresql")


class DatabaseError(Error):
    """The database URL names no database we support, or the database cannot be brought to the newest schema."""

    code = "database_error"


def _private_sqlite_file(database: str) -> None:
    """Issue #9: the database holds password and token hashes, so it is owner-only — the file 0600 (SQLite gives
    its -wal/-shm files the same mode) and, where we create it, its directory 0700. An existing file is
    tightened too; an existing directory is left as its owner made it."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


def create_database_engine(db_url: str) -> Engine:
    """An engine over ``db_url`` (``sqlite:///FILE`` or ``postgresql+psycopg://...``), schema not touched."""
    try:
        url = make_url(db_url)
    except ArgumentError as exc:
        raise DatabaseError(f"expected a database URL such as sqlite:///FILE or postgresql+psycopg://USER@HOST/DB, "
                            f"found {db_url[:80]!r}") from exc
    if url.get_backend_name() not in DIALECTS:
        raise DatabaseError(f"expected a SQLite or PostgreSQL database URL, found one for {url.get_backend_name()!r}")
    if url.get_backend_name() == "sqlite":
        _private_sqlite_file(url.database or "")
    try:
        engine = create_engine(url, pool_pre_ping=url.get_backend_name() == "postgresql")
    except NoSuchModuleError as exc:
        raise DatabaseError(f"expected a driver that is installed (postgresql+psycopg), found {url.drivername!r}"
                            ) from exc
    if url.get_backend_name() == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):  # type: ignore[no-untyped-def]
            cursor = conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    return engine


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise DatabaseError(f"expected migrations in {MIGRATIONS}, found none")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for a new database or one made before migrations."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest by default) in one transaction: all of it or none."""
    config = _config()
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE, so CREATE TABLE would
                # commit at once; an explicit one (taking the write lock) makes the schema change all-or-nothing.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except Exception as exc:  # cannot connect, or a revision failed (rolled back): say which database and why
        raise DatabaseError(f"expected to bring the database {engine.url.render_as_string(hide_password=True)} "
                            f"to revision {revision}, found an error: {exc}") from exc


def open_database(db_url: str) -> Engine:
    """An engine over ``db_url`` whose schema is at the newest revision."""
    engine = create_database_engine(db_url)
    try:
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine
