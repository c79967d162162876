"""The intermediary's dependencies, built once at start-up and handed to the API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
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


def make_engine(db_url: str) -> Engine:
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
    settings.pdf_dir.mkdir(parents=True, exist_ok=True)
    return Service(settings=settings, engine=make_engine(settings.db_url), node=NodeClient(settings.node_url),
                   institutions=load_institutions(institutions_dir), clock=clock)
