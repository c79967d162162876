"""A query over many values as a few ``IN (…)`` queries: SQLite takes at most so many parameters at once, and one
query a value costs several times more (``ledger.storage``, ``ledger.expiry_groups``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

IN_CHUNK = 500  # values per ``IN (…)``


def select_in(db: sqlite3.Connection, select: str, values: Sequence[Any]) -> Iterator[Any]:
    """The rows of ``select``, whose one ``{}`` is the ``IN`` list's place, over ``values``, ``IN_CHUNK`` at a
    time (lazily: a caller that stops early asks no more)."""
    for at in range(0, len(values), IN_CHUNK):
        chunk = values[at:at + IN_CHUNK]
        yield from db.execute(select.format(",".join("?" * len(chunk))), chunk)
