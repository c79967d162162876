"""The node follows governance changes of its validator set: the next header names the new set, and a
reopened store checks its last block against the set that was in force for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.errors import StoreError
from ledger_lite import validators_hash
from tests.helpers.ledger_world import LedgerWorld, ManualClock


def test_adding_a_validator_changes_the_next_header(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    node = ledger_world.open_node(tmp_path / "node", ManualClock())
    try:
        newcomer = ledger_world.extra_validators(1)[0]
        before = node.head.validators_hash
        outcome = ledger_world.commit(node, ledger_world.registry_update(
            set_entries=[ledger_world.registry_entry(newcomer, "validator", "Second validator")]))
        changed_at = outcome["height"]
        assert node.head.validators_hash == before  # the block that changes the set is signed by the old set
        assert sorted(node.status()["validators"]) == sorted([ledger_world.validator.public.hex(),
                                                              newcomer.public.hex()])
        ledger_world.commit(node, ledger_world.registry_update(
            set_entries=[ledger_world.registry_entry(ledger_world.meter, "meter", "Renamed meter",
                                                     provider="Aa", method="solar", capacity_w=500_000)],
            approvers=[ledger_world.validator, newcomer]))
        assert node.head.height == changed_at + 1
        assert node.head.validators_hash == validators_hash(node.validators) != before
    finally:
        node.close()
    # A solo node cannot gather the second validator's signature: its newest block is not final under n = 2,
    # and the reopened store says so instead of serving.
    with pytest.raises(StoreError, match="has no valid commit"):
        ledger_world.open_node(tmp_path / "node", ManualClock())


def test_registry_change_without_validator_change_reopens(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    node = ledger_world.open_node(tmp_path / "node", ManualClock())
    try:
        ledger_world.commit(node, ledger_world.registry_update(
            set_entries=[ledger_world.registry_entry(ledger_world.meter, "meter", "Renamed meter",
                                                     provider="Aa", method="solar", capacity_w=500_000)]))
        height = node.head.height
    finally:
        node.close()
    reopened = ledger_world.open_node(tmp_path / "node", ManualClock())
    try:
        assert reopened.head.height == height
        assert [v.raw for v in reopened.validators] == [ledger_world.validator.public.raw]
    finally:
        reopened.close()
