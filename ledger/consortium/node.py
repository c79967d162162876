"""A validator node of a consortium: the same admission, rules, storage and API as a solo node, ordered by etcd
and final at a quorum of the validators' signatures.

Each node runs three threads besides the HTTP server:

* the **appender** takes admitted transactions off the queue and appends them to etcd in batches (one key per
  batch: canonical CBOR of the raw envelopes), so every node's submissions join one total order;
* the **follower** decides the next block's cut when something waits (``ledger.consortium.order``: an etcd txn
  decides each height once, whoever asks), reads its transactions, checks them again (a batch appended by another
  node is not trusted: format, chain, signature, registered signer, duplicates), executes the block exactly as a
  solo node would (``ledger.producer``), signs its header and posts the signature, and waits until ⌈2n/3⌉ of the
  validators in force signed the same header hash. Only then is the block stored, with the quorum's signatures as
  its commit, and its transactions answered: everything a node serves is final;
* the **watcher** follows etcd's watch on the chain's keys and wakes the follower (it also polls, so a lost
  stream only slows it down).

A node whose own header differs from the one a quorum signed has executed something differently: it does not
store the block, halts (``status()["halted"]``, submissions refused with ``node_halted``), and writes the evidence
(both headers, the fields that differ, who signed what) to ``evidence_dir``. A validator that signs two headers
for one height is counted for neither (``ledger.consortium.votes``).

Catch-up after a stop is the same loop: blocks already final are executed, checked against the quorum's header
and stored. When a cut's transactions were cleaned out of etcd, the block is read from a peer instead
(``GET /v1/blocks/{h}`` and its transactions, a validator-signed read), its commit checked against the validator
set in force and its transactions against the header's root before it is executed.

Ordering is crash-fault tolerant (etcd's Raft): a majority of etcd members must be up for anything to be ordered.
State is checked by every validator: a minority of validators cannot make honest nodes sign a wrong state root,
and a light client accepts a header only with a quorum of signatures.
"""

from __future__ import annotations

import json
import logging
import threading
import time as wall
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ledger.block_timing import BlockTiming
from ledger.cache_sizes import DEFAULT_CACHES, CacheSizes
from ledger.consortium.order import Cut, EtcdOrdering, OrderingError, TxMissing
from ledger.consortium.peers import PeerBlocks
from ledger.consortium.votes import Tally, Vote, post, tally
from ledger.errors import Error, Rejected, StoreError
from ledger.genesis import Genesis
from ledger.node import Node, wall_clock
from ledger.node_base import Clock, Pending
from ledger.private_file import write_private
from ledger.producer import WARM_SLICE_S, Executed
from ledger.registry import is_removed
from ledger.storage import MAX_BLOCK_TXS, Store
from ledger.verifier import Admitted
from ledger_lite import BlockHeader, PublicKey, SigningKey, canonical, decode
from ledger_lite.block import COMMIT_DOMAIN

log = logging.getLogger(__name__)

MAX_CUT_KEYS = MAX_BLOCK_TXS // 2048  # appended batches per block: each holds at most max_block_txs ≤ 2048
POLL_S = 0.25           # the follower looks again this often even when the watch is silent
WAIT_FOR_OWNER_S = 0.2  # transactions another node appended are cut by this node after this long (its cutter died)
RETAIN_BLOCKS = 1000    # etcd keeps a final block's transactions this many blocks; a node further behind reads peers
CLEAN_EVERY = 50        # blocks between clean-ups (by the node that decided the block)
Fault = Callable[[BlockHeader], BlockHeader]  # tests only: what a Byzantine validator signs instead


def encode_batch(raws: Sequence[bytes]) -> bytes:
    return canonical(list(raws))


def decode_batch(data: bytes, where: str) -> list[bytes]:
    """The envelopes of one appended batch; anything else (another node's defect or malice) is no batch."""
    try:
        raw: Any = decode(data)
    except Exception as e:
        raise OrderingError(f"{where}: expected a batch of transactions (a CBOR array of byte strings), found "
                            f"{len(data)} bytes that do not decode: {e}") from None
    if not isinstance(raw, list) or not all(isinstance(r, bytes) for r in raw):
        raise OrderingError(f"{where}: expected a batch of transactions (a CBOR array of byte strings), found "
                            f"{type(raw).__name__}")
    return list(raw)


class ConsortiumNode(Node):
    def __init__(self, store: Store, genesis: Genesis, key: SigningKey, ordering: EtcdOrdering, *,
                 clock: Clock = wall_clock, max_block_txs: int = 2000, peers: Sequence[str] = (),
                 evidence_dir: Path | None = None, fault: Fault | None = None,
                 retain_blocks: int = RETAIN_BLOCKS, clean_every: int = CLEAN_EVERY) -> None:
        if not 1 <= max_block_txs <= 2048:
            raise ValueError(f"max_block_txs: expected 1..2048 (one appended batch), found {max_block_txs}")
        self.ordering = ordering
        self.node_id = ordering.node_id
        self.evidence_dir = evidence_dir
        self.halted: str | None = None
        self._fault = fault
        self.retain_blocks = retain_blocks
        self.clean_every = clean_every
        self._awaiting: dict[bytes, Pending] = {}   # raw envelope → this node's submission waiting for its block
        self._awaiting_lock = threading.Lock()
        self._wake = threading.Event()
        self._waiting: dict[str, Any] | None = None  # the height being finalized, once it waits for signatures
        self._ordering_error: str | None = None
        self._threads: list[threading.Thread] = []
        self._watch: Any = None
        self._watch_error: str | None = None
        self._backlog_since: float | None = None
        super().__init__(store, genesis, key, clock=clock, max_block_txs=max_block_txs)
        self.peers = PeerBlocks(peers, key, self.chain_id)
        self._last_cut = self._cut_at(self.head.height)
        self._cut_end = 0 if self._last_cut is None else self._last_cut.last_rev
        self._cut_to = 0  # the revision the last look for waiting transactions was read at

    def _cut_at(self, height: int) -> Cut | None:
        """Block ``height``'s cut (None for genesis, which etcd never orders)."""
        if height < self.ordering.first_height:
            return None
        cut = self.ordering.block(height)
        if cut is None:
            raise StoreError(f"this node's store ends at block {height}, but etcd (chain {self.chain_id!r} at "
                             f"{self.ordering.client.endpoint}) has no cut for that height: expected the "
                             f"consortium's etcd cluster, found one that never ordered this chain")
        return cut

    # --- threads ------------------------------------------------------------------------------------------
    def start(self, *, warm: bool = False) -> None:
        if warm:
            self._admission.warm()
        if self._threads:
            return
        self._stop = False
        for name, target in (("appender", self._append_loop), ("follower", self._follow_loop),
                             ("watcher", self._watch_loop)):
            thread = threading.Thread(target=target, name=f"consortium-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        self._wake.set()
        watch = self._watch
        if watch is not None:
            watch.stop()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []

    def close(self) -> None:
        super().close()
        self.peers.close()

    def _watch_loop(self) -> None:
        while not self._stop:
            try:
                with self.ordering.client.watch(self.ordering.root, prefix=True) as watch:
                    self._watch = watch
                    if self._stop:
                        return
                    for event in watch:
                        self._watch_error = None
                        if event.type == "PUT":
                            self.ordering.remember(event.kv)  # a batch's bytes: its block reads no request
                        self._wake.set()
            except Error as e:
                if not self._stop and self._watch_error != e.message:  # once per outage, not every poll
                    log.warning("watch on etcd ended (%s); polling every %.2f s until it is back", e.message,
                                POLL_S)
                self._watch_error = e.message
            except Exception:
                if not self._stop:
                    log.exception("watch on etcd failed")
            finally:
                self._watch = None
            if not self._stop:
                wall.sleep(POLL_S)

    # --- appending ----------------------------------------------------------------------------------------
    def submit(self, raw: bytes) -> Pending:
        self._refuse_if_halted()
        return super().submit(raw)

    def submit_many(self, raws: Sequence[bytes]) -> list[Pending | Rejected]:
        self._refuse_if_halted()
        return super().submit_many(raws)

    def _refuse_if_halted(self) -> None:
        if self.halted is not None:
            raise Rejected("node_halted", f"this validator halted and accepts nothing: {self.halted}", 503)

    def _append_loop(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._stop:
                    self._cv.wait()
                if self._stop:
                    return
                batch = [self._queue.popleft() for _ in range(min(self.max_block_txs, len(self._queue)))]
            with self._awaiting_lock:
                for pending in batch:
                    self._awaiting[pending.raw] = pending
            try:
                self.ordering.append(encode_batch([p.raw for p in batch]))
            except Error as e:
                # Not acknowledged: the submitters hear it could not be ordered (if etcd did take the write after
                # all, the transactions commit once and a resubmission is refused as a duplicate).
                self._fail(batch, "ordering_unavailable", f"the transaction could not be appended to the "
                                                          f"consortium's order (etcd): {e.message}")
            self._wake.set()

    def _fail(self, batch: Sequence[Pending], code: str, message: str) -> None:
        self._forget_awaiting(batch)
        with self._cv:
            for pending in batch:
                self._queued_ids.discard(pending.tx.tx_id)
        for pending in batch:
            if pending.outcome is None:
                pending.outcome = {"tx_id": pending.tx.tx_id, "code": code, "status": 503, "message": message}
        with self._settled:
            self._settled.notify_all()

    # --- following the order ------------------------------------------------------------------------------
    def _follow_loop(self) -> None:
        idle_since = wall.monotonic()
        while not self._stop and self.halted is None:
            self._wake.clear()
            try:
                progressed = self._step()
                self._ordering_error = None
            except Error as e:
                progressed = False
                if self._ordering_error != e.message:
                    log.warning("block %d: %s", self.head.height + 1, e.message)
                self._ordering_error = e.message
            except Exception as e:
                progressed = False
                log.exception("block %d could not be followed", self.head.height + 1)
                self._ordering_error = repr(e)
            if progressed:
                idle_since = wall.monotonic()
            elif not self._stop:
                # As the solo producer does (ledger.producer): this thread alone changes the tree.
                if self._idle_write_due(idle_since):
                    self._write_while_idle()
                    idle_since = wall.monotonic()  # after a failure, tried again a second later
                if wall.monotonic() - idle_since >= self.tidy_after_s:
                    self._checkpoint_while_idle()
                if self.store.tree.warming:  # a slice of the tree's loading, then back to the blocks at once
                    self._warm_tree(WARM_SLICE_S)
                    continue
                self._wake.wait(POLL_S)

    def _step(self) -> bool:
        """Finalize the next block if it is decided or should be; False when there is nothing to do yet."""
        height = self.head.height + 1
        cut = self.ordering.block(height)
        if cut is None:
            if not self._should_cut():
                return False
            cut = self.ordering.cut(height, self._cut_end + 1, self._cut_to, time=self.clock(),
                                    max_keys=MAX_CUT_KEYS, follows=self._last_cut)
        self._backlog_since = None
        try:
            raws = self._cut_transactions(cut)
        except TxMissing:
            raws = None
        if raws is None:
            header, commit, raws = self.peers.block(height, self.validators)
            block = self._execute(height, max(cut.time, self.head.time), raws)
            if block.header != header:
                self._halt(block, header, None)
                return False
            self._finish(cut, block, commit)
            return True
        block = self._execute(height, max(cut.time, self.head.time), raws)
        final = self._await_quorum(block)
        if final is None:
            return False  # stopping
        header, votes = final
        assert block.header is not None
        if header.hash() != block.header.hash():
            self._halt(block, header, votes)
            return False
        self._finish(cut, block, votes.commit(header))
        return True

    def _should_cut(self) -> bool:
        """Cut when something was appended since the last cut: at once when this node waits for its own
        submissions, otherwise after ``WAIT_FOR_OWNER_S`` (the node that appended them cuts first)."""
        self._cut_to = self.ordering.waiting(self._cut_end)
        if not self._cut_to:
            self._backlog_since = None
            return False
        with self._awaiting_lock:
            own = bool(self._awaiting)
        now = wall.monotonic()
        if self._backlog_since is None:
            self._backlog_since = now
        return own or now - self._backlog_since >= WAIT_FOR_OWNER_S

    def _cut_transactions(self, cut: Cut) -> list[bytes]:
        raws: list[bytes] = []
        for entry, value in zip(cut.txs, self.ordering.transactions(cut), strict=True):
            try:
                raws.extend(decode_batch(value, entry.key.decode(errors="replace")))
            except OrderingError as e:
                log.warning("block %d: skipped a batch: %s", cut.height, e.message)
        return raws

    def _execute(self, height: int, block_time: int, raws: list[bytes]) -> Executed:
        """Check and execute a block's transactions the same way on every node; the state is left as it was
        (the header's root is computed, then taken out of the tree again until the block is final)."""
        entries, refused = self._entries(raws)
        self._timing = BlockTiming()
        with self._lock:
            block = self.execute_block(entries, height, block_time, empty=True)
            self.state.discard()
        block.rejected += refused
        return block

    def _entries(self, raws: list[bytes]) -> tuple[list[Pending], list[tuple[Pending, dict[str, Any]]]]:
        """The transactions a block executes, in order, and the refused ones of this node's own submissions.
        A node's own submissions passed admission here already; the rest is checked statelessly on every core
        (every node decides the same, since the checks depend only on the bytes and the state before the
        block)."""
        with self._awaiting_lock:
            own = {raw: self._awaiting[raw] for raw in raws if raw in self._awaiting}
        foreign = [raw for raw in raws if raw not in own]
        checked = dict(zip(foreign, self._admission.check(foreign), strict=True)) if foreign else {}
        entries: list[Pending] = []
        refused: list[tuple[Pending, dict[str, Any]]] = []
        repeated: set[bytes] = set()
        committed = self.store.committed([p.tx.tx_id for p in own.values()] +
                                         [a.tx.tx_id for a in checked.values() if isinstance(a, Admitted)])
        for raw in raws:
            if raw in repeated:
                continue  # the same envelope appended twice (sent to two nodes): it is answered once, where it is first
            repeated.add(raw)
            pending = own.get(raw)
            if pending is None:
                admitted = checked[raw]
                if isinstance(admitted, Rejected):
                    continue  # another node's defect: nobody here waits for it
                pending = Pending(tx=admitted.tx, raw=raw, stored=admitted.stored, settled=self._settled)
            problem = self._refusal(pending.tx, pending.tx.tx_id in committed, in_block=True)
            if problem is None and len(entries) >= MAX_BLOCK_TXS:
                problem = Rejected("block_full", f"expected at most {MAX_BLOCK_TXS} transactions in a block; "
                                                 f"submit it again", 503)
            if problem is not None and problem.code == "duplicate" and raw in own:
                # Sent here and to another node, and committed from there in an earlier block: it is committed.
                done = self.tx(pending.tx.tx_id)
                refused.append((pending, {"tx_id": done["tx_id"], "code": "ok", "status": 200,
                                          "height": done["height"], "index": done["index"], "result": done["result"]}))
                continue
            if problem is not None:
                if raw in own:
                    refused.append((pending, {"tx_id": pending.tx.tx_id, "code": problem.code,
                                              "status": problem.status, "message": problem.message}))
                continue
            entries.append(pending)
        return entries, refused

    def _refusal(self, tx: Any, committed: bool, *, in_block: bool = False) -> Rejected | None:
        if not in_block:
            return super()._refusal(tx, committed)
        # In a block, "queued" is no refusal: the node's own queue is what is being executed.
        registered = self.state.get(f"registry/{tx.signer_address}")
        if registered is None or is_removed(registered):
            return Rejected("unknown_signer", f"expected a registered signer, found {tx.signer_address}", 403)
        if committed:
            return Rejected("duplicate", f"transaction {tx.tx_id} was already submitted", 409)
        return None

    def _await_quorum(self, block: Executed) -> tuple[BlockHeader, Tally] | None:
        """Post this node's signature over the block's header and wait until a quorum signed one header."""
        header = block.header
        assert header is not None
        if self.key.public.raw in {v.raw for v in self.validators}:
            signed = header if self._fault is None else self._fault(header)
            vote = Vote(self.node_id, self.key.public.raw, signed,
                        self.key.sign(COMMIT_DOMAIN + signed.hash()))
            posted = post(self.ordering, vote)
            if posted.header.hash() != vote.header.hash():
                log.error("block %d: this node had signed another header before (%s); not signing a second",
                          header.height, posted.header.hash().hex())
        started = wall.monotonic()
        while not self._stop:
            votes = tally(self.ordering, header.height, self.validators)
            final = votes.final()
            if final is not None:
                self._waiting = None
                return final, votes
            signed_by = votes.signers(header.hash())
            self._waiting = {"height": header.height, "header_hash": header.hash().hex(), "need": votes.need,
                             "signed_by": [PublicKey(v).hex() for v in signed_by],
                             "missing": [v.hex() for v in self.validators if v.raw not in set(signed_by)],
                             "waiting_s": round(wall.monotonic() - started, 3),
                             "equivocators": [PublicKey(v).hex() for v in votes.equivocators]}
            self._wake.wait(POLL_S)
            self._wake.clear()
        return None

    def _finish(self, cut: Cut, block: Executed, commit: Any) -> None:
        """Store a final block and answer its transactions."""
        with self._lock:
            stored = self.store_block(block, commit)
        if not stored:
            raise StoreError(f"block {block.height} is final but could not be stored here; retrying")
        self._cut_end = cut.last_rev
        self._last_cut = cut
        if cut.decided_by == self.node_id and block.height % self.clean_every == 0:
            self._clean_up(block.height)
        done = [p for p, _ in block.included] + [p for p, _ in block.rejected]
        self._forget_awaiting(done)
        self.settle_block(done, block)

    def _forget_awaiting(self, settled: Sequence[Pending]) -> None:
        """Stop waiting for ``settled`` in the order. Only these very submissions: the same envelope sent here too
        while another node's copy was in a block (executed here as another node's) is still awaited, and answered
        when this node's copy comes through the order."""
        with self._awaiting_lock:
            for pending in settled:
                if self._awaiting.get(pending.raw) is pending:
                    del self._awaiting[pending.raw]

    def _clean_up(self, height: int) -> None:
        """Delete the appended transactions of final blocks older than ``retain_blocks`` from etcd (each node keeps
        them in its store; a node that was down longer catches up from its peers). Cuts stay: they are small and
        say where each block ends. Safe to repeat, and a failure only delays it."""
        last = height - self.retain_blocks
        first = max(self.ordering.first_height, last - self.clean_every + 1)
        try:
            for h in range(first, last + 1):
                cut = self.ordering.block(h)
                for entry in cut.txs if cut is not None else ():
                    self.ordering.client.delete(entry.key)
        except Error as e:
            log.warning("clean-up of blocks %d..%d in etcd failed (tried again later): %s", first, last, e.message)

    def _halt(self, block: Executed, quorum_header: BlockHeader, votes: Tally | None) -> None:
        """This node's header differs from the one the quorum signed: keep the evidence and stop."""
        own = block.header
        assert own is not None
        differs = [name for name, mine in own.to_json().items() if quorum_header.to_json()[name] != mine]
        halted = (f"block {own.height}: this node computed header {own.hash().hex()}, the validators' quorum "
                  f"signed {quorum_header.hash().hex()}; they differ in {', '.join(differs)}")
        log.error("%s; halting (evidence in %s)", halted, self.evidence_dir)
        if self.evidence_dir is not None:  # written whole before anyone reads ``halted``
            evidence = {"height": own.height, "differs": differs, "own_header": own.to_json(),
                        "quorum_header": quorum_header.to_json(),
                        "quorum_signers": [] if votes is None else
                        [PublicKey(v).hex() for v in votes.signers(quorum_header.hash())],
                        "own_writes": sorted(block.writes), "node_id": self.node_id}
            try:
                self.evidence_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
                write_private(self.evidence_dir / f"block-{own.height}.json",
                              json.dumps(evidence, indent=2).encode(), replace=True)
            except OSError as exc:  # halting matters more than the evidence
                log.error("the evidence of block %d could not be written to %s: %s", own.height, self.evidence_dir,
                          exc)
        self.halted = halted
        with self._awaiting_lock:
            waiting = list(self._awaiting.values())
        self._fail(waiting, "node_halted", f"this validator halted: {self.halted}")

    # --- read side ----------------------------------------------------------------------------------------
    def missing_signatures(self) -> list[PublicKey]:
        """Validators whose signatures the block being finalized still lacks, once it waited over a second."""
        waiting = self._waiting
        if waiting is None or waiting["waiting_s"] < 1.0:
            return []
        return [PublicKey.from_hex(v) for v in waiting["missing"]]

    def status(self) -> dict[str, Any]:
        answer = super().status()
        found = self.store.block(self.head.height)
        signers = [] if found is None else [v.hex() for v, _ in found[1].signatures]
        waiting = self._waiting
        answer.update({
            "ordering": "consortium", "node_id": self.node_id, "final_height": self.head.height,
            "final_signers": signers, "quorum": -(-2 * len(self.validators) // 3),
            "waiting_for_signatures": waiting, "halted": self.halted, "ordering_error": self._ordering_error,
            "can_commit": self.halted is None and not self.missing_signatures() and self._ordering_error is None,
        })
        return answer


def open_consortium_node(data_dir: Path, genesis: Genesis, key: SigningKey, ordering: EtcdOrdering, *,
                         clock: Clock = wall_clock, peers: Sequence[str] = (), max_block_txs: int = 2000,
                         fault: Fault | None = None, retain_blocks: int = RETAIN_BLOCKS,
                         caches: CacheSizes = DEFAULT_CACHES) -> ConsortiumNode:
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    store = Store(data_dir / "ledger.sqlite", tree_cache=caches.tree, value_cache=caches.values)
    return ConsortiumNode(store, genesis, key, ordering, clock=clock, peers=peers,
                          max_block_txs=max_block_txs, evidence_dir=data_dir / "evidence", fault=fault,
                          retain_blocks=retain_blocks)


__all__ = ["ConsortiumNode", "decode_batch", "encode_batch", "open_consortium_node"]
