"""Ed25519 signature checks spread over the machine's cores (admission is the node's CPU bottleneck)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# (public key, signature, signed message)
Item = tuple[bytes, bytes, bytes]
INLINE_BELOW = 256  # smaller batches are checked in the caller's thread: a round trip to a worker costs more


def verify_chunk(items: Sequence[Item]) -> list[bool]:
    out = []
    for public, signature, message in items:
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
            out.append(True)
        except (InvalidSignature, ValueError):
            out.append(False)
    return out


class ParallelVerifier:
    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: Executor | None = None

    def verify(self, items: Sequence[Item]) -> list[bool]:
        if len(items) < INLINE_BELOW or self.workers < 2:
            return verify_chunk(items)
        if self._pool is None:
            # forkserver: workers do not inherit the node's threads and sockets.
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"))
        size = -(-len(items) // (self.workers * 4))
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        results: list[bool] = []
        for part in self._pool.map(verify_chunk, chunks):
            results.extend(part)
        return results

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
