"""SQLite storage of one node: blocks, transactions and state, one SQLite transaction per block (WAL, fsync)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ledger.errors import StoreError
from ledger_lite import BlockHeader, Commit, canonical, decode

SCHEMA = """
CREATE TABLE IF NOT EXISTS blocks (
    height INTEGER PRIMARY KEY, hash BLOB NOT NULL, header BLOB NOT NULL, commit_json TEXT NOT NULL,
    tx_count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS txs (
    tx_id BLOB PRIMARY KEY, height INTEGER NOT NULL, idx INTEGER NOT NULL, raw BLOB NOT NULL,
    result BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS txs_by_block ON txs(height, idx);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _id_bytes(tx_id: str) -> bytes:
    try:
        return bytes.fromhex(tx_id)
    except ValueError:
        return b""  # not a transaction id: matches nothing


# Transaction types whose result follows from the transaction itself (a reading's asset id is its tx id):
# not stored, rebuilt by ``implied_result`` when read.
IMPLIED_RESULTS = frozenset({"asset.generate"})


def implied_result(kind: str, tx_id: str) -> dict[str, Any]:
    return {"asset_id": tx_id} if kind == "asset.generate" else {}


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- meta -------------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def meta_items(self, prefix: str) -> list[tuple[str, str]]:
        with self._lock:
            rows = self._db.execute("SELECT key, value FROM meta WHERE substr(key, 1, ?) = ?",
                                    (len(prefix), prefix)).fetchall()
        return [(str(k), str(v)) for k, v in rows]

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # --- writes -----------------------------------------------------------------------------------------
    def write_block(self, header: BlockHeader, commit: Commit, txs: Iterable[tuple[str, str, bytes, Any]],
                    writes: dict[str, bytes]) -> None:
        """Store a block, its transactions and its state writes atomically."""
        # Ids are stored as 32 raw bytes and the type is read from the raw envelope: every byte counts when a
        # node holds a million readings.
        rows = [(bytes.fromhex(tx_id), header.height, i, raw, b"" if kind in IMPLIED_RESULTS else canonical(result))
                for i, (tx_id, kind, raw, result) in enumerate(txs)]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT INTO blocks VALUES (?, ?, ?, ?, ?)",
                                 (header.height, header.hash(), canonical(header.to_cbor()),
                                  json.dumps(commit.to_json()), len(rows)))
                self._db.executemany("INSERT INTO txs VALUES (?, ?, ?, ?, ?)", rows)
                self._db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)", writes.items())
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # --- reads ------------------------------------------------------------------------------------------
    def last_height(self) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT MAX(height) FROM blocks").fetchone()
        return None if row[0] is None else int(row[0])

    def block(self, height: int) -> tuple[BlockHeader, Commit, int] | None:
        with self._lock:
            row = self._db.execute("SELECT header, commit_json, tx_count FROM blocks WHERE height = ?",
                                   (height,)).fetchone()
        if row is None:
            return None
        return BlockHeader.from_cbor(decode(row[0])), Commit.from_json(json.loads(row[1])), int(row[2])

    def tx(self, tx_id: str) -> tuple[int, int, bytes, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT height, idx, raw, result FROM txs WHERE tx_id = ?",
                                   (_id_bytes(tx_id),)).fetchone()
        if row is None:
            return None
        return int(row[0]), int(row[1]), bytes(row[2]), decode(row[3]) if row[3] else {}

    def has_tx(self, tx_id: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM txs WHERE tx_id = ?", (_id_bytes(tx_id),)).fetchone() is not None

    def block_txs(self, height: int) -> list[bytes]:
        with self._lock:
            rows = self._db.execute("SELECT raw FROM txs WHERE height = ? ORDER BY idx", (height,)).fetchall()
        return [bytes(r[0]) for r in rows]

    def state_rows(self) -> list[tuple[str, bytes]]:
        with self._lock:
            rows = self._db.execute("SELECT key, value FROM state").fetchall()
        return [(str(k), bytes(v)) for k, v in rows]

    def check_writable(self) -> None:
        try:
            with self._lock:
                self._db.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"ledger store {self.path} is not usable: {exc}") from exc
