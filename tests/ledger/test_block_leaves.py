"""A block's Merkle leaves are read and checked once, then kept (``ledger.block_leaves``, issue 17): proving a
transaction's inclusion does not read its whole block again, an edited transaction is still refused, and the
kept blocks are bounded."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ledger.block_leaves import BlockLeaves
from ledger.errors import StoreError
from ledger.node import Node
from ledger.storage import id_prefix
from ledger_lite import leaf_hash, root_from_leaf_hashes
from tests.helpers.ledger_world import LedgerWorld, ManualClock, slot


class Reads:
    """Counts the store's whole-block reads."""

    def __init__(self, node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
        self.heights: list[int] = []
        real = node.store.block_txs

        def counted(height: int) -> list[bytes]:
            self.heights.append(height)
            return real(height)

        monkeypatch.setattr(node.store, "block_txs", counted)


def block_of_readings(world: LedgerWorld, node: Node, count: int) -> list[str]:
    """``count`` readings committed in one block; their ids, in block order."""
    txs = [world.generate(slot(n), 1_000) for n in range(count)]
    for pending in node.submit_many([tx.encode() for tx in txs]):
        assert not isinstance(pending, Exception) and pending.wait(10) is not None
    return [tx.tx_id for tx in txs]


def test_a_block_is_read_once_for_many_proofs(ledger_world: LedgerWorld, ledger_node: Node,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    ids = block_of_readings(ledger_world, ledger_node, 12)
    reads = Reads(ledger_node, monkeypatch)
    answers = [ledger_node.tx(tx_id) for tx_id in ids + ids]
    heights = {a["height"] for a in answers}
    assert len(reads.heights) == len(heights) and set(reads.heights) == heights
    sizes = {a["height"]: a["proof"]["tree_size"] for a in answers}
    assert sum(sizes.values()) == 12  # every reading, whatever the blocks they were cut into


def test_the_proofs_from_kept_leaves_are_the_proofs_from_the_store(ledger_world: LedgerWorld,
                                                                   ledger_node: Node) -> None:
    ids = block_of_readings(ledger_world, ledger_node, 7)
    first = [ledger_node.tx(tx_id) for tx_id in ids]
    again = [ledger_node.tx(tx_id) for tx_id in ids]
    assert first == again
    for answer in first:
        raws = ledger_node.store.block_txs(answer["height"])
        header = ledger_node.block(answer["height"])["header"]
        assert root_from_leaf_hashes([leaf_hash(r) for r in raws]).hex() == header["tx_root"]


def test_an_edited_transaction_is_refused_though_its_block_is_kept(ledger_world: LedgerWorld,
                                                                     tmp_path: Path) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    ids = block_of_readings(w, node, 3)
    target = ids[-1]
    node.tx(target)  # its block's leaves are kept now
    db = sqlite3.connect(tmp_path / "node" / "ledger.sqlite")
    try:
        seq, stored = db.execute("SELECT t.seq, t.stored FROM (SELECT prefix, seq FROM tx_ids UNION ALL SELECT prefix, "
                                 "seq FROM tx_recent) i JOIN txs t ON t.seq = i.seq WHERE i.prefix = ?",
                                 (id_prefix(bytes.fromhex(target)),)).fetchone()  # merged or recent
        db.execute("UPDATE txs SET stored = ? WHERE seq = ?", (stored[:-1] + bytes((stored[-1] ^ 1,)), seq))
        db.commit()
    finally:
        db.close()
    try:
        with pytest.raises(StoreError, match="do not hash to the transaction root its signed header commits to"):
            node.tx(target)
    finally:
        node.close()


def test_leaves_that_do_not_check_are_not_kept() -> None:
    kept = BlockLeaves()

    def broken() -> tuple[bytes, ...]:
        raise StoreError("the stored transactions of block 3 do not hash to the transaction root")

    with pytest.raises(StoreError):
        kept.get(3, broken)
    assert len(kept) == 0
    assert kept.get(3, lambda: (b"a",)) == (b"a",)


def test_only_the_most_recently_asked_blocks_are_kept() -> None:
    kept = BlockLeaves(kept=3)
    loads: list[int] = []

    def loader(height: int) -> Any:
        def load() -> tuple[bytes, ...]:
            loads.append(height)
            return (bytes([height]),)
        return load

    for height in (1, 2, 3, 1, 4):  # 1 was asked again: 2 is the oldest when 4 comes
        kept.get(height, loader(height))
    assert len(kept) == 3 and loads == [1, 2, 3, 4]
    kept.get(1, loader(1))
    kept.get(2, loader(2))
    assert loads == [1, 2, 3, 4, 2]
