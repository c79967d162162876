"""The node follows governance changes of its validator set (ledger/producer.py, ledger/node.py): a change committed
in block h takes effect at h + 1 (the next header names the new set and needs its quorum), a reopened store checks
its last block against the set that was in force for it, and a change never makes a store unusable: a node that
cannot reach the new quorum with the keys it holds says so and commits nothing, instead of storing blocks that
are not final."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ledger_lite import BlockHeader, Commit, validators_hash, verify_commit
from tests.helpers.ledger_world import LedgerWorld, ManualClock, slot


def test_solo_node_that_gains_a_validator_reopens_and_says_it_cannot_commit(ledger_world: LedgerWorld,
                                                                             tmp_path: Path) -> None:
    w = ledger_world
    newcomer = w.extra_validators(1)[0]
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        assert node.status()["can_commit"] is True and node.status()["missing_signatures"] == []
        changed_at = w.commit(node, w.registry_update(
            set_entries=[w.registry_entry(newcomer, "validator", "Second validator")]))["height"]
        # n = 2 from block changed_at + 1 on: a quorum is 2 signatures, and this node holds one key.
        status = node.status()
        assert status["can_commit"] is False and status["missing_signatures"] == [newcomer.public.hex()]
        outcome = w.submit_wait(node, w.generate(slot(2), 1_000))
        assert (outcome["code"], outcome["status"]) == ("not_final", 503), outcome
        assert f"block {changed_at + 1} cannot become final, nothing was committed" in outcome["message"]
        assert f"needs signatures of 2 of the 2 validators, this node holds 1; missing signatures of validators " \
               f"{newcomer.address}" in outcome["message"]
        assert outcome["missing_signatures"] == [newcomer.public.hex()]
        assert node.head.height == changed_at
    finally:
        node.close()
    reopened = w.open_node(tmp_path / "node", ManualClock())
    try:
        assert reopened.head.height == changed_at
        status = reopened.status()
        assert sorted(status["validators"]) == sorted([w.validator.public.hex(), newcomer.public.hex()])
        assert status["can_commit"] is False and status["missing_signatures"] == [newcomer.public.hex()]
        # Everything stored stays served, and every stored block is final under the set that signed it.
        header = BlockHeader.from_json(reopened.block(changed_at)["header"])
        verify_commit(header, Commit.from_json(reopened.block(changed_at)["commit"]), [w.validator.public])
        outcome = w.submit_wait(reopened, w.generate(slot(3), 1_000))
        assert (outcome["code"], outcome["status"]) == ("not_final", 503), outcome
    finally:
        reopened.close()
    # With the second validator's key too, the same store commits again.
    both = w.open_node(tmp_path / "node", ManualClock(), cosigners=[newcomer])
    try:
        assert both.status()["can_commit"] is True
        assert w.commit(both, w.generate(slot(4), 1_000))["height"] == changed_at + 1
    finally:
        both.close()


def test_a_change_takes_effect_at_the_next_block(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    newcomer = w.extra_validators(1)[0]
    node = w.open_node(tmp_path / "node", ManualClock(), cosigners=[newcomer])
    try:
        before = node.head.validators_hash
        changed_at = w.commit(node, w.registry_update(
            set_entries=[w.registry_entry(newcomer, "validator", "Second validator")]))["height"]
        assert node.head.validators_hash == before  # the block that changes the set is signed by the old set
        found = node.store.block(changed_at)
        assert found is not None
        verify_commit(found[0], found[1], [w.validator.public])
        assert sorted(node.status()["validators"]) == sorted([w.validator.public.hex(), newcomer.public.hex()])
        assert json.loads(node.store.get_meta(f"validators@{changed_at + 1}") or "null") == \
            sorted([w.validator.public.hex(), newcomer.public.hex()])
        w.commit(node, w.registry_update(
            set_entries=[w.registry_entry(w.meter, "meter", "Renamed meter", provider="Aa", method="solar",
                                          capacity_w=500_000)],
            approvers=[w.validator, newcomer]))
        assert node.head.height == changed_at + 1
        assert node.head.validators_hash == validators_hash(node.validators) != before
        found = node.store.block(changed_at + 1)
        assert found is not None
        verify_commit(found[0], found[1], [w.validator.public, newcomer.public])
        height = node.head.height
    finally:
        node.close()
    # The reopened store checks its last block against the set that signed it (n = 2), and keeps committing.
    reopened = w.open_node(tmp_path / "node", ManualClock(), cosigners=[newcomer])
    try:
        assert reopened.head.height == height
        assert w.commit(reopened, w.generate(slot(2), 1_000))["height"] == height + 1
    finally:
        reopened.close()
    # Without the newcomer's key the store still opens (its blocks are final); it only cannot commit new ones.
    alone = w.open_node(tmp_path / "node", ManualClock())
    try:
        assert alone.head.height == height + 1 and alone.status()["can_commit"] is False
    finally:
        alone.close()


def test_a_change_not_yet_recorded_is_recorded_on_open(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    # The node stopped after storing the block that changed the set, before recording the change.
    w = ledger_world
    newcomer = w.extra_validators(1)[0]
    node = w.open_node(tmp_path / "node", ManualClock(), cosigners=[newcomer])
    try:
        changed_at = w.commit(node, w.registry_update(
            set_entries=[w.registry_entry(newcomer, "validator", "Second validator")]))["height"]
    finally:
        node.close()
    db = sqlite3.connect(tmp_path / "node" / "ledger.sqlite")
    with db:
        assert db.execute("DELETE FROM meta WHERE key = ?", (f"validators@{changed_at + 1}",)).rowcount == 1
    db.close()
    for _ in range(2):
        reopened = w.open_node(tmp_path / "node", ManualClock(), cosigners=[newcomer])
        try:
            w.commit(reopened, w.generate(slot(2 + reopened.head.height), 1_000))
            assert reopened.head.validators_hash == validators_hash([w.validator.public, newcomer.public])
        finally:
            reopened.close()


def test_solo_node_on_a_consortium_genesis_opens_and_commits_nothing(ledger_world: LedgerWorld,
                                                                      tmp_path: Path) -> None:
    w = ledger_world
    others = w.extra_validators(2)
    genesis = w.genesis_with(*others)
    for _ in range(2):  # created, then reopened: block 0 is checked against the genesis file
        node = w.open_node_with(genesis, tmp_path / "node", ManualClock())
        try:
            assert node.head.height == 0
            assert node.status()["missing_signatures"] == sorted(k.public.hex() for k in others)
            outcome = w.submit_wait(node, w.generate(slot(2), 1_000))
            assert (outcome["code"], outcome["status"]) == ("not_final", 503), outcome
            assert "needs signatures of 2 of the 3 validators, this node holds 1" in outcome["message"]
        finally:
            node.close()


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
