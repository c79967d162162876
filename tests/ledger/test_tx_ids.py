"""Transactions found by the first 8 bytes of their ids (ledger/storage.py, format 7): a store of format 6, with
the 32-byte ids in ``txs``, is rewritten on open and serves the same answers; the ids of recent blocks wait in
``tx_recent`` (format 9) before they are merged into ``tx_ids``, found all along."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ledger.compact import unpack_tx
from ledger.errors import NotFound, Rejected
from ledger.node import Node
from ledger.node_base import Pending
from ledger.storage import FORMAT, id_prefix
from ledger_lite import Transaction, sha256
from tests.helpers.ledger_world import LedgerWorld, ManualClock, slot
from tests.helpers.waiting import wait_for


def test_a_store_of_format_6_is_keyed_by_id_prefix_with_the_same_answers(ledger_world: LedgerWorld,
                                                                         tmp_path: Path) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    asset = w.allocated_asset(node, 2)
    cert = w.commit(node, w.issue([asset]))["result"]["certificate_id"]
    before = {tx_id: node.tx(tx_id) for tx_id in (asset, cert)}
    node.close()
    db_path = tmp_path / "node" / "ledger.sqlite"
    db = sqlite3.connect(db_path, isolation_level=None)
    try:  # the layout of format 6: the ids in txs, unique, and no tx_ids
        rows = db.execute("SELECT seq, stored FROM txs").fetchall()
        db.execute("BEGIN")
        db.execute("ALTER TABLE txs ADD COLUMN tx_id BLOB")
        db.executemany("UPDATE txs SET tx_id = ? WHERE seq = ?",
                       [(sha256(unpack_tx(bytes(stored), w.chain_id)), seq) for seq, stored in rows])
        db.execute("CREATE UNIQUE INDEX txs_by_id ON txs(tx_id)")
        db.execute("DROP TABLE tx_ids")
        db.execute("UPDATE meta SET value = '6' WHERE key = 'format'")
        db.execute("COMMIT")
    finally:
        db.close()
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        assert node.store.get_meta("format") == FORMAT == "14"
        assert {tx_id: node.tx(tx_id) for tx_id in before} == before
        w.new_asset(node, 5)  # and it goes on
    finally:
        node.close()
    db = sqlite3.connect(db_path)
    try:
        assert "tx_id" not in [row[1] for row in db.execute("PRAGMA table_info(txs)")]
        prefixes = {prefix for (prefix,) in db.execute("SELECT prefix FROM tx_ids")}
        assert {id_prefix(bytes.fromhex(tx_id)) for tx_id in before} <= prefixes
        assert db.execute("SELECT count(*) FROM tx_ids").fetchone() == db.execute("SELECT count(*) FROM txs").fetchone()
    finally:
        db.close()


def _counts(db_path: Path) -> tuple[int, int, int]:
    """Rows of ``tx_recent``, ``tx_ids`` and ``txs``, as committed (read beside the node)."""
    db = sqlite3.connect(db_path)
    try:
        recent, merged, stored = (int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                                  for table in ("tx_recent", "tx_ids", "txs"))
        return recent, merged, stored
    finally:
        db.close()


def _bulk(node: Node, tx: Transaction) -> None:
    """``tx`` in a block of its own that nobody waits for (``submit_many``)."""
    (pending,) = node.submit_many([tx.encode()])
    assert isinstance(pending, Pending) and pending.wait(10) is not None


def test_recent_ids_are_found_before_and_after_they_are_merged(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """A block's ids wait in ``tx_recent`` until ``merge_ids`` of them are held, then move into ``tx_ids`` with
    the (bulk) block that reaches that many: every id is in one of the two, and found, all along."""
    w = ledger_world
    node = w.open_node(tmp_path / "node", merge_ids=4)
    db_path = tmp_path / "node" / "ledger.sqlite"
    sent: list[Transaction] = []
    merges = 0
    try:
        for n in range(1, 11):  # one reading a block
            sent.append(w.generate(slot(n), 10_000))
            _bulk(node, sent[-1])
            recent, merged, stored = _counts(db_path)
            assert recent < 4 and recent + merged == stored
            merges += recent == 0
            ids = [tx.tx_id for tx in sent]
            assert node.store.committed([*ids, "ab" * 32]) == set(ids)
            assert all(node.tx(tx_id)["tx_id"] == tx_id for tx_id in ids)
            for tx in sent:  # each reading sent again is refused, merged or not
                with pytest.raises(Rejected, match="already submitted"):
                    node.submit(tx.encode())
    finally:
        node.close()
    assert merges >= 2
    recent, merged, stored = _counts(db_path)
    assert (recent, merged) == (0, stored)  # closing merges the rest


def test_a_block_someone_waits_for_leaves_the_merge_to_the_idle_node(ledger_world: LedgerWorld,
                                                                      tmp_path: Path) -> None:
    """A merge rewrites most of ``tx_ids`` (0.86 s at 10 M ids): a block someone waits for leaves a due one until
    twice ``merge_ids`` wait (``Store.write_block``'s ``waited``), and the producer makes it once idle."""
    w = ledger_world
    node = w.open_node(tmp_path / "node", merge_ids=4)
    node.idle_write_s = None  # no merge while idle yet
    db_path = tmp_path / "node" / "ledger.sqlite"
    try:
        ids = [w.new_asset(node, n) for n in range(1, 8)]  # waited on, one a block
        recent, merged, stored = _counts(db_path)
        assert (recent, merged) == (stored, 0) and stored >= 7 and node.store.ids_merge_due()
        ids.append(w.new_asset(node, 8))  # the eighth: a waited block merges from twice ``merge_ids``
        recent, merged, stored = _counts(db_path)
        assert (recent, merged) == (0, stored) and not node.store.ids_merge_due()
        node.idle_write_s = 0.05
        ids += [w.new_asset(node, n) for n in range(9, 13)]
        assert wait_for(lambda: _counts(db_path)[0] == 0)  # merged by the idle producer, no block coming
        recent, merged, stored = _counts(db_path)
        assert merged == stored and not node.store._recent
        assert node.store.committed(ids) == set(ids)
    finally:
        node.close()


def test_recent_ids_survive_a_crash(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """The files as a crash leaves them (the node killed, nothing merged on close): the ids committed since the
    last merge are in ``tx_recent``, loaded by the next start, and a reading sent again is still refused."""
    w = ledger_world
    node = w.open_node(tmp_path / "node", merge_ids=1_000)
    try:
        sent = [w.generate(slot(n), 10_000) for n in range(1, 4)]
        ids = [w.commit(node, tx)["result"]["asset_id"] for tx in sent]
        crashed = tmp_path / "crashed"
        crashed.mkdir()
        for name in ("ledger.sqlite", "ledger.sqlite-wal"):  # committed, and nothing written while copied
            shutil.copy(tmp_path / "node" / name, crashed / name)
    finally:
        node.close()
    assert _counts(crashed / "ledger.sqlite")[0] >= 3
    node = w.open_node(crashed, merge_ids=1_000)
    try:
        assert node.store.committed(ids) == set(ids)
        with pytest.raises(Rejected, match="already submitted"):
            node.submit(sent[1].encode())
        assert node.tx(ids[1])["tx_id"] == ids[1]
    finally:
        node.close()


def test_ids_sharing_a_prefix_are_told_apart_while_recent(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """Two recent transactions filed under one prefix (as if their ids began with the same 8 bytes), one of them
    also merged: each is found by its whole id, and an id that only shares the prefix finds nothing."""
    w = ledger_world
    node = w.open_node(tmp_path / "node", merge_ids=1_000)
    try:
        first, second = w.new_asset(node, 1), w.new_asset(node, 2)
        store = node.store
        shared = id_prefix(bytes.fromhex(first))
        (seq,) = store._recent.numbers(id_prefix(bytes.fromhex(second)))
        store._recent.add(shared, seq)  # filed under ``first``'s prefix too
        assert store._recent.numbers(shared)[1:] == [seq]
        assert store.committed([first, second]) == {first, second}
        assert node.tx(first)["tx_id"] == first and node.tx(second)["tx_id"] == second
        with pytest.raises(NotFound, match="no committed transaction"):
            node.tx((bytes.fromhex(first)[:8] + bytes(24)).hex())
    finally:
        node.close()
