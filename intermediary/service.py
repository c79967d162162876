"""The intermediary's dependencies, built once at start-up and handed to the API."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from backend_client import NodeClient
from intermediary.config import Settings
from intermediary.models import Base
from printing import InstitutionFormat, load_institutions


def wall_clock() -> int:
    return int(time.time())


@dataclass
class Service:
    settings: Settings
    engine: Engine
    node: NodeClient
    institutions: dict[str, InstitutionFormat]
    clock: Callable[[], int] = wall_clock
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def db(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session


def _private_sqlite_file(db_url: str) -> None:
    """Issue #9: the database holds password and token hashes, so it is owner-only — the file 0600 (SQLite gives
    its -wal/-shm files the same mode) and, where we create it, its directory 0700. An existing file is
    tightened too; an existing directory is left as its owner made it."""
    database = make_url(db_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


def make_engine(db_url: str) -> Engine:
    if db_url.startswith("sqlite"):
        _private_sqlite_file(db_url)
    engine = create_engine(db_url)
    if db_url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):  # type: ignore[no-untyped-def]
            cursor = conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    Base.metadata.create_all(engine)
    return engine


def build_service(settings: Settings, *, institutions_dir: Path | None = None,
                  clock: Callable[[], int] = wall_clock) -> Service:
    if not settings.pdf_dir.exists():  # certificates name their owners: owner-only where we create the folder
        settings.pdf_dir.mkdir(mode=0o700, parents=True)
    # The intermediary's key signs its reads of consumers' assets (S505/S506; ledger_lite.request_auth).
    node = NodeClient(settings.node_url, signer=settings.key, chain_id=settings.chain_id)
    service = Service(settings=settings, engine=make_engine(settings.db_url), node=node,
                      institutions=load_institutions(institutions_dir), clock=clock)
    return service
