"""S23-S24 on a real node: a producer's meter sends its readings to the intermediary its registry entry names; once
a governance change re-registers the meter, the next day's production goes to the new intermediary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from backend_client import NodeClient, UsageOutcome
from backend_client.node import GovernanceClient, sign_proposal
from field.meter import registered_intermediary
from field.simulator import simulate
from field.sites import PRODUCER_AA
from greencert.servers import BackgroundServer, free_port
from ledger.api import create_app
from ledger.genesis import Genesis, entry
from ledger.node import Node
from tests.helpers.ledger_world import CHAIN_ID, GENESIS_TIME, LedgerWorld, ManualClock

DAY = 86_400
START = GENESIS_TIME - 9 * 3600  # 2026-10-01 00:00 JST


class NoConsumers:
    """The intermediary's usage side, unused here: this test sends producers' readings only."""

    def usage_reports(self, reports: Sequence[str]) -> list[UsageOutcome]:
        assert reports == []
        return []


@pytest.fixture
def world() -> LedgerWorld:
    return LedgerWorld()


@pytest.fixture
def node(tmp_path: Path, world: LedgerWorld) -> Iterator[Node]:
    base = world.genesis()
    # The demo's producer Aa (500 kW) on the world's meter key.
    meter = entry(world.meter.public, "meter", "Smart meter of Aa", provider="Aa", method="solar",
                  capacity_w=PRODUCER_AA.capacity_w)
    entries = (*(e for e in base.entries if e.address != world.meter.address), meter)
    genesis = Genesis(chain_id=CHAIN_ID, time=base.time, entries=entries)
    running = world.open_node_with(genesis, tmp_path / "node", ManualClock(START + 2 * DAY))
    yield running
    running.close()


@pytest.fixture
def url(node: Node) -> Iterator[str]:
    server = BackgroundServer(create_app(node), "127.0.0.1", free_port()).start()
    yield server.url
    server.stop()


def owners(node: Node, world: LedgerWorld, day_start: int) -> set[str]:
    """Who owns the assets made from the meter's readings of the day starting at ``day_start``."""
    found: set[str] = set()
    for intermediary in (world.intermediary, world.intermediary2):
        assets = node.assets(intermediary.address, start=day_start, end=day_start + DAY)
        found |= {a["owner"] for a in assets if a["meter"] == world.meter.address}
    return found


def send_day(url: str, world: LedgerWorld, day_start: int) -> int:
    with NodeClient(url) as client:
        [report] = simulate(client, NoConsumers(), chain_id=CHAIN_ID,  # type: ignore[arg-type]
                            owner=world.intermediary.address, producers=(PRODUCER_AA,), consumers=(),
                            meter_keys={"Aa": world.meter}, start=day_start, days=1)
    assert report.readings_failed == 0
    return report.readings_ok


def test_a_rebound_meters_next_readings_go_to_its_new_intermediary(world: LedgerWorld, node: Node, url: str) -> None:
    assert send_day(url, world, START) > 0
    assert owners(node, world, START) == {world.intermediary.address}  # unbound: the installation's default
    with GovernanceClient(url, chain_id=CHAIN_ID) as governance:
        meter = next(e for e in governance.registry() if e["address"] == world.meter.address)
        change = world.registry_entry(world.meter, "meter", meter["name"],
                                      **{**meter["attrs"], "intermediary": world.intermediary2.address})
        assert governance.propose(sign_proposal(world.intermediary2, CHAIN_ID, set_entries=[change]))["state"] \
            == "registered"
    assert send_day(url, world, START + DAY) > 0
    assert owners(node, world, START + DAY) == {world.intermediary2.address}


@pytest.mark.parametrize(("items", "expected"), [
    ([], None),
    ([{"address": "m", "attrs": {"provider": "Aa"}}], None),
    ([{"address": "m", "attrs": {"intermediary": "gc1" + "a" * 40}}], "gc1" + "a" * 40),
    ([{"address": "m", "attrs": {"intermediary": "gc1" + "a" * 40}, "removed": True}], None),
    ([{"address": "m", "attrs": {"intermediary": "not an address"}}], None),
    ([{"address": "other", "attrs": {"intermediary": "gc1" + "a" * 40}}], None),
])
def test_registered_intermediary(items: list[dict[str, Any]], expected: str | None) -> None:
    assert registered_intermediary(items, "m") == expected
