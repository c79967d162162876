"""Block cuts (ledger.producer): a transaction a client waits on ends its block when only bulk follows it; the
order of transactions never changes and bulk blocks stay full. What a block leaves to do waits until the node has
been idle a while."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from ledger.cache_sizes import CacheSizes
from ledger.node import Node
from ledger.node_base import Pending
from ledger.storage import Store
from ledger_lite import smt_tree
from tests.helpers.ledger_world import LedgerWorld, ManualClock, slot
from tests.helpers.waiting import wait_for

if smt_tree.NATIVE:
    from ledger_lite import _smt_native


def _outcomes(pendings: list[Any]) -> list[dict[str, Any]]:
    outcomes = []
    for pending in pendings:
        assert isinstance(pending, Pending), pending
        outcome = pending.wait(10)
        assert outcome is not None and outcome["code"] == "ok", outcome
        outcomes.append(outcome)
    return outcomes


def _stopped_node(tmp_path: Path, world: LedgerWorld, clock: ManualClock) -> Node:
    return world.open_node(tmp_path / "node", clock, start=False, linger_s=0)


def test_a_waited_transaction_ends_its_block_before_the_bulk_behind_it(tmp_path: Path) -> None:
    world, clock = LedgerWorld(), ManualClock(slot(40))
    node = _stopped_node(tmp_path, world, clock)
    try:
        before = node.submit_many([world.generate(slot(n), 1_000).encode() for n in range(5)])
        waited = node.submit(world.generate(slot(5), 1_000).encode())
        after = node.submit_many([world.generate(slot(n), 1_000).encode() for n in range(6, 11)])
        node.start()
        heights = [o["height"] for o in _outcomes([*before, waited, *after])]
    finally:
        node.close()
    assert heights[:6] == [heights[0]] * 6  # the bulk before it and the waited one: one block
    assert heights[6:] == [heights[0] + 1] * 5  # the bulk behind it: the next block


def test_bulk_alone_fills_blocks_up_to_the_limit(tmp_path: Path) -> None:
    world, clock = LedgerWorld(), ManualClock(slot(40))
    node = _stopped_node(tmp_path, world, clock)
    node.max_block_txs = 4
    try:
        pendings = node.submit_many([world.generate(slot(n), 1_000).encode() for n in range(10)])
        node.start()
        heights = [o["height"] for o in _outcomes(pendings)]
    finally:
        node.close()
    first = heights[0]
    assert heights == [first] * 4 + [first + 1] * 4 + [first + 2] * 2


def test_single_submissions_alone_share_blocks(tmp_path: Path) -> None:
    world, clock = LedgerWorld(), ManualClock(slot(40))
    node = _stopped_node(tmp_path, world, clock)
    try:
        pendings = [node.submit(world.generate(slot(n), 1_000).encode()) for n in range(6)]
        node.start()
        heights = [o["height"] for o in _outcomes(pendings)]
    finally:
        node.close()
    assert heights == [heights[0]] * 6  # every one waited on, none cut short: one block


def test_a_waited_transaction_keeps_its_place_after_what_it_depends_on(tmp_path: Path) -> None:
    """An allocation queued in bulk, then the waited issuance of it: same order, both committed."""
    world, clock = LedgerWorld(), ManualClock(slot(40))
    node = _stopped_node(tmp_path, world, clock)
    try:
        node.start()
        asset = world.new_asset(node, 0, 1_000)
        node.stop()
        bulk = node.submit_many([world.allocate([(asset, 1_000)]).encode()])
        issued = node.submit(world.issue([asset]).encode())
        tail = node.submit_many([world.generate(slot(n), 1_000).encode() for n in range(1, 4)])
        node.start()
        allocation, issuance, *rest = _outcomes([*bulk, issued, *tail])
    finally:
        node.close()
    assert allocation["height"] == issuance["height"]
    assert allocation["index"] < issuance["index"]
    assert all(o["height"] == issuance["height"] + 1 for o in rest)


def test_a_block_leaves_its_trim_and_checkpoint_until_the_node_has_been_idle_a_while(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``tidy_after_s``: the client that waited for a block goes on with its own work first, and a block that
    follows within that time puts the chores off again; then they run."""
    world, clock = LedgerWorld(), ManualClock(slot(40))
    node = _stopped_node(tmp_path, world, clock)
    node.tidy_after_s = 0.3
    blocks: list[float] = []
    tidied: list[float] = []
    tidy = node._tidy

    def timed_tidy() -> bool:
        tidied.append(time.monotonic())
        return tidy()

    node.add_listener(lambda _event: blocks.append(time.monotonic()))
    monkeypatch.setattr(node, "_tidy", timed_tidy)
    try:
        node.start()
        for n in range(3):
            _outcomes([node.submit(world.generate(slot(n), 1_000).encode())])
        assert wait_for(lambda: tidied)  # then they ran
    finally:
        node.close()
    assert len(blocks) == 3
    for at in tidied:
        last_block = max(b for b in blocks if b <= at)
        assert at - last_block >= node.tidy_after_s - 0.01, (at - last_block, blocks, tidied)


@pytest.mark.skipif(not smt_tree.NATIVE, reason="ledger_lite._smt_native is not built")
def test_a_block_has_its_state_rows_planned_while_the_tree_takes_it_beside(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The producer's blocks are walked into the state tree in the walker thread (without the GIL) while the
    producer plans their state rows; each block's rows are planned once, and what is stored is what a node
    recomputes from its rows."""
    world = LedgerWorld()
    node = world.open_node(tmp_path / "node", ManualClock(slot(40)))
    walked_in: list[str] = []
    planned: list[int] = []
    apply, plan_rows = _smt_native.apply, node.store.plan_rows

    def spy_apply(*args: Any) -> int:
        walked_in.append(threading.current_thread().name)
        return apply(*args)

    def spy_plan(*args: Any, **kwargs: Any) -> Any:
        planned.append(len(walked_in))
        return plan_rows(*args, **kwargs)

    monkeypatch.setattr(_smt_native, "apply", spy_apply)
    monkeypatch.setattr(node.store, "plan_rows", spy_plan)
    try:
        height = node.status()["height"]
        _outcomes(node.submit_many([world.generate(slot(n), 1_000).encode() for n in range(20)]))
        blocks = node.status()["height"] - height
        assert blocks >= 1 and len(planned) == blocks
        assert walked_in == ["state-tree-walk_0"] * blocks
        root = node.status()["state_root"]
    finally:
        node.close()
    reopened = world.open_node(tmp_path / "node", ManualClock(slot(40)))
    try:
        assert reopened.status()["state_root"] == root
        assert reopened.audit() > 0  # every stored row against the signed head's root (raises on a mismatch)
    finally:
        reopened.close()


def test_a_block_whose_rows_cannot_be_planned_is_refused_and_the_node_goes_on(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The store fails while a block's rows are planned (a disk error in the write of the block before's logged
    rows): the block is refused as one the store could not take, nothing changes, and the next block commits."""
    world = LedgerWorld()
    node = world.open_node(tmp_path / "node", ManualClock(slot(40)))
    plan_rows = node.store.plan_rows
    failures = [sqlite3.OperationalError("disk I/O error")]

    def failing(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return plan_rows(*args, **kwargs)

    monkeypatch.setattr(node.store, "plan_rows", failing)
    try:
        before = node.status()
        outcome = world.submit_wait(node, world.generate(slot(1), 1_000))
        assert (outcome["code"], outcome["status"]) == ("store_unavailable", 503)
        assert outcome["message"] == "the block could not be stored, nothing was committed: disk I/O error"
        after = node.status()
        assert (after["height"], after["state_root"]) == (before["height"], before["state_root"])
        assert world.submit_wait(node, world.generate(slot(1), 1_000))["code"] == "ok"
    finally:
        node.close()


def test_a_state_tree_larger_than_its_cache_is_said_once_a_run_with_the_memory_that_would_hold_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A tree that outgrows its cache while the node runs is told at the next idle moment, once; a node opened on a
    stored tree larger than its cache tells it as it starts. The budget it names holds the tree whole."""
    world, clock = LedgerWorld(), ManualClock(slot(40))
    caplog.set_level(logging.WARNING, logger="ledger.producer")

    def told() -> list[str]:
        return [r.getMessage() for r in caplog.records if "is larger than its cache" in r.getMessage()]

    def open_small() -> Node:
        store = Store(tmp_path / "ledger.sqlite", tree_cache=16)
        node = Node(store, world.genesis(), world.validator, clock=clock, linger_s=0)
        node.tidy_after_s = 0.01
        return node

    node = open_small()
    try:
        node.start()
        assert not told()  # the registry's few keys fit
        for n in range(12):
            _outcomes([node.submit(world.generate(slot(n), 1_000).encode())])
        assert wait_for(lambda: told())
        leaves = len(node.store.tree)
        for n in range(12, 16):  # still larger: not told again
            _outcomes([node.submit(world.generate(slot(n), 1_000).encode())])
        time.sleep(0.1)
    finally:
        node.close()
    wanted = CacheSizes.holding(leaves)
    assert wanted.tree >= leaves * 2.44 > 16
    assert len(told()) == 1
    assert "cache of 16 nodes" in told()[0] and f"caches of {wanted.megabytes} MB" in told()[0]
    assert f"--cache-mb {wanted.megabytes}," in told()[0]

    caplog.clear()
    node = open_small()
    try:
        node.start()
        assert len(told()) == 1  # said as it starts, before any block
        assert f"({len(node.store.tree):,} live keys," in told()[0]
    finally:
        node.close()
