"""How long each part of making a block took, and the log line of a block someone waited on that was slow.

The solo producer (``ledger.producer``) times every block it makes: the rules, the state tree's walks (with the
rows planned beside them), the signature, the store's write (and of it, the commit's sync to the disk, told whether
the store's checkpointer was copying the write-ahead log back meanwhile: ``ledger.wal_checkpointer``), the state's
update in memory and the outcomes' hand-over. A block holding a transaction a client waits on (``Pending.waited``)
that took ``slow_s`` or more, counted from the first such transaction's arrival in the queue, is logged as a warning
with those parts (``greencert node --slow-block-ms``): where the time of a slow issuance went, in the node that
had it, without a profiler.
"""

from __future__ import annotations

import time

PARTS = {"queue": "queued", "rules": "rules", "tree": "tree", "sign": "signing", "store": "storing",
         "apply": "applying", "tell": "telling"}


class BlockTiming:
    """The seconds each part of one block took, marked as each part ends (``mark``), from ``began``."""

    __slots__ = ("began", "copying", "last", "parts", "sync_s")

    def __init__(self, began: float | None = None) -> None:
        self.began = time.perf_counter() if began is None else began
        self.last = self.began
        self.parts: dict[str, float] = {}
        self.sync_s: float | None = None  # the store's commit, of ``store`` (``Store.commit_s``)
        self.copying = False  # whether the store's checkpointer was copying the log back during that commit

    def mark(self, part: str) -> None:
        """``part`` (one of ``PARTS``) ended now: it took the time since the last mark."""
        now = time.perf_counter()
        self.parts[part] = self.parts.get(part, 0.0) + now - self.last
        self.last = now

    @property
    def total_s(self) -> float:
        return self.last - self.began

    def describe(self, height: int, txs: int, waited: int) -> str:
        """One line: the block, its transactions, its total and each part in milliseconds."""
        parts = []
        for part, word in PARTS.items():
            if part in self.parts:
                text = f"{word} {self.parts[part] * 1e3:.1f}"
                if part == "store" and self.sync_s is not None:
                    text += (f" (its commit {self.sync_s * 1e3:.1f}"
                             f"{', the log being copied back meanwhile' if self.copying else ''})")
                parts.append(text)
        return (f"block {height} ({txs} transaction{'s' if txs != 1 else ''}, {waited} waited on) took "
                f"{self.total_s * 1e3:.1f} ms: {', '.join(parts)} ms")
