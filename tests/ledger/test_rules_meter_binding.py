"""A meter bound to its intermediary (seed S21-S25): ``attrs.intermediary`` in its registry entry decides who may own
its readings' assets (``asset.generate``)."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.node import Node
from tests.helpers.ledger_world import SOLAR_CAPACITY_W, LedgerWorld, slot
from tests.ledger.support import assert_rejected, fingerprint


def bind_meter(world: LedgerWorld, node: Node, intermediary: str | Any) -> dict[str, Any]:
    """Submit a ``registry.update`` that re-registers the solar meter with ``attrs.intermediary``; its outcome."""
    entry = world.registry_entry(world.meter, "meter", "Smart meter of Aa", provider="Aa", method="solar",
                                 capacity_w=SOLAR_CAPACITY_W, intermediary=intermediary)
    return world.submit_wait(node, world.registry_update(set_entries=[entry]))


def test_unbound_meter_reports_to_any_intermediary(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    first = w.commit(ledger_node, w.generate(slot(0), 1_000, owner=w.intermediary.address))
    second = w.commit(ledger_node, w.generate(slot(1), 1_000, owner=w.intermediary2.address))
    assert ledger_node.value(f"asset/{first['result']['asset_id']}")["owner"] == w.intermediary.address
    assert ledger_node.value(f"asset/{second['result']['asset_id']}")["owner"] == w.intermediary2.address


def test_bound_meter_reports_only_to_its_intermediary(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    assert bind_meter(w, ledger_node, w.intermediary2.address)["code"] == "ok"
    registered = next(e for e in ledger_node.registry() if e["address"] == w.meter.address)
    assert registered["attrs"]["intermediary"] == w.intermediary2.address
    before = fingerprint(ledger_node)
    outcome = w.submit_wait(ledger_node, w.generate(slot(0), 1_000, owner=w.intermediary.address))
    assert_rejected(outcome, "wrong_intermediary", 403,
                    f"meter {w.meter.address} is registered to report to intermediary {w.intermediary2.address}, "
                    f"found owner '{w.intermediary.address}'")
    assert fingerprint(ledger_node) == before
    ok = w.commit(ledger_node, w.generate(slot(0), 1_000, owner=w.intermediary2.address))
    assert ledger_node.value(f"asset/{ok['result']['asset_id']}")["owner"] == w.intermediary2.address


def test_rebinding_moves_later_readings_to_the_new_intermediary(ledger_world: LedgerWorld,
                                                                 ledger_node: Node) -> None:
    w = ledger_world
    assert bind_meter(w, ledger_node, w.intermediary.address)["code"] == "ok"
    w.commit(ledger_node, w.generate(slot(0), 1_000, owner=w.intermediary.address))
    assert bind_meter(w, ledger_node, w.intermediary2.address)["code"] == "ok"
    refused = w.submit_wait(ledger_node, w.generate(slot(1), 1_000, owner=w.intermediary.address))
    assert refused["code"] == "wrong_intermediary"
    w.commit(ledger_node, w.generate(slot(1), 1_000, owner=w.intermediary2.address))


def test_other_meters_stay_unbound(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    assert bind_meter(w, ledger_node, w.intermediary2.address)["code"] == "ok"
    w.commit(ledger_node, w.generate(slot(0), 1_000, meter=w.meter_oil, owner=w.intermediary.address))


@pytest.mark.parametrize(("value", "found"), [
    ("Intermediary Db", "str 'Intermediary Db'"),
    (12, "int 12"),
    ("gc1" + "0" * 39, "str 'gc1" + "0" * 39 + "'"),
])
def test_intermediary_attr_must_be_an_address(ledger_world: LedgerWorld, ledger_node: Node, value: Any,
                                              found: str) -> None:
    before = fingerprint(ledger_node)
    outcome = bind_meter(ledger_world, ledger_node, value)
    assert_rejected(outcome, "bad_registry", 400,
                    r"meter gc1[0-9a-f]{40} needs attribute 'intermediary' as an address \('gc1' \+ 40 hex digits\), "
                    + "found " + found.replace("+", r"\+"))
    assert fingerprint(ledger_node) == before
