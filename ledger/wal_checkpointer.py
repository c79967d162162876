"""Copying a store's write-ahead log back into its database (SQLite's checkpoint) on a thread and connection of its
own, so that no commit someone waits for does it.

Why. SQLite's own checkpoint runs inside the commit that takes the WAL past ``wal_autocheckpoint`` pages, and at the
64 MB that ``ledger.storage`` lets the WAL grow to under steady load (``WAL_PAGES``), that commit took 16-55 ms more
than the others, 190 ms after a write of the tree (a `/tmp` instrumented node in ``bench/ledger_scale.py``, 1,002
meters at 2-3.5 M readings, 2026-12-04): the one issuance in a hundred that met it made the issuance p99 36-45 ms
against ~5 ms otherwise, in two of three runs. A checkpoint of another connection runs beside the writer (WAL mode
lets one), and the thread holds no Python lock (not even the interpreter's) while SQLite copies.

How. After each commit the store's connection asks ``nudge`` once the log has grown to the bound since it last
started (its frames, ``ledger.wal_index``); this thread then runs a passive checkpoint (it waits for no reader or
writer). Once every frame is copied, the store's next write starts the log from its beginning again, in the same
file (a node that is idle by then also cuts the file down: ``Store.checkpoint``, ``WAL_TRUNCATE_BYTES``). SQLite's
own checkpoint stays as a further bound (``ledger.storage``), should this thread fall behind or fail: a failure is
logged once and tried again at the next nudge. The copy still competes for the disk: a commit whose sync met its own
took ~21 ms (once in the 200 issuances and readings of each run; most of it, found later, the cut of the log's file,
now kept: ``ledger.wal_index``); the issuance p99 at 3.5 M was 9.1-17.2 ms in three runs, the lone readings' 25-26
ms. Later the node's own account of its slow blocks (``ledger.block_timing``) found the lone 20-35 ms stalls left at
1-10 M readings in their commit's sync, beside a copy: so while clients wait on blocks the store asks for a copy from
far fewer pages (``WAL_WAITED_PAGES``, ``ledger.storage``), and an idle node hands the copy of a burst's log to this
thread rather than making it on the producer's."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)


class WalCheckpointer:
    """Passive checkpoints of the SQLite database at ``path`` on a thread of its own, each when ``nudge`` asks; the
    thread starts at the first nudge. ``runs``: the checkpoints run so far; ``busy``: whether one is asked for or
    running."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.runs = 0
        self._asked = 0  # nudges so far (from the writer's thread) ...
        self._done = 0  # ... and how many of them the thread has answered
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._failure: str | None = None

    def nudge(self) -> None:
        """Run a checkpoint soon (at once if the thread waits)."""
        if self._stop:
            return
        self._asked += 1
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"checkpoint {self.path.name}", daemon=True)
            self._thread.start()
        self._wake.set()

    @property
    def busy(self) -> bool:
        """Whether a checkpoint that was asked for has not ended yet (it may have failed: see the log)."""
        return not self._stop and self._done != self._asked

    def close(self) -> None:
        """Stop the thread, after the checkpoint it may be running."""
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        db: sqlite3.Connection | None = None
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stop:
                    return
                asked = self._asked
                try:
                    if db is None:
                        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                        db.execute("PRAGMA synchronous=FULL")  # the copy is synced before the log may restart
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.runs += 1
                    self._failure = None
                except sqlite3.Error as exc:
                    if self._failure != str(exc):  # once, not at every nudge
                        log.warning("%s: its write-ahead log could not be copied back (%s); tried again at the "
                                    "next commit that finds it large", self.path, exc)
                    self._failure = str(exc)
                    if db is not None:
                        db.close()
                        db = None
                self._done = asked
        finally:
            if db is not None:
                db.close()
