"""A ledger node: admission, solo ordering (block production), execution, storage and queries.

Submitted transactions are checked statelessly (S63/S83 verification: format, size, chain id, signature,
registered signer, duplicate), queued, cut into blocks by one producer thread, executed deterministically
against an overlay of the state, stored in one SQLite transaction per block and only then acknowledged.

``Node`` is its parts over the fields of ``ledger.node_base``: ``ledger.admission`` (the checks and the queue),
``ledger.producer`` (the producer thread and block production) and ``ledger.queries`` (the read side). This
module opens a node on its store: genesis, or the stored chain checked against its last signed header.

Validator-set changes take effect at the block after the one that commits them (ledger/producer.py), and the store
records each set with the height it takes effect at (``validators@<height>``). On opening, the last block's commit
is checked against the set in force AT ITS HEIGHT (the set that signed it), never against the registry's newest
set; the set in force for the next block is then the registry's. So a governance change never makes a store
unopenable: a node that cannot reach the new quorum with the keys it holds opens, serves what it has (every block
final) and says in ``status()`` whose signatures are missing. Block 0 is the genesis file's block: it is checked
against the genesis file (every node derives the same header), not against signatures, so a node may open a
genesis whose validators it cannot all sign for.
"""

from __future__ import annotations

import gc
import json
import logging
import sqlite3
import sys
import threading
import time as wall
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ledger.admission import Admission
from ledger.block_timing import BlockTiming
from ledger.cache_sizes import DEFAULT_CACHES, CacheSizes
from ledger.errors import StoreError
from ledger.genesis import Genesis
from ledger.node_base import Clock, Pending
from ledger.producer import Producer
from ledger.queries import Queries
from ledger.state import State
from ledger.state_audit import Progress, audit_state
from ledger.storage import Store
from ledger.verifier import ParallelAdmission
from ledger_lite import (
    BlockHeader,
    CommitError,
    EncodingError,
    PublicKey,
    SigningKey,
    canonical,
    merkle_root,
    validators_hash,
    verify_commit,
)
from ledger_lite.block import ZERO_HASH

__all__ = ["GC_YOUNG_OBJECTS", "SWITCH_INTERVAL_S", "Clock", "Node", "Pending", "open_node", "tune_collector",
           "tune_serving_process", "wall_clock"]

log = logging.getLogger(__name__)

# How long a thread runs Python before another one waiting for the interpreter lock may take it. A node's process
# has threads that give the lock up around every SQLite step and socket read (the block producer's writes, the
# API) beside threads that compute, and a thread that gave it up may wait a whole interval to take it back.
# 0.5 ms instead of Python's 5 ms: +6 to +14 % readings/s through the API in two interleaved pairs of
# ``bench/ledger_scale.py --days 208 --steps 150000,400000``, within the noise in a second A/B (docs/performance.md).
SWITCH_INTERVAL_S = 0.0005
# Allocations between two passes of the cycle collector over the youngest objects (Python's default: 700). Under
# ingest a submitted reading's objects (its transaction, its pending outcome) live about one block: with passes
# every 700 allocations they outlive two of them and reach the oldest generation, whose growth then sets off full
# passes. Every 10,000 allocations most of them were gone before the first pass (`bench/ledger_ingest.py --busy 1`:
# 3.0–3.2 µs a reading in the collector instead of 16–18 µs, with the freeze below). At 1,002 meters' steady state a
# block's own objects (its writes, their planned rows) come on top, and each pass walks the large young containers
# again: 14.8 µs a reading at 10,000 (199 young passes over 96,192 readings), 7.3 at 30,000, **2.5 at 50,000** (10
# passes), 1.2 at 100,000, timed by ``gc.callbacks`` (docs/performance.md). From 50,000 on a block's objects are
# mostly gone before a pass comes: a larger threshold saves little more and makes each pass longer.
GC_YOUNG_OBJECTS = 50_000


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Load a large state without the cycle collector: state values hold no cycles, and each full pass would walk
    every value loaded so far (2 of the 20 s a 1,000,000-asset node takes to start)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def tune_serving_process() -> None:
    """Set up the interpreter of a process whose work is serving a node (``greencert node``, a consortium
    validator), once the node is open: ``SWITCH_INTERVAL_S`` and ``tune_collector``. An embedded node (tests, the
    demo) leaves its host's interpreter alone; the demo tunes its collector itself once it serves."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    tune_collector()


def tune_collector() -> None:
    """For a serving process once it is set up: what it holds by then frozen out of the cycle collector's full
    passes (``gc.freeze``: its modules' functions, classes and tables, ~80,000 objects in a node, ~200,000 in the
    demo, that live as long as the process). Each such pass walked them all, 22–25 ms in a node and 121–139 ms in the
    demo in which no block was made and no request answered; now it walks what came after (the state caches' values
    hold no containers, so it stays small). Its youngest objects are collected every ``GC_YOUNG_OBJECTS``
    allocations."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_OBJECTS, *gc.get_threshold()[1:])


def wall_clock() -> int:
    return int(wall.time())


class Node(Admission, Producer, Queries):
    """One ledger node on its store: start-up and shutdown here, the rest in its bases."""

    def __init__(self, store: Store, genesis: Genesis, key: SigningKey, *, clock: Clock = wall_clock,
                 max_block_txs: int = 2000, linger_s: float = 0.0, cosigners: Sequence[SigningKey] = ()) -> None:
        """``cosigners``: further validator keys this process holds and signs blocks with besides ``key`` (one
        operator running several validators' keys, or a test standing in for the consortium's other nodes)."""
        self.store = store
        self.genesis = genesis
        self.chain_id = genesis.chain_id
        self.key = key
        self.cosigners = tuple(cosigners)
        self.clock = clock
        self.max_block_txs = max_block_txs
        self.linger_s = linger_s
        self.validators = genesis.validators()
        self.state = State(store.tree, store)  # values and indexes on disk behind a cache (ledger.state_stored)
        store.before_write = self.state.stage  # the tree is written with each block, holding its writes
        self._lock = threading.RLock()        # guards state and head
        self._queue = deque()
        self._queued_ids = set()
        self._cv = threading.Condition()
        self._settled = threading.Condition()
        self._stop = False
        self._thread = None
        self._listeners = []
        self._admission = ParallelAdmission(self.chain_id)
        self._timing = BlockTiming()
        self._open()

    # --- start-up -----------------------------------------------------------------------------------------
    def _open(self) -> None:
        stored = self.store.get_meta("chain_id")
        if stored is not None and stored != self.chain_id:
            raise StoreError(f"store {self.store.path} holds chain {stored!r}, expected {self.chain_id!r}")
        last = self.store.last_height()
        if last is None:
            self._write_genesis()
            return
        with _without_cycle_collection():  # the stored tree is not rebuilt: State checks values as they are read
            self.state.load((), self.store.redo_keys())
        try:
            found = self.store.block(last)
        except EncodingError as exc:
            raise StoreError(f"block {last} does not decode: {exc}") from exc
        if found is None:
            raise StoreError(f"block {last} is missing from the store")
        header, commit, _ = found
        # Tamper evidence: the stored state tree's root must be the last signed header's state root (each value
        # and tree node is checked against it when first read: ledger.state, ledger.state_tree), and that header
        # must carry a quorum of the validator set that was in force for it (block 0: be the genesis file's).
        signing_set = self._signing_set(last)
        if last == 0:
            expected = self._genesis_header(State().prepare(self._genesis_writes()[1]))
            if header != expected:
                raise StoreError(f"block 0 is not the genesis block of this genesis file: its header hashes to "
                                 f"{header.hash().hex()}, expected {expected.hash().hex()}")
        else:
            try:
                verify_commit(header, commit, signing_set)
            except CommitError as exc:
                raise StoreError(f"the last block {last} has no valid commit: {exc}") from exc
        if self.state.root() != header.state_root:
            raise StoreError(f"stored state hashes to {self.state.root().hex()}, but the signed header of block "
                             f"{last} commits to {header.state_root.hex()}: the store was changed outside the node")
        self.head = header
        # The set in force for the next block is the registry's; recorded here too in case the node stopped
        # between storing the block that changed it and recording the change.
        self.validators = signing_set
        self._record_validator_change(last + 1)
        if self.missing_signatures() and self.validators == signing_set:  # else _record_validator_change said so
            log.warning("this node cannot commit block %d: %s", last + 1, self._quorum_gap(self.missing_signatures()))

    def _signing_set(self, height: int) -> list[PublicKey]:
        """The validator set that signed block ``height``: the last one recorded at or below it."""
        recorded = {int(k.split("@", 1)[1]): v for k, v in self.store.meta_items("validators@")}
        at = max((h for h in recorded if h <= height), default=None)
        if at is None:
            return self.genesis.validators()
        return [PublicKey.from_hex(k) for k in json.loads(recorded[at])]

    def _genesis_header(self, state_root: bytes) -> BlockHeader:
        return BlockHeader(chain=self.chain_id, height=0, prev_hash=ZERO_HASH, time=self.genesis.time,
                           tx_root=merkle_root([]), state_root=state_root,
                           validators_hash=validators_hash(self.genesis.validators()))

    def _genesis_writes(self) -> tuple[dict[str, Any], dict[str, bytes]]:
        writes: dict[str, Any] = {f"registry/{e.address}": e.to_state() for e in self.genesis.entries}
        return writes, {key: canonical(value) for key, value in writes.items()}

    def _write_genesis(self) -> None:
        writes, encoded = self._genesis_writes()
        header = self._genesis_header(self.state.prepare(encoded))
        commit = self._commit(header)
        self.store.set_meta("chain_id", self.chain_id)
        self.store.set_meta("validators@0", json.dumps([v.hex() for v in self.validators]))
        self.store.write_block(header, commit, [], {key: (writes[key], encoded[key]) for key in writes})
        self.state.apply(writes, encoded)
        self.head = header

    def audit(self, progress: Progress | None = None) -> int:
        """The full check (``ledger.state_audit``): every stored value against the signed head's state root.
        Raises ``StoreError`` on a mismatch; afterwards reads need not check values one by one."""
        with self._lock:
            count = audit_state(self.store, self.head.state_root, self.head.height, progress)
            self.state.checked()
        return count

    # --- shutdown ---------------------------------------------------------------------------------------
    def close(self) -> None:
        self.stop()
        self._admission.close()
        with self._lock:
            if not self.state.prepared:  # the tree holds the head's state: write it, nothing to put back on start
                try:
                    self.store.flush_tree(self.head.height)
                except sqlite3.Error as exc:  # the blocks' logged keys still give it back on the next start
                    log.warning("the state tree could not be written on closing: %s", exc)
        self.store.close()


def open_node(data_dir: Path, genesis: Genesis, key: SigningKey, *, clock: Clock = wall_clock,
              cosigners: Sequence[SigningKey] = (), caches: CacheSizes = DEFAULT_CACHES) -> Node:
    """A solo node on the store in ``data_dir`` (made if missing), its caches sized by ``caches``."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Node(Store(data_dir / "ledger.sqlite", tree_cache=caches.tree, value_cache=caches.values), genesis, key,
                clock=clock, cosigners=cosigners)
