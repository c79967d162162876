"""ledger/select_in.py: a query over more values than one ``IN (…)`` takes, in chunks, lazily."""

from __future__ import annotations

import sqlite3

from ledger.select_in import IN_CHUNK, select_in


def test_every_row_comes_back_across_the_chunks_and_a_caller_that_stops_asks_no_more() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(k, f"v{k}") for k in range(3 * IN_CHUNK)])
    wanted = list(range(1, 3 * IN_CHUNK + 7, 2))  # more than two chunks, some values with no row
    found = sorted(select_in(db, "SELECT k, v FROM t WHERE k IN ({})", wanted))
    assert found == [(k, f"v{k}") for k in wanted if k < 3 * IN_CHUNK]
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    rows = select_in(db, "SELECT k FROM t WHERE k IN ({})", wanted)
    assert next(rows) is not None
    rows.close()
    assert len(statements) == 1
    assert list(select_in(db, "SELECT k FROM t WHERE k IN ({})", [])) == []
    db.close()
