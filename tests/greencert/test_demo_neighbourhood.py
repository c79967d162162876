"""The demo runs seed 003's neighbourhood over its last days: homes sold into the storage battery (receipts,
sales, incentive points) and bought from it (requests matched, delivered, paid), all on the demo's ledger."""

from __future__ import annotations

from backend_client import NodeClient
from greencert.demo import Demo


def test_the_demo_ledger_holds_the_neighbourhoods_trading(demo: Demo) -> None:
    with NodeClient(demo.node_urls, timeout=30) as node:
        battery = node.value("trade/battery/battery-300")["value"]
        assert battery["stored_wh"] >= 0 and battery["received_wh"] > 0, battery
        assert battery["delivered_wh"] > 0, battery  # someone bought from it
        points = [node.value(f"trade/points/{key.address}")["value"] for key in demo.world.homes.values()
                  if _exists(node, f"trade/points/{key.address}")]
        assert points and any(p["earned"] > 0 for p in points), points


def _exists(node: NodeClient, key: str) -> bool:
    return bool(node.proven_value(key).get("present"))
