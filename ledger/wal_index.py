"""How many frames a SQLite database's write-ahead log holds since it last started again, read from the header of its
wal-index (the ``-shm`` file beside it) as SQLite lays it out on unix (https://sqlite.org/walformat.html, "The
WAL-Index Header": two copies of a 48-byte header at the file's start, each with ``iVersion`` 3007000 at offset 0 and
``mxFrame``, the last valid frame of the log, at offset 16; then the checkpoint-info, whose ``nBackfill`` at offset 96
counts the frames copied back; 32-bit integers in the machine's byte order).

Why. ``ledger.storage`` asks its checkpointer (``ledger.wal_checkpointer``) to copy the log back once it holds
``WAL_PAGES`` pages. The log's file says so only while SQLite cuts the file down each time the log starts again
(``PRAGMA journal_size_limit=0``), and that cut is made inside the commit that starts it: 21 ms for a log of 64 MB, 80
to 93 ms for the ~300 MB a write of the tree leaves (a `/tmp` harness of single commits after 1,002 meters' steady
state, 2026-12-06; ext4 freeing the file's blocks, not the page cache: 43–55 ms to cut a 250 MB file either way): the
size of the lone stalls that made the issuance p99 of ``bench/ledger_scale.py`` at 10 M readings 17–27 ms in two runs.
With the file kept (up to the bound of SQLite's own checkpoint; an idle node cuts it down), the header says how far
the log has grown.

Only the node's own connection writes the store, and it reads the header after its commit under its lock, so the two
copies agree; a header that cannot be read, or whose copies differ or whose version is another, gives None and the
caller falls back on the file's size."""

from __future__ import annotations

import os
import struct
from pathlib import Path

VERSION = 3007000  # ``iVersion`` of every wal-index since SQLite 3.7.0
HEADER_BYTES = 48
_FIELDS = struct.Struct("=I12xI")  # iVersion at 0, mxFrame at 16
_BACKFILL = struct.Struct("=I")  # nBackfill, the first field of the checkpoint-info that follows the two headers


class WalIndex:
    """The wal-index at ``path`` (a database's ``-shm`` file), opened for reading at the first ``frames``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def frames(self) -> int | None:
        """The frames the log holds now (``mxFrame``), or None if the header cannot be read as expected."""
        head = self._head()
        return None if head is None else int(_FIELDS.unpack_from(head)[1])

    def uncopied(self) -> int | None:
        """The frames of the log not yet copied back into the database (``mxFrame`` less the checkpoint-info's
        ``nBackfill``, which another connection's checkpoint moves: a moment's reading), or None as ``frames``."""
        head = self._head()
        if head is None or len(head) < 2 * HEADER_BYTES + _BACKFILL.size:
            return None
        return max(0, int(_FIELDS.unpack_from(head)[1]) - int(_BACKFILL.unpack_from(head, 2 * HEADER_BYTES)[0]))

    def _head(self) -> bytes | None:
        """The two headers and what follows them, if the headers agree and are of ``VERSION``."""
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDONLY)
            head = os.pread(self._fd, 2 * HEADER_BYTES + _BACKFILL.size, 0)
        except OSError:
            return None
        if len(head) < 2 * HEADER_BYTES or head[:HEADER_BYTES] != head[HEADER_BYTES:2 * HEADER_BYTES]:
            return None  # not made yet, or a copy torn
        return head if _FIELDS.unpack_from(head)[0] == VERSION else None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
