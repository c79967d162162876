"""ledger.wal_checkpointer: a SQLite database's write-ahead log copied back into it on a thread and connection of
their own, when asked, while the writer goes on."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger import wal_checkpointer
from ledger.wal_checkpointer import WalCheckpointer
from tests.helpers.sqlite_alone import query_file_alone
from tests.helpers.waiting import wait_for


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A WAL database whose connection never checkpoints by itself."""
    db = sqlite3.connect(tmp_path / "w.sqlite", isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("PRAGMA journal_size_limit=0")
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)")
    yield db
    db.close()


def write(db: sqlite3.Connection, first: int, count: int) -> None:
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(k, os.urandom(300)) for k in range(first, first + count)])
    db.execute("COMMIT")


def rows_in_file_alone(path: Path, tmp_path: Path) -> int | None:
    """The rows of ``t`` in a copy of the database file without its log: what checkpoints copied into it."""
    row = query_file_alone(path, tmp_path, "SELECT count(*) FROM t")
    return None if row is None else int(row[0])  # None: not even the table yet


def test_a_nudge_copies_the_log_into_the_database_and_the_log_starts_again(writer: sqlite3.Connection,
                                                                            tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    checkpointer = WalCheckpointer(path)
    try:
        write(writer, 0, 500)
        assert rows_in_file_alone(path, tmp_path) in (None, 0)  # all of it in the log so far
        log_size = (tmp_path / "w.sqlite-wal").stat().st_size
        checkpointer.nudge()
        assert wait_for(lambda: checkpointer.runs == 1)
        assert rows_in_file_alone(path, tmp_path) == 500
        write(writer, 500, 10)  # the log restarts from its beginning, its file cut to what this commit wrote
        assert (tmp_path / "w.sqlite-wal").stat().st_size < log_size / 10
        assert int(writer.execute("SELECT count(*) FROM t").fetchone()[0]) == 510
    finally:
        checkpointer.close()
    checkpointer.nudge()  # closed: no thread starts again
    assert checkpointer._thread is None and checkpointer.runs == 1


def test_without_a_nudge_no_thread_starts(tmp_path: Path) -> None:
    checkpointer = WalCheckpointer(tmp_path / "never.sqlite")
    checkpointer.close()
    assert checkpointer._thread is None and checkpointer.runs == 0
    assert not (tmp_path / "never.sqlite").exists()


def test_a_copy_that_fails_is_logged_once_and_tried_again_at_the_next_nudge(tmp_path: Path,
                                                                             caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "garbage.sqlite"
    path.write_bytes(b"not a database, " * 512)
    checkpointer = WalCheckpointer(path)
    try:
        with caplog.at_level(logging.WARNING, logger="ledger.wal_checkpointer"):
            checkpointer.nudge()
            assert wait_for(lambda: len(caplog.records) == 1)
            checkpointer.nudge()
            checkpointer.close()
        assert len(caplog.records) == 1  # the same failure again is not logged again
        assert "its write-ahead log could not be copied back (file is not a database)" in caplog.text
        assert checkpointer.runs == 0
    finally:
        checkpointer.close()


def test_busy_from_a_nudge_until_its_checkpoint_has_ended(writer: sqlite3.Connection, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """What an idle node's producer asks before it empties the log itself (``Store.log_waits``)."""
    checkpointer = WalCheckpointer(tmp_path / "w.sqlite")
    started, release = threading.Event(), threading.Event()
    connect = sqlite3.connect

    def held_connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        started.set()
        release.wait(10)
        return connect(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(wal_checkpointer.sqlite3, "connect", held_connect)
    try:
        assert not checkpointer.busy
        write(writer, 0, 200)
        checkpointer.nudge()
        assert started.wait(10)
        assert checkpointer.busy and checkpointer.runs == 0  # asked, not ended
        release.set()
        assert wait_for(lambda: not checkpointer.busy)
        assert checkpointer.runs == 1
    finally:
        release.set()
        checkpointer.close()
    assert not checkpointer.busy
