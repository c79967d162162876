"""A block a client waited on that was slow is logged with the time of each of its parts (``ledger.block_timing``):
only such blocks, only from the node's threshold on, the store's commit and whether the log was being copied back
meanwhile among them."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from ledger.block_timing import BlockTiming
from ledger.node import Node
from ledger.storage import Store
from tests.helpers.ledger_world import LedgerWorld, ManualClock, slot

PARTS = (r"queued [\d.]+, rules [\d.]+, tree [\d.]+, signing [\d.]+, storing [\d.]+ \(its commit [\d.]+(?P<copy>.*)\), "
         r"applying [\d.]+, telling [\d.]+ ms$")


def _slow_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ledger.producer" and r.levelno == logging.WARNING
            and r.getMessage().startswith("slow block ")]


@pytest.fixture
def world() -> LedgerWorld:
    return LedgerWorld()


@pytest.fixture
def node(tmp_path: Path, world: LedgerWorld) -> Node:
    return world.open_node(tmp_path / "node", ManualClock(slot(40)), linger_s=0)


def test_the_parts_are_told_in_the_order_they_ran_with_the_commit_inside_the_store() -> None:
    timing = BlockTiming(began=10.0)
    timing.parts = {"queue": 0.001, "rules": 0.0004, "tree": 0.002, "sign": 0.0001, "store": 0.03, "apply": 0.0002,
                    "tell": 0.0001}
    timing.last = 10.0 + sum(timing.parts.values())
    timing.sync_s, timing.copying = 0.0285, True
    assert timing.describe(7, 2, 1) == (
        "block 7 (2 transactions, 1 waited on) took 33.8 ms: queued 1.0, rules 0.4, tree 2.0, signing 0.1, "
        "storing 30.0 (its commit 28.5, the log being copied back meanwhile), applying 0.2, telling 0.1 ms")


def test_marks_add_up_to_the_total() -> None:
    timing = BlockTiming()
    for part in ("queue", "rules", "rules", "store"):
        timing.mark(part)
    assert set(timing.parts) == {"queue", "rules", "store"}
    assert sum(timing.parts.values()) == pytest.approx(timing.total_s)
    assert timing.describe(1, 1, 1).startswith("block 1 (1 transaction, 1 waited on) took ")


def test_a_waited_block_over_the_threshold_is_logged_with_every_part(world: LedgerWorld, node: Node,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    node.slow_block_s = 0.0  # every waited block is slow enough
    try:
        with caplog.at_level(logging.WARNING, logger="ledger.producer"):
            outcome = world.commit(node, world.generate(slot(1), 1_000))
    finally:
        node.close()
    lines = _slow_lines(caplog)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"slow block {outcome['height']} (1 transaction, 1 waited on) took "), lines[0]
    assert re.search(PARTS, lines[0]), lines[0]


def test_bulk_blocks_and_fast_blocks_are_not_logged(world: LedgerWorld, node: Node,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    try:
        with caplog.at_level(logging.WARNING, logger="ledger.producer"):
            node.slow_block_s = 0.0
            bulk = node.submit_many([world.generate(slot(n), 1_000).encode() for n in range(1, 4)])
            assert all(p.wait(10)["code"] == "ok" for p in bulk)  # type: ignore[union-attr]
            node.slow_block_s = 60.0  # no block here takes a minute
            world.commit(node, world.generate(slot(5), 1_000))
            node.slow_block_s = None  # never
            world.commit(node, world.generate(slot(6), 1_000))
    finally:
        node.close()
    assert _slow_lines(caplog) == []


def test_a_commit_beside_the_checkpointers_copy_says_so(world: LedgerWorld, node: Node,
                                                        caplog: pytest.LogCaptureFixture,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    node.slow_block_s = 0.0
    try:
        with caplog.at_level(logging.WARNING, logger="ledger.producer"):
            world.commit(node, world.generate(slot(1), 1_000))
            monkeypatch.setattr(Store, "checkpointing", property(lambda self: True))
            world.commit(node, world.generate(slot(2), 1_000))
    finally:
        node.close()
    copies = [re.search(PARTS, line).group("copy") for line in _slow_lines(caplog)]  # type: ignore[union-attr]
    assert copies == ["", ", the log being copied back meanwhile"]
