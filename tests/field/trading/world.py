"""A real ledger node with a neighbourhood registered (homes and the storage server), reached through
``NodeClient`` over an in-process ASGI transport; its clock is moved by the neighbourhood (``before_slot``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from backend_client import NodeClient
from field.trading.homes import HomeSite, demo_homes
from field.trading.neighbourhood import genesis_entries, home_keys_for
from ledger.api import create_app
from ledger.errors import NotFound
from ledger.genesis import Genesis, entry
from ledger.node import Node
from ledger_lite import PublicKey, SigningKey
from ledger_lite.certificate import JST_ZONE as JST
from tests.helpers.ledger_world import LedgerWorld, ManualClock, SyncASGITransport

# 2026-10-05 (a Monday) 00:00 JST: inside the test genesis' first week
DAY0 = int(datetime(2026, 10, 5, tzinfo=JST).timestamp())


def to_genesis(entries: Sequence[dict[str, Any]]) -> tuple[Any, ...]:
    """``registry_entry`` dicts (``genesis_entries``) as ``ledger.genesis`` entries."""
    return tuple(entry(PublicKey(e["public_key"]), e["role"], e["name"], **e["attrs"]) for e in entries)


@dataclass
class TradingNode:
    ledger: LedgerWorld
    node: Node
    clock: ManualClock
    transport: SyncASGITransport
    homes: tuple[HomeSite, ...]
    home_keys: dict[str, SigningKey]
    storage_key: SigningKey

    @property
    def chain_id(self) -> str:
        return self.ledger.chain_id

    @property
    def validator(self) -> SigningKey:
        return self.ledger.validator

    def client(self) -> NodeClient:
        return NodeClient("http://node.test", transport=self.transport, chain_id=self.chain_id)

    def value(self, key: str) -> Any:
        return self.node.value(key)

    def points(self, address: str) -> int:
        """Points ``address`` earned, as the ledger counts them (0 with no account)."""
        try:
            earned: int = self.node.value(f"trade/points/{address}")["earned"]
        except NotFound:
            return 0
        return earned


def open_trading_node(tmp_path: Path, count: int = 6, *, start: int = DAY0, **terms: Any) -> Iterator[TradingNode]:
    """``terms``: the storage entry's incentive terms (mod 4), passed to ``genesis_entries``."""
    ledger = LedgerWorld()
    homes = demo_homes(count)
    keys = home_keys_for(homes, "test/neighbourhood")
    storage = SigningKey.derive("test/neighbourhood/storage")
    base = ledger.genesis()
    genesis = Genesis(chain_id=base.chain_id, time=base.time,
                      entries=base.entries + to_genesis(genesis_entries(homes, keys, storage, **terms)))
    clock = ManualClock(start)
    node = ledger.open_node_with(genesis, tmp_path / "node", clock)
    transport = SyncASGITransport(create_app(node))
    try:
        yield TradingNode(ledger, node, clock, transport, homes, keys, storage)
    finally:
        transport.close()
        node.close()
