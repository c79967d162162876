"""Stateless admission checks spread over the machine's cores: decoding, canonical form, chain id and the
Ed25519 signature (the node's CPU bottleneck, checked by libsodium: ``ledger.signatures``). Stateful checks
(registered signer, duplicates) stay with the node.

Why worker processes, not threads (issue 16, tried on 2026-12-04 and not kept: local branch
``tried-threaded-admission``). ``cryptography`` 50 lets go of the interpreter lock around each Ed25519 check, but a
thread that gives it up for every signature waits behind a block producer busy in Python to take it back: two such
threads checked 4,800 signatures/s beside one busy thread, 21,700 alone. Checking a chunk's signatures together
in C through libcrypto with the lock released once (``ledger/_signatures.c`` on that branch) avoids that: 15,400/s
beside the busy thread. Admission then ran in two threads of the node's process, with nothing pickled between
processes, and a fresh node beside a spinning process (``bench/ledger_ingest.py --busy 1``) committed 0.78-0.89 of
one core's verifications (median 0.84) against 0.74-0.79 (0.76) in five interleaved pairs. But a node serving HTTP
is bound by its interpreter lock, which its block producer holds 80 % of the time (py-spy ``--gil``), and the
envelopes' decoding moved under that lock: ``bench/ledger_scale.py --days 208 --steps 1000000`` committed 6,840-7,184
readings/s against 7,063-7,697 for the processes in four interleaved pairs (-6.5 %). Where the node's process has
the lock to spare, threads would win.

Why the workers run at a lower priority (``WORKER_NICENESS``). The block producer is the one stage that cannot be
spread: every transaction passes through it, one block after another, while the workers have time to spare (each
checked ~40 % of the time). On a machine whose cores are all wanted (two cores, two workers, the node's threads and
whatever else runs there), the kernel shared them out evenly, and the producer spent a quarter of its time
ready but waiting for a core (``/proc/<pid>/task/<tid>/schedstat`` sampled every second, ``bench/ledger_scale.py
--days 208 --steps 1000000``: on a core 0.585 of each second, waiting 0.257; the workers 0.43 and 0.235 each).
At niceness 10 the producer waited 0.112 and ran 0.655, the workers took what was left (0.48, waiting 0.39),
and the node committed 8,207-8,661 readings/s (ratio 0.77-0.80, three runs) against 7,306-8,442 (0.66-0.73) in five
runs before and between them. At 10 M readings the cores are all taken and it changes little (ratio 0.50 against 0.52
in the run before it). The other side of it: a process spinning at niceness 0 beside the node takes a core from the
workers (``bench/ledger_ingest.py --busy 1``: ratio 0.59 with OpenSSL's checks, 0.91-0.92 since the checks take half
the time, ``ledger.signatures``). A single transaction or small batch (``INLINE_BELOW``) is checked in the node's
own thread, not waiting for them."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from sys import intern
from typing import Any, NamedTuple

from ledger.compact import pack_tx
from ledger.envelope import decode_envelope
from ledger.errors import Rejected, shown
from ledger.signatures import verify_tx
from ledger_lite import MAX_TX_BYTES, EncodingError, SignatureError, Transaction

INLINE_BELOW = 256  # smaller batches are checked in the caller's thread: a round trip to a worker costs more
WATCH_S = 1.0      # how often a worker checks that its node still runs
WORKER_NICENESS = 10  # added to a worker's niceness: the block producer comes first (module docstring)
CHUNK = 500         # transactions per worker task: small enough that blocks start while the rest is checked
SHARED_TEXT = 64     # a body's texts up to this length travel interned (``_travelling``): an address is 43
FIRST_CHUNK = 128   # the first task of each worker: the first block starts after ~13 ms of checks rather than ~50
# A checked envelope travels back as its fields, id and stored form (cheaper to unpickle than to decode again),
# or as a rejection (code, message, status).
Checked = tuple[bool, Any]


class Admitted(NamedTuple):
    """A transaction that passed the stateless checks, with its disk form (``ledger.compact.pack_tx``)."""

    tx: Transaction
    stored: bytes


def check_one(raw: bytes, chain_id: str) -> Checked:
    if len(raw) > MAX_TX_BYTES:
        return False, ("too_large", f"expected at most {MAX_TX_BYTES} bytes, found {len(raw)}", 413)
    try:
        tx = decode_envelope(raw)
    except EncodingError as exc:
        return False, ("bad_encoding", str(exc), 400)
    if tx.chain != chain_id:
        return False, ("wrong_chain", f"expected chain {chain_id!r}, found {shown(tx.chain)}", 400)
    try:
        verify_tx(tx)
    except SignatureError as exc:
        return False, ("bad_signature", str(exc), 401)
    return True, (tx.chain, tx.type, tx.body, tx.signer, tx.nonce, tx.time, tx.sig, tx.tx_id, tx.signer_address,
                  pack_tx(tx, chain_id))


def _start_worker(node_pid: int) -> None:
    """Worker initializer: yield the cores to the block producer (``WORKER_NICENESS``) and leave when the node is
    gone (a SIGKILLed node cannot shut its pool down)."""
    os.nice(WORKER_NICENESS)

    def watch() -> None:
        while True:
            time.sleep(WATCH_S)
            try:
                os.kill(node_pid, 0)
            except ProcessLookupError:
                os._exit(0)

    threading.Thread(target=watch, name="node-watch", daemon=True).start()


def check_chunk(raws: Sequence[bytes], chain_id: str) -> list[Checked]:
    return [_travelling(check_one(raw, chain_id)) for raw in raws]


def _travelling(checked: Checked) -> Checked:
    """A checked envelope as it travels back from a worker: the texts that recur from one transaction to the next
    (its chain and type, its body's keys and short texts, such as a reading's method and owner) interned, so that
    the chunk's pickle holds each of them once and the node's process unpickles a reference for every other. The
    node unpickles every chunk in one thread while its block producer waits for the interpreter lock: in a
    ``py-spy --native`` profile at ~2.2 M readings of ``bench/ledger_scale.py`` that thread ran Python 7 % of the
    time, half of it unpickling (decoding those texts anew its largest part), and the producer waited for the lock
    24 % of its time."""
    ok, payload = checked
    if not ok:
        return checked
    chain, kind, body, signer, nonce, time, sig, tx_id, address, stored = payload
    if type(body) is dict:
        body = {intern(k) if type(k) is str else k:
                intern(v) if type(v) is str and len(v) <= SHARED_TEXT else v for k, v in body.items()}
    return True, (intern(chain), intern(kind), body, signer, nonce, time, sig, tx_id, address, stored)


def rebuild(raw: bytes, checked: Checked) -> Admitted | Rejected:
    ok, payload = checked
    if not ok:
        return Rejected(*payload)
    chain, kind, body, signer, nonce, time, sig, tx_id, address, stored = payload
    # The fields the worker decoded and checked, set as the frozen dataclass's ``__init__`` would set them but
    # without its ``object.__setattr__`` for each (1.40 → 0.45 µs, timeit): this runs in the node's process for
    # every admitted transaction, beside the block producer. With them what the worker computed from these exact
    # bytes: the canonical encoding, id and signer address.
    tx = object.__new__(Transaction)
    tx.__dict__.update(chain=chain, type=kind, body=body, signer=signer, nonce=nonce, time=time, sig=sig,
                       _encoded=raw, tx_id=tx_id, signer_address=address)
    return Admitted(tx, stored)


def chunk_bounds(count: int, workers: int) -> list[tuple[int, int]]:
    """How a batch of ``count`` transactions is cut into worker tasks, in order. A batch larger than one full task a
    worker starts with a task of ``FIRST_CHUNK`` for each worker, so that the producer starts the first block while
    the workers check the rest (a batch of 2,000 readings: its first block 21-35 ms after it came instead of 57-79,
    all committed in 167-177 ms instead of 174-195), then tasks of ``CHUNK``; a smaller one is shared evenly."""
    size = max(FIRST_CHUNK, min(CHUNK, -(-count // workers)))
    first = FIRST_CHUNK if count > workers * size else size
    bounds: list[tuple[int, int]] = []
    at = 0
    while at < count:
        step = first if len(bounds) < workers else size
        bounds.append((at, min(count, at + step)))
        at += step
    return bounds


class ParallelAdmission:
    def __init__(self, chain_id: str, workers: int | None = None) -> None:
        self.chain_id = chain_id
        self.workers = workers or os.cpu_count() or 1
        self._pool: Executor | None = None

    def check(self, raws: Sequence[bytes]) -> list[Admitted | Rejected]:
        return [tx for chunk in self.check_chunks(raws) for tx in chunk]

    def check_chunks(self, raws: Sequence[bytes]) -> Iterator[list[Admitted | Rejected]]:
        """The results chunk by chunk, in order, each as soon as it is ready, so the caller can queue the first
        transactions for a block while the workers still check the rest."""
        if len(raws) < INLINE_BELOW or self.workers < 2:
            yield [rebuild(raw, checked) for raw, checked in zip(raws, check_chunk(raws, self.chain_id),
                                                                 strict=True)]
            return
        if self._pool is None:
            # forkserver: workers do not inherit the node's threads and sockets.
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"),
                                             initializer=_start_worker, initargs=(os.getpid(),))
        chunks = [raws[i:j] for i, j in chunk_bounds(len(raws), self.workers)]
        for chunk, part in zip(chunks, self._pool.map(check_chunk, chunks, [self.chain_id] * len(chunks)),
                               strict=True):
            yield [rebuild(raw, checked) for raw, checked in zip(chunk, part, strict=True)]

    def warm(self) -> None:
        """Start every worker process now, each importing the checks, rather than during the first large batches.
        The pool starts a process for a task only when none is idle, so one task a worker, sent together."""
        if self.workers >= 2:
            self.check([b""] * (INLINE_BELOW * self.workers))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
