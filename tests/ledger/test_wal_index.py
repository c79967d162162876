"""ledger.wal_index: how far a SQLite write-ahead log has grown since it last started, from its index's header."""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

from ledger.wal_index import HEADER_BYTES, VERSION, WalIndex


def _wal_database(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)")
    return db


def test_frames_follow_the_log_and_start_again_with_it(tmp_path: Path) -> None:
    db = _wal_database(tmp_path / "w.sqlite")
    index = WalIndex(tmp_path / "w.sqlite-shm")
    try:
        db.executemany("INSERT INTO t VALUES (?, ?)", [(k, bytes(1000)) for k in range(400)])
        busy, in_log, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and in_log == copied > 100
        assert index.frames() == in_log  # what SQLite itself says the log holds
        db.execute("INSERT INTO t VALUES (1000, x'00')")  # every frame was copied: the log starts again
        again = index.frames()
        assert again is not None and 0 < again < 10
        assert (tmp_path / "w.sqlite-wal").stat().st_size > 100 * 1000  # in the same file (not cut here)
    finally:
        index.close()
        db.close()


def test_uncopied_frames_are_those_no_checkpoint_copied_yet(tmp_path: Path) -> None:
    db = _wal_database(tmp_path / "w.sqlite")
    reader = sqlite3.connect(tmp_path / "w.sqlite", isolation_level=None)
    index = WalIndex(tmp_path / "w.sqlite-shm")
    try:
        db.executemany("INSERT INTO t VALUES (?, ?)", [(k, bytes(1000)) for k in range(200)])
        assert index.uncopied() == index.frames() > 50  # nothing copied yet
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM t").fetchone()  # a reader holds the log as it is now...
        db.executemany("INSERT INTO t VALUES (?, ?)", [(k, bytes(1000)) for k in range(200, 300)])
        busy, in_log, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and 0 < copied < in_log  # ... so a checkpoint copies only the frames before its read
        assert index.frames() == in_log and index.uncopied() == in_log - copied
        reader.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        assert index.uncopied() == 0
    finally:
        index.close()
        reader.close()
        db.close()


def test_a_header_not_as_expected_gives_none(tmp_path: Path) -> None:
    shm = tmp_path / "x.sqlite-shm"
    index = WalIndex(shm)
    try:
        assert index.frames() is None  # no file yet
        header = struct.pack("=I12xI", VERSION, 7).ljust(HEADER_BYTES, b"\0")
        shm.write_bytes(header + header)
        assert index.frames() == 7
        shm.write_bytes(header + header[:16] + struct.pack("=I", 8) + header[20:])  # the copies differ: torn
        assert index.frames() is None
        other = struct.pack("=I12xI", VERSION + 1, 7).ljust(HEADER_BYTES, b"\0")
        shm.write_bytes(other + other)  # another layout
        assert index.frames() is None
        shm.write_bytes(header[:20])  # too short
        assert index.frames() is None
    finally:
        index.close()
