"""Block production (solo ordering): the producer thread cuts the queue into blocks, executes them
deterministically against an overlay of the state, stores each in one SQLite transaction and only then settles
its transactions, tells the listeners and follows validator-set changes.

Validator-set changes (``registry.update``, ledger/rules/governance.py) take effect at a stated height: the block
at height h that commits the change is still named and signed by the old set; every block from h + 1 on names the
new set in its header (``validators_hash``) and needs ⌈2n/3⌉ signatures of it. The node records the new set in
its store as ``validators@<h + 1>`` (``validators@0`` is genesis), so the set that signed any stored block is
known when the store is reopened (ledger/node.py checks the last header against it).

A block is produced only if it can be final: the node signs with the validator keys it holds (its own key and any
``cosigners``) and refuses to store a block that would carry fewer than ⌈2n/3⌉ of them. When a governance change
leaves a solo node short of a quorum (say a second validator was added: n = 2 needs 2 signatures), the node says
so in ``status()`` (``can_commit``, ``missing_signatures``), logs it, and refuses every transaction with
``not_final`` (503) naming the validators whose signatures are missing; the store stays valid and reopens, and
every block it holds stays final. Gathering the other validators' signatures is the consortium's part.

After its transactions, a block that is made sweeps the assets that expired long enough ago out of the state
(``ledger.rules.expiry``): their deletions are writes of the block like any other (``None`` values), in its state
root and stored in its SQLite transaction.

While the state tree takes a block's writes, the producer plans the block's state rows: the tree's compiled walks
run in a thread of their own without the GIL (``State.start_prepare``, ``SparseMerkleTree.start_update``) while
this one works out the rows and index entries the writes change (``Store.plan_rows``), which touches neither the
tree nor the state; the header is made once the walks give the root. The consortium's blocks, stored once final,
are planned when they are stored.

Between blocks, a producer that has had nothing to do for ``IDLE_WRITE_S`` writes the state tree's changed
entries (``Store.flush_tree``, one transaction of its own, as at closing) rather than leaving them to the block
that reaches ``StoredTree.wants_flush``; the consortium's follower does the same (ledger/consortium/node.py).

A state tree larger than its cache (opened so, or grown past it) is said once as a warning, with the memory that would
hold it whole (``_tell_if_outgrown``): its walks then read what they miss from the store.

After a start, a state tree that fits its cache is loaded whole (``StoredTree.warm``, ledger/state_tree.py
"Warming"): in slices of ``WARM_SLICE_S`` while the producer has nothing to do (the follower's too), and for
``warm_share`` of each block's time while blocks follow each other, so that a node restarted under load gets there
as well. A state root does not depend on it; only how often walks look for nodes on disk does.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import sqlite3
import threading
import time as wall
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from ledger.block_timing import BlockTiming
from ledger.cache_sizes import CacheSizes
from ledger.errors import Rejected, StoreError
from ledger.jsonview import to_json
from ledger.node_base import Listener, NodeBase, Pending
from ledger.registry import is_removed
from ledger.rules import Context, execute
from ledger.rules.expiry import sweep
from ledger.state import Overlay, encode_state
from ledger.state_tree import NODES_PER_LEAF
from ledger.storage import BlockRows
from ledger_lite import BlockHeader, PublicKey, merkle_root, quorum, sign_commit, validators_hash
from ledger_lite.block import Commit

log = logging.getLogger(__name__)

# The state tree's changed entries are written with a block once they are many (``StoredTree.wants_flush``: half
# its cache), which at a million assets takes seconds of that block. A node that has had nothing to do for a
# second writes them then instead, once there are an eighth as many: a node fed in bursts (meters report every
# half hour) writes its tree between them, and its logged keys stay few (``bench/idle_tree_write.py``).
IDLE_WRITE_S = 1.0
# What a block leaves to do once nothing waits (its logged state rows, the tree cache's trim, the WAL's checkpoint)
# waits this long for the node to stay idle: the client that waited for the block goes on at once with its own work
# (an intermediary signs the certificate and commits its record), and would otherwise share the cores and the disk
# with it (``bench/issuance_at_scale.py``).
TIDY_AFTER_S = 0.05
# A state tree opened from the store that fits its cache is loaded whole (``StoredTree.warm``): while the producer has
# nothing to do, this long at a time; and while blocks follow each other, for this share of each block's time, so
# that a node restarted under load gets there too.
WARM_SLICE_S = 0.02
WARM_SHARE = 0.25
# A block someone waited on that took this long, from that transaction's admission to its outcome, is logged with
# the time of each of its parts (``ledger.block_timing``): about twenty-five times a lone issuance's commit at 10 M
# readings (~4 ms, ``bench/ledger_scale.py``), five times the issuance p99 goal of issue 16.
SLOW_BLOCK_S = 0.1


@dataclass
class Executed:
    """A block executed but not yet stored: its header (None when nothing was included), its state writes with
    their canonical bytes (``None`` for both: a key deleted), each transaction's result or refusal, and the
    expired assets it sweeps out of the state (their keys, deleted among the writes)."""

    height: int
    header: BlockHeader | None = None
    writes: dict[str, Any] = field(default_factory=dict)
    encoded: dict[str, bytes | None] = field(default_factory=dict)
    swept: list[str] = field(default_factory=list)
    included: list[tuple[Pending, dict[str, Any]]] = field(default_factory=list)
    rejected: list[tuple[Pending, dict[str, Any]]] = field(default_factory=list)
    rows: BlockRows | None = None  # its state rows, planned while the tree took it (``execute_block``'s plan_rows)
    unplanned: Exception | None = None  # why they could not be planned: told as the store's failure (``store_block``)

    @property
    def waited(self) -> bool:
        """Whether someone waits for one of its transactions (``Pending.waited``)."""
        return any(p.waited for p, _ in self.included)


class Producer(NodeBase):
    """A node's block production: the producer thread, ``produce_block`` and the block listeners."""

    # A producer with nothing to do for ``idle_write_s`` writes the state tree's changes when the tree says they
    # are enough (``wants_flush(idle=True)``); None: only with the blocks (``Store.write_block``).
    idle_write_s: float | None = IDLE_WRITE_S
    tidy_after_s: float = TIDY_AFTER_S
    # A block that holds a transaction someone waits on (``Pending.waited``), stored while nothing else is queued,
    # logs its state writes and has its rows written after its client is answered
    # (``Store.write_block(defer=True)``); False: always with the block.
    defer_rows: bool = True
    # What a busy block gives to loading the state tree whole after a start (``WARM_SHARE``; 0: only idle time).
    warm_share: float = WARM_SHARE
    # A block someone waited on that took this long or longer is logged with its parts (``ledger.block_timing``);
    # None: never.
    slow_block_s: float | None = SLOW_BLOCK_S
    # The block being made: its parts' times (the consortium's follower, which does not log them, marks them too).
    _timing: BlockTiming
    # Whether this run has said that the state tree outgrew its cache (``_tell_if_outgrown``): once is enough.
    _told_outgrown: bool = False

    # --- producer thread ----------------------------------------------------------------------------------
    def start(self, *, warm: bool = False) -> None:
        """Start block production; ``warm`` also starts the admission worker processes at once (a long-running
        node), instead of on the first large batch."""
        if warm:
            self._admission.warm()
        self._tell_if_outgrown()
        if self._thread is None:
            self._stop = False
            self._thread = threading.Thread(target=self._run, name="block-producer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _run(self) -> None:
        tidy = False  # the last block's trim and checkpoint are still to do, once the node has stayed idle
        while True:
            chore: Callable[[], bool] | None = None
            wait: float | None
            with self._cv:
                while not self._queue and not self._stop:
                    # After a block, wait ``tidy_after_s`` for its chores (``_tidy``). With tree changes or asset
                    # rows worth writing, wait only ``idle_write_s``: a node still idle then writes them, rather than
                    # inside a later block that someone may be waiting for. (Only this thread changes the tree's
                    # entries, so asking needs no lock.) A transaction that arrives meanwhile puts either off.
                    if tidy:
                        wait, chore = self.tidy_after_s, self._tidy
                    elif self._idle_write_due():
                        wait, chore = self.idle_write_s, self._write_while_idle
                    elif self.store.tree.warming:
                        wait, chore = 0.001, self._warm_while_idle
                    else:
                        wait, chore = None, None
                    if not self._cv.wait(wait) and chore is not None and not self._queue and not self._stop:
                        break
                    chore = None
                if self._stop and not self._queue:
                    return
            if chore is not None:
                tidy = chore()  # whether a tidy follows
                continue
            # No waiting when idle: a lone transaction commits at once; under load the queue fills while the
            # previous block is being produced, so blocks grow by themselves.
            if self.linger_s:
                wall.sleep(self.linger_s)
            with self._cv:
                batch = [self._queue.popleft() for _ in range(self._block_size())]
            began = wall.perf_counter()
            self.produce_block(batch)
            if self._queue and self.warm_share and self.store.tree.warming:  # busy: idle time may not come soon
                self._warm_tree(self.warm_share * (wall.perf_counter() - began))
            tidy = True

    def _tidy(self) -> bool:
        """After the last block, once idle for ``tidy_after_s``: its logged state rows, the tree cache's trim and the
        WAL's checkpoint; whether to come again (``Store.log_waits``: the log is to be emptied once the store's
        checkpointer has copied it back, rather than by the next client's commit)."""
        with self._lock:
            try:
                self.store.settle()
            except (sqlite3.Error, StoreError) as exc:  # still logged: the next read or block tries again
                log.warning("the last block's state rows could not be written while idle: %s", exc)
            self.store.tree.trim()
        self._tell_if_outgrown()
        self._checkpoint_while_idle()
        return self.store.log_waits()

    def _idle_write_due(self, idle_since: float | None = None) -> bool:
        """Whether the tree's changes, the recent asset rows or transaction ids are worth writing while idle
        (``idle_write_s``); with ``idle_since`` (a ``time.monotonic()``), also whether the node has been idle that
        long since then."""
        if self.idle_write_s is None or (idle_since is not None and wall.monotonic() - idle_since < self.idle_write_s):
            return False
        return self.store.tree.wants_flush(idle=True) or self.store.rows_merge_due() or self.store.ids_merge_due()

    def _write_while_idle(self) -> bool:
        """Write the state tree's changed entries now if they are enough (``Store.flush_tree``: one transaction, as
        at closing), then merge the recent asset rows if they are (``Store.merge_recent_rows``), and the recent
        transaction ids if they are due (``Store.merge_recent_ids``). A failure leaves the tree's entries to the next
        block's write (the blocks' logged keys give them back meanwhile) and the rows or ids to a later merge. A tidy
        follows (``_tidy``): the WAL these writes grew is copied back and emptied while idle."""
        if self.store.tree.wants_flush(idle=True):
            began = wall.perf_counter()
            with self._lock:
                changed = self.store.tree.changed
                try:
                    self.store.flush_tree(self.head.height)
                except sqlite3.Error as exc:
                    log.warning("the state tree's %d changed entries could not be written while idle: %s", changed,
                                exc)
                    return True
            log.debug("wrote the state tree's %d changed entries while idle in %.2f s", changed,
                      wall.perf_counter() - began)
        self._tell_if_outgrown()
        if self.store.rows_merge_due():
            try:
                self.store.merge_recent_rows()
            except sqlite3.Error as exc:
                log.warning("the recent asset rows could not be merged while idle: %s", exc)
        if self.store.ids_merge_due():  # left by a block someone waited for (``Store.write_block``'s ``waited``)
            try:
                self.store.merge_recent_ids()
            except sqlite3.Error as exc:
                log.warning("the recent transaction ids could not be merged while idle: %s", exc)
        return True

    def _tell_if_outgrown(self) -> None:
        """Say once, as a warning, that the state tree is larger than its cache (``StoredTree.outgrown``), with the
        memory that would hold it whole (``CacheSizes.holding``): the operator of a node whose live state grew past
        what it was given learns why certificates of allocations made long ago got slower, and what to give it."""
        tree = self.store.tree
        if self._told_outgrown or not tree.outgrown:
            return
        self._told_outgrown = True
        leaves = len(tree)
        wanted = CacheSizes.holding(leaves)
        log.warning("the state tree (%s live keys, about %s nodes) is larger than its cache of %s nodes: blocks read "
                    "the nodes they miss from the store, and one that certifies many assets not used lately waits "
                    "for them; caches of %s MB would hold it whole with a tenth to spare (greencert node --cache-mb "
                    "%d, a consortium node's cache_mb; ledger/cache_sizes.py)", f"{leaves:,}",
                    f"{round(leaves * NODES_PER_LEAF):,}", f"{tree.capacity:,}", f"{wanted.megabytes:,}",
                    wanted.megabytes)

    def _warm_while_idle(self) -> bool:
        self._warm_tree(WARM_SLICE_S)
        return False

    def _warm_tree(self, seconds: float) -> None:
        """Load more of a state tree opened from the store for about ``seconds`` (``StoredTree.warm``). A failure
        stops the warming (logged): walks load what they reach, as before, and a row changed outside the node is
        refused by the block whose walk reads it."""
        with self._lock:
            try:
                tree = self.store.tree
                if not tree.warm(seconds):
                    log.info("the state tree %s: %d nodes cached", "is cached whole" if tree.whole else
                             "outgrew its cache while it was loaded, walks load what they reach", tree.cached)
            except (sqlite3.Error, StoreError) as exc:
                log.warning("the state tree could not be loaded ahead of the blocks, walks load it instead: %s", exc)

    def _checkpoint_while_idle(self) -> None:
        """Copy the WAL into the database while there is nothing to do (``Store.checkpoint``), rather than in the
        commit of a later block. A failure leaves it to SQLite's own checkpoint in a later commit."""
        try:
            self.store.checkpoint()
        except sqlite3.Error as exc:
            log.warning("the store's write-ahead log could not be checkpointed while idle: %s", exc)

    def _block_size(self) -> int:
        """How many queued transactions the next block takes, in their order: up to ``max_block_txs``, but when
        a transaction someone waits on (``Pending.waited``) is among them and only bulk ones (``submit_many``)
        follow it, the block ends with it: its client is answered after a small block, and the bulk goes into
        the next one at once (issue 16). Under bulk load alone, or single submissions alone, blocks stay full.
        Call with ``_cv`` held."""
        size = min(self.max_block_txs, len(self._queue))
        last_waited = -1
        for index, pending in enumerate(itertools.islice(self._queue, size)):
            if pending.waited:
                last_waited = index
        return size if last_waited < 0 else last_waited + 1

    # --- block production ---------------------------------------------------------------------------------
    def produce_block(self, batch: list[Pending]) -> BlockHeader | None:
        # Only this (producer) thread changes the validator set and the head, so the check needs no lock.
        short = self.missing_signatures()
        if short and batch:
            self._refuse_unfinalizable(batch, self.head.height + 1, short)
            return None
        waited = [p.queued for p in batch if p.waited]
        timing = self._timing = BlockTiming(min(waited, default=None))
        timing.mark("queue")
        with self._lock:
            try:
                block = self.execute_block(batch, self.head.height + 1, max(self.clock(), self.head.time),
                                           plan_rows=True)
            except StoreError as exc:  # nothing was prepared: refuse the batch, keep serving what can be served
                log.error("block %d refused: %s", self.head.height + 1, exc)
                block = Executed(height=self.head.height + 1)
                block.rejected = [(p, {"tx_id": p.tx.tx_id, "code": "store_changed", "status": 500,
                                       "message": f"the block could not be executed, nothing was committed: {exc}"})
                                  for p in batch]
            if block.header is not None:
                commit = self._commit(block.header)
                timing.mark("sign")
                self.store_block(block, commit)
        self.settle_block(batch, block)
        timing.mark("tell")
        if (waited and block.header is not None and self.slow_block_s is not None
                and timing.total_s >= self.slow_block_s):
            log.warning("slow %s", timing.describe(block.height, len(block.included), len(waited)))
        return block.header

    def execute_block(self, batch: list[Pending], height: int, block_time: int, *,
                      empty: bool = False, plan_rows: bool = False) -> Executed:
        """Execute ``batch`` as block ``height`` against an overlay of the state (deterministic: the same batch,
        height, time and state give the same header on every node). The header is made, and its state root
        prepared in the tree, when a transaction was included or ``empty``, after the sweep of expired assets
        (``ledger.rules.expiry``); ``store_block`` or ``state.discard`` follows. ``plan_rows``: the block is
        stored next, nothing written to the store before: its state rows are planned while the tree takes it
        (``_prepare``). Call with ``_lock`` held."""
        with self.state.deferring():
            return self._execute_block(batch, height, block_time, empty, plan_rows)

    def _execute_block(self, batch: list[Pending], height: int, block_time: int, empty: bool,
                       plan_rows: bool) -> Executed:
        overlay = Overlay(self.state)
        block = Executed(height=height)
        for pending in batch:
            try:
                result = execute(pending.tx, Context(state=overlay, time=block_time, height=height))
                block.included.append((pending, result))
            except Rejected as exc:
                outcome: dict[str, Any] = {"tx_id": pending.tx.tx_id, "code": exc.code, "status": exc.status,
                                           "message": exc.message}
                if hasattr(exc, "certificate_id"):
                    outcome["certificate_id"] = exc.certificate_id
                block.rejected.append((pending, outcome))
            except Exception as exc:  # a rule's defect must never stop block production
                log.exception("transaction %s failed in its rule", pending.tx.tx_id)
                block.rejected.append((pending, {"tx_id": pending.tx.tx_id, "code": "internal_error", "status": 500,
                                                 "message": f"the rule for {pending.tx.type} failed: {exc!r}"}))
        if block.included or empty:
            block.swept = sweep(self.state, overlay, block_time)
            block.writes = overlay.writes
            block.encoded = {key: None if value is None else encode_state(value)
                             for key, value in overlay.writes.items()}
            self._timing.mark("rules")
            state_root = self._prepare(block, overlay.created, plan_rows)
            self._timing.mark("tree")
            block.header = BlockHeader(chain=self.chain_id, height=height, prev_hash=self.head.hash(),
                                       time=block_time, tx_root=merkle_root([p.raw for p, _ in block.included]),
                                       state_root=state_root, validators_hash=validators_hash(self.validators))
        return block

    def _prepare(self, block: Executed, created: Collection[str], plan_rows: bool) -> bytes:
        """The state root of an executed block's writes, prepared in the tree (``State.prepare``). With
        ``plan_rows``, the tree's walks run in a thread of their own without the GIL (``State.start_prepare``)
        while this one plans the block's state rows (``Store.plan_rows``, into ``block.rows``), which touches
        neither the tree nor the state. A planning that fails is noted (``block.unplanned``) and told when the block
        is stored, as the same failure of ``Store.write_block`` was told before its rows were planned ahead."""
        if not plan_rows:
            return self.state.prepare(block.encoded, created)
        preparing = self.state.start_prepare(block.encoded, created, beside=True)
        try:
            writes = {key: (value, block.encoded[key]) for key, value in block.writes.items()}
            block.rows = self.store.plan_rows(writes, self.state.present(block.encoded),
                                              defer=self._defers_rows(block))
        except Exception as exc:
            block.unplanned = exc
        except BaseException:
            with contextlib.suppress(Exception):  # the walks end before the tree is left to anyone else
                preparing.root()
                self.state.discard()
            raise
        return preparing.root()

    def _defers_rows(self, block: Executed) -> bool:
        """Whether a block's state rows are written after it is stored (``Store.write_block``'s ``defer``): someone
        waits for it and nothing is queued behind it, so its client is answered before its state rows are written
        (logged with it, written once the node is idle or the state is read: ``Store.settle``). A bulk block is
        written whole: logging its rows and writing them later costs more in all."""
        return self.defer_rows and not self._queue and block.waited

    def store_block(self, block: Executed, commit: Commit) -> bool:
        """Store an executed block with its commit (fsynced) before the state changes in memory or anyone is
        told it committed; then follow a validator-set change. False when it could not be stored: nothing was
        committed, and its transactions are refused with ``store_unavailable``. Call with ``_lock`` held."""
        assert block.header is not None
        try:
            if block.unplanned is not None:
                raise block.unplanned
            writes = (block.rows.writes if block.rows is not None else
                      {key: (value, block.encoded[key]) for key, value in block.writes.items()})
            self.store.write_block(block.header, commit, [(p.tx, p.stored, r) for p, r in block.included], writes,
                                   defer=self._defers_rows(block), planned=block.rows,
                                   waited=block.waited)
            self._timing.mark("store")
            self._timing.sync_s, self._timing.copying = self.store.commit_s, self.store.commit_copying
        except Exception as exc:
            # Nothing was committed (the SQLite transaction rolled back): say so to every submitter, who may
            # send the same transactions again, and keep producing (the disk may have room later).
            self.state.discard()
            log.exception("block %d could not be stored", block.height)
            # A store found changed by hand is the node's fault, not a passing one: said as execution says it.
            code, status = ("store_changed", 500) if isinstance(exc, StoreError) else ("store_unavailable", 503)
            failed = {"code": code, "status": status,
                      "message": f"the block could not be stored, nothing was committed: {exc}"}
            block.rejected += [(p, {"tx_id": p.tx.tx_id, **failed}) for p, _ in block.included]
            block.included, block.header = [], None
            return False
        except BaseException:
            self.state.discard()
            raise
        self.state.apply(block.writes, block.encoded)
        self.head = block.header
        self._timing.mark("apply")
        if any(key.startswith("registry/") for key in block.writes):
            self._record_validator_change(block.height + 1)  # the next header names the new set
        return True

    def settle_block(self, batch: list[Pending], block: Executed) -> None:
        """Give every transaction of ``batch`` its outcome and tell the listeners about a stored block."""
        with self._cv:
            for pending in batch:
                self._queued_ids.discard(pending.tx.tx_id)
        for index, (pending, result) in enumerate(block.included):
            pending.outcome = {"tx_id": pending.tx.tx_id, "code": "ok", "status": 200, "height": block.height,
                               "index": index, "result": to_json(result)}
        for pending, outcome in block.rejected:
            pending.outcome = outcome
        with self._settled:
            self._settled.notify_all()
        if block.header is not None:
            event = {"height": block.header.height, "hash": block.header.hash().hex(),
                     "tx_count": len(block.included), "time": block.header.time}
            for listener in list(self._listeners):
                listener(event)

    # --- validator set ------------------------------------------------------------------------------------
    def _validators_in_state(self) -> list[PublicKey]:
        """The validators the registry names now (governance may have changed them since genesis)."""
        entries = [v for _, v in self.state.items("registry/") if not is_removed(v) and v["role"] == "validator"]
        return sorted((PublicKey(e["key"]) for e in entries), key=lambda k: k.raw)

    def _record_validator_change(self, next_height: int) -> None:
        """Follow the registry: the set it names now is in force from ``next_height`` on (recorded as
        ``validators@<next_height>`` when it differs from the set in force until then)."""
        current = self._validators_in_state()
        if [v.raw for v in current] != sorted(v.raw for v in self.validators):
            record = json.dumps([v.hex() for v in current])
            if self.store.get_meta(f"validators@{next_height}") != record:
                self.store.set_meta(f"validators@{next_height}", record)
            self.validators = current
            short = self.missing_signatures()
            if short:
                log.warning("from block %d on, this node cannot commit blocks: %s", next_height,
                            self._quorum_gap(short))

    def _quorum_gap(self, missing: list[PublicKey]) -> str:
        n = len(self.validators)
        return (f"a final block needs signatures of {quorum(n)} of the {n} validators, this node holds "
                f"{len(self._held_signers())}; missing signatures of validators "
                f"{', '.join(v.address for v in missing)}")

    def _commit(self, header: BlockHeader) -> Commit:
        return Commit(header.hash(), tuple(sign_commit(k, header) for k in self._held_signers()))

    def _refuse_unfinalizable(self, batch: list[Pending], height: int, missing: list[PublicKey]) -> None:
        """Refuse ``batch``: a block at ``height`` could not become final (nothing is stored)."""
        message = f"block {height} cannot become final, nothing was committed: {self._quorum_gap(missing)}"
        log.warning("%s", message)
        with self._cv:
            for pending in batch:
                self._queued_ids.discard(pending.tx.tx_id)
        for pending in batch:
            pending.outcome = {"tx_id": pending.tx.tx_id, "code": "not_final", "status": 503, "message": message,
                               "missing_signatures": [v.hex() for v in missing]}
        with self._settled:
            self._settled.notify_all()
