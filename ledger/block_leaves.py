"""The Merkle leaves of recently asked blocks, kept so that proving one transaction's inclusion does not read and
hash its whole block again (issue 17: a block of ~1,100 readings cost ~33 ms per ``GET /v1/txs/{id}``, nearly
all of it reading and decoding the block's transactions from the store).

A committed block never changes, so its leaves stay right; they are kept only once they hashed to the transaction
root its signed header commits to. Bounded: the ``KEPT`` blocks asked most recently (at most 2^16 leaves of 32
bytes each; a block of 2,000 readings keeps 64 KB), so memory does not grow with the chain's history."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

KEPT = 64


class BlockLeaves:
    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._leaves: OrderedDict[int, tuple[bytes, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, height: int, load: Callable[[], tuple[bytes, ...]]) -> tuple[bytes, ...]:
        """The leaves of block ``height``: kept ones, or ``load()`` (which checks them; its error propagates and
        nothing is kept)."""
        with self._lock:
            found = self._leaves.get(height)
            if found is not None:
                self._leaves.move_to_end(height)
                return found
        loaded = load()  # outside the lock: two threads may load one block at once, both get the same leaves
        with self._lock:
            self._leaves[height] = loaded
            self._leaves.move_to_end(height)
            while len(self._leaves) > self.kept:
                self._leaves.popitem(last=False)
        return loaded

    def __len__(self) -> int:
        with self._lock:
            return len(self._leaves)
