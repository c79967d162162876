"""The intermediary's dependencies, built once at start-up and handed to the API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend_client import NodeClient
from intermediary.config import Settings
from intermediary.database import open_database
from intermediary.documents import warm_renderer
from intermediary.eligible_index import EligibleIndex
from printing import InstitutionFormat, load_institutions

FOLLOW_EVERY_S = 1.0  # a running intermediary reads new blocks for its stored eligible rows this often (issue 16)


def wall_clock() -> int:
    return int(time.time())


@dataclass
class Service:
    settings: Settings
    engine: Engine
    node: NodeClient
    institutions: dict[str, InstitutionFormat]
    clock: Callable[[], int] = wall_clock
    follow_every_s: float | None = None  # None: the eligible rows catch up only at list requests
    sessions: sessionmaker[Session] = field(init=False)
    eligible: EligibleIndex = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.eligible = EligibleIndex(self.sessions, self.node, self.settings.key, self.settings.chain_id,
                                      follow_every_s=self.follow_every_s)

    @contextmanager
    def db(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session


def make_engine(db_url: str) -> Engine:
    """The business database at ``db_url``, its schema brought to the newest migration (intermediary.database)."""
    return open_database(db_url)


def build_service(settings: Settings, *, institutions_dir: Path | None = None,
                  clock: Callable[[], int] = wall_clock) -> Service:
    if not settings.pdf_dir.exists():  # certificates name their owners: owner-only where we create the folder
        settings.pdf_dir.mkdir(mode=0o700, parents=True)
    # The intermediary's key signs its reads of consumers' assets (S505/S506; ledger_lite.request_auth).
    node = NodeClient(settings.node_url, signer=settings.key, chain_id=settings.chain_id)
    service = Service(settings=settings, engine=make_engine(settings.db_url), node=node,
                      institutions=load_institutions(institutions_dir), clock=clock, follow_every_s=FOLLOW_EVERY_S)
    warm_renderer()  # a served intermediary's first certificate does not wait for reportlab and the font
    service.eligible.start()  # nor a consumer's first list for its history (intermediary.eligible_index)
    return service
