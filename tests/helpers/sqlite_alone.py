"""A SQLite database file read without its write-ahead log: what checkpoints have copied into it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any


def query_file_alone(path: Path, scratch: Path, sql: str) -> Any | None:
    """The first row of ``sql`` over a copy of the database file at ``path`` alone (made in ``scratch``), or None while
    that copy is not a database yet (torn, or before the first checkpoint made the table)."""
    copy = scratch / "alone.sqlite"
    copy.write_bytes(path.read_bytes())
    try:
        with closing(sqlite3.connect(copy)) as db:
            return db.execute(sql).fetchone()
    except sqlite3.DatabaseError:
        return None
