"""Fixtures for the direct mode: a real ledger node in-process (``tests/helpers/ledger_world.py``) behind an httpx
transport, the kiosk's applicant DB in a temp dir, and a ``DirectBackend`` over both."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.direct import ApplicantDB, TrustStore
from kiosk.direct.backend import DirectBackend
from ledger.api import create_app
from ledger.node import Node
from tests.helpers.kiosk_driver import FakeClock
from tests.helpers.ledger_world import (  # noqa: F401 - fixtures
    LedgerWorld,
    SyncASGITransport,
    ledger_clock,
    ledger_node,
    ledger_world,
)

APPLICANT, PASSWORD = "ca", "secret-ca"


@pytest.fixture
def wall() -> FakeClock:
    """Unix time for the applicant lock-out and the issuance's ``time``."""
    return FakeClock(1_790_900_000.0)


@pytest.fixture
def applicants(tmp_path: Path, ledger_world: LedgerWorld, wall: FakeClock) -> ApplicantDB:  # noqa: F811
    db = ApplicantDB(tmp_path / "kiosk" / "applicants.sqlite", clock=wall)
    db.enrol(APPLICANT, PASSWORD, "Consumer Ca", ledger_world.user)
    return db


@pytest.fixture
def node_transport(ledger_node: Node) -> Iterator[SyncASGITransport]:  # noqa: F811
    transport = SyncASGITransport(create_app(ledger_node))
    yield transport
    transport.close()


@pytest.fixture
def make_backend(tmp_path: Path, applicants: ApplicantDB, node_transport: SyncASGITransport,
                 wall: FakeClock) -> Iterator[Callable[..., DirectBackend]]:
    made: list[DirectBackend] = []

    def make(**overrides: Any) -> DirectBackend:
        options: dict[str, Any] = {"transport": node_transport, "clock": wall}
        options.update(overrides)
        backend = DirectBackend("http://node", applicants, TrustStore(tmp_path / "kiosk" / "validators.json"),
                                **options)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


@pytest.fixture
def backend(make_backend: Callable[..., DirectBackend]) -> DirectBackend:
    return make_backend()
