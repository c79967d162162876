"""The storage management server 350's own records on disk (SQLite, the standard library's ``sqlite3``): what it
received (Fig. 7A), what it delivered, the battery's state of charge and power bookkeeping, its last report, the
transactions it signed that the ledger has not answered yet, and its nonce — so a restart carries on where the
server stopped.

The file is created owner-only (0600; SQLite gives its ``-wal`` and ``-shm`` files the same mode), written in WAL
mode, and every change is one SQLite transaction committed before the server answers: what it acknowledged
survives a SIGKILL. A record is written with ``synchronous=FULL`` (synced to the disk: it survives a power cut too)
before its transaction is sent; what follows the ledger's answer (its status, the outbox emptied) is written with
``synchronous=NORMAL`` (synced with the next full write): lost to a power cut, it is only sent again. The server
signs a record and saves it (with the signed transaction in the outbox) *before* sending it to the ledger, so a
record whose answer was lost is sent again after a restart (the ledger calls it a duplicate when it already has
it).

Tables::

    meta       key → JSON: identity (battery id, storage address, battery spec), battery snapshot, next nonce,
               next reception number, self-discharge reported, last report
    reception  number → JSON of a ``Reception``
    delivery   reservation → JSON of a ``Delivery`` (``seq``: the order they were made in)
    outbox     tx_id → kind ("reception" | "delivery"), ref (number or reservation), the signed transaction
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from field.trading.errors import RecordsError

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reception(number INTEGER PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS delivery(reservation TEXT PRIMARY KEY, seq INTEGER NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS delivery_seq ON delivery(seq);
CREATE TABLE IF NOT EXISTS outbox(tx_id TEXT PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL, tx BLOB NOT NULL);
"""
FORMAT = 1
KINDS = ("reception", "delivery")


@dataclass
class Loaded:
    """What a restart starts from."""

    meta: dict[str, Any]
    receptions: list[dict[str, Any]] = field(default_factory=list)   # the newest ``keep``, oldest first
    deliveries: list[dict[str, Any]] = field(default_factory=list)   # the newest ``keep``, oldest first
    outbox: list[tuple[str, dict[str, Any], bytes]] = field(default_factory=list)  # (kind, record, tx bytes)


@dataclass(frozen=True)
class Unsent:
    """A signed transaction the ledger has not answered: kept in the outbox with the record it is for."""

    tx_id: str
    kind: str
    ref: str
    tx: bytes


class StorageRecords:
    """One server's record file. Thread-safe (one connection behind a lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            if not path.exists():  # owner-only from its first byte
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('format', ?)", (json.dumps(FORMAT),))
            found = self._meta_value("format")
        except (OSError, sqlite3.Error) as exc:
            raise RecordsError(f"expected a storage record file (SQLite) at {path} this user can write, found: "
                               f"{exc}") from exc
        if found != FORMAT:
            self._db.close()
            raise RecordsError(f"expected storage records of format {FORMAT} in {path}, found format {found!r:.20}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _meta_value(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    # --- reading ---------------------------------------------------------------------------------------------
    def load(self, keep: int) -> Loaded:
        with self._lock:
            try:
                meta = {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM meta")}
                receptions = [json.loads(r) for (r,) in self._db.execute(
                    "SELECT record FROM reception ORDER BY number DESC LIMIT ?", (keep,))][::-1]
                deliveries = [json.loads(r) for (r,) in self._db.execute(
                    "SELECT record FROM delivery ORDER BY seq DESC LIMIT ?", (keep,))][::-1]
                outbox = []
                for kind, ref, tx in self._db.execute("SELECT kind, ref, tx FROM outbox ORDER BY rowid").fetchall():
                    outbox.append((kind, self._record(kind, ref), bytes(tx)))
            except (sqlite3.Error, ValueError) as exc:
                raise RecordsError(f"cannot read the storage records in {self.path}: {exc}") from exc
        return Loaded(meta, receptions, deliveries, outbox)

    def _record(self, kind: str, ref: str) -> dict[str, Any]:
        if kind == "reception":
            row = self._db.execute("SELECT record FROM reception WHERE number = ?", (int(ref),)).fetchone()
        else:
            row = self._db.execute("SELECT record FROM delivery WHERE reservation = ?", (ref,)).fetchone()
        if row is None:
            raise RecordsError(f"the outbox of {self.path} names {kind} {ref}, which is not recorded")
        value: dict[str, Any] = json.loads(row[0])
        return value

    def is_new(self) -> bool:
        """Whether no server has written its identity here yet (a new file)."""
        with self._lock:
            try:
                return self._meta_value("identity") is None
            except (sqlite3.Error, ValueError) as exc:
                raise RecordsError(f"cannot read the storage records in {self.path}: {exc}") from exc

    def delivery(self, reservation: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT record FROM delivery WHERE reservation = ?", (reservation,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def counts(self) -> tuple[int, int, int]:
        """(receptions, deliveries, unsent transactions) on disk."""
        with self._lock:
            row = self._db.execute("SELECT (SELECT count(*) FROM reception), (SELECT count(*) FROM delivery), "
                                   "(SELECT count(*) FROM outbox)").fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    # --- writing: one SQLite transaction each ------------------------------------------------------------
    def save(self, meta: dict[str, Any], *, reception: dict[str, Any] | None = None,
             delivery: dict[str, Any] | None = None, unsent: Unsent | None = None, sent: str | None = None,
             durable: bool = True) -> None:
        """Write ``meta`` and a record, add a transaction to the outbox (``unsent``) or take one out (``sent``),
        all or nothing; committed when this returns, and synced to the disk if ``durable``."""
        with self._lock:
            try:
                self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                                         [(k, json.dumps(v)) for k, v in meta.items()])
                    if reception is not None:
                        self._db.execute("INSERT OR REPLACE INTO reception(number, record) VALUES (?, ?)",
                                         (reception["number"], json.dumps(reception)))
                    if delivery is not None:
                        self._db.execute(
                            "INSERT INTO delivery(reservation, seq, record) VALUES (?, "
                            "(SELECT coalesce(max(seq), 0) + 1 FROM delivery), ?) ON CONFLICT(reservation) "
                            "DO UPDATE SET record = excluded.record", (delivery["reservation"], json.dumps(delivery)))
                    if unsent is not None:
                        self._db.execute("INSERT OR REPLACE INTO outbox(tx_id, kind, ref, tx) VALUES (?, ?, ?, ?)",
                                         (unsent.tx_id, unsent.kind, unsent.ref, unsent.tx))
                    if sent is not None:
                        self._db.execute("DELETE FROM outbox WHERE tx_id = ?", (sent,))
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise RecordsError(f"cannot write the storage records in {self.path}: {exc}") from exc


__all__ = ["KINDS", "Loaded", "StorageRecords", "Unsent"]
