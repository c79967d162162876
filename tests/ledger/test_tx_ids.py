"""Transactions found by the first 8 bytes of their ids (ledger/storage.py, format 7): a store of format 6, with
the 32-byte ids in ``txs``, is rewritten on open and serves the same answers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ledger.compact import unpack_tx
from ledger.storage import FORMAT, id_prefix
from ledger_lite import sha256
from tests.helpers.ledger_world import LedgerWorld, ManualClock


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
        assert node.store.get_meta("format") == FORMAT == "8"
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
