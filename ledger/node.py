"""A ledger node: admission, solo ordering (block production), execution, storage and queries.

Submitted transactions are checked statelessly (S63/S83 verification: format, size, chain id, signature,
registered signer, duplicate), queued, cut into blocks by one producer thread, executed deterministically
against an overlay of the state, stored in one SQLite transaction per block and only then acknowledged.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time as wall
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.errors import NotFound, Rejected, StoreError, shown
from ledger.genesis import Genesis
from ledger.jsonview import to_json
from ledger.registry import Entry, is_removed
from ledger.rules import Context, execute
from ledger.rules.asset_record import PREFIX as ASSET_PREFIX
from ledger.rules.asset_record import unpack
from ledger.state import Overlay, State, encode_state
from ledger.storage import IMPLIED_RESULTS, Store, implied_result
from ledger.verifier import Admitted, ParallelAdmission, check_one, rebuild
from ledger_lite import (
    BlockHeader,
    CommitError,
    EncodingError,
    PublicKey,
    SigningKey,
    Transaction,
    canonical,
    decode_tx,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    root_from_leaf_hashes,
    sha256,
    sign_commit,
    validators_hash,
    verify_commit,
)
from ledger_lite.block import ZERO_HASH, Commit

Clock = Callable[[], int]


def full_view(key: str, value: Any) -> Any:
    """What the API shows for a stored value: assets with their derived fields restored."""
    return unpack(key.removeprefix(ASSET_PREFIX), value) if key.startswith(ASSET_PREFIX) else value
log = logging.getLogger(__name__)


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


def wall_clock() -> int:
    return int(wall.time())


@dataclass
class Pending:
    """A submitted transaction waiting for its block. ``settled`` is the node's one condition for every
    outcome (cheaper than an event per transaction at thousands per second)."""

    tx: Transaction
    raw: bytes
    stored: bytes  # its disk form (ledger.compact), prepared during admission
    settled: threading.Condition = field(repr=False)
    outcome: dict[str, Any] | None = None

    def wait(self, timeout: float) -> dict[str, Any] | None:
        if self.outcome is None:
            with self.settled:
                self.settled.wait_for(lambda: self.outcome is not None, timeout)
        return self.outcome


class Node:
    def __init__(self, store: Store, genesis: Genesis, key: SigningKey, *, clock: Clock = wall_clock,
                 max_block_txs: int = 2000, linger_s: float = 0.0) -> None:
        self.store = store
        self.genesis = genesis
        self.chain_id = genesis.chain_id
        self.key = key
        self.clock = clock
        self.max_block_txs = max_block_txs
        self.linger_s = linger_s
        self.validators = genesis.validators()
        self.state = State()
        self._lock = threading.RLock()        # guards state and head
        self._queue: deque[Pending] = deque()
        self._queued_ids: set[str] = set()
        self._cv = threading.Condition()
        self._settled = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._listeners: list[Callable[[dict[str, Any]], None]] = []
        self._admission = ParallelAdmission(self.chain_id)
        self.head: BlockHeader
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
        with _without_cycle_collection():
            self.state.load(self.store.state_rows())
        try:
            found = self.store.block(last)
        except EncodingError as exc:
            raise StoreError(f"block {last} does not decode: {exc}") from exc
        if found is None:
            raise StoreError(f"block {last} is missing from the store")
        header, commit, _ = found
        # Tamper evidence: the stored state must hash to the last signed header's state root, and that header
        # must carry a quorum of the validator set that was in force for it.
        try:
            verify_commit(header, commit, self._signing_set(last))
        except CommitError as exc:
            raise StoreError(f"the last block {last} has no valid commit: {exc}") from exc
        if self.state.root() != header.state_root:
            raise StoreError(f"stored state hashes to {self.state.root().hex()}, but the signed header of block "
                             f"{last} commits to {header.state_root.hex()}: the store was changed outside the node")
        self.head = header
        self.validators = self._validators_in_state()

    def _validators_in_state(self) -> list[PublicKey]:
        """The validators the registry names now (governance may have changed them since genesis)."""
        entries = [v for _, v in self.state.items("registry/") if not is_removed(v) and v["role"] == "validator"]
        return sorted((PublicKey(e["key"]) for e in entries), key=lambda k: k.raw)

    def _signing_set(self, height: int) -> list[PublicKey]:
        """The validator set that signed block ``height``: the last one recorded at or below it."""
        recorded = {int(k.split("@", 1)[1]): v for k, v in self.store.meta_items("validators@")}
        at = max((h for h in recorded if h <= height), default=None)
        if at is None:
            return self.genesis.validators()
        return [PublicKey.from_hex(k) for k in json.loads(recorded[at])]

    def _record_validator_change(self, next_height: int) -> None:
        current = self._validators_in_state()
        if [v.raw for v in current] != sorted(v.raw for v in self.validators):
            self.store.set_meta(f"validators@{next_height}", json.dumps([v.hex() for v in current]))
            self.validators = current

    def _write_genesis(self) -> None:
        writes: dict[str, Any] = {f"registry/{e.address}": e.to_state() for e in self.genesis.entries}
        encoded = {key: canonical(value) for key, value in writes.items()}
        header = BlockHeader(chain=self.chain_id, height=0, prev_hash=ZERO_HASH, time=self.genesis.time,
                             tx_root=merkle_root([]), state_root=self.state.prepare(encoded),
                             validators_hash=validators_hash(self.validators))
        commit = Commit(header.hash(), (sign_commit(self.key, header),))
        self.store.set_meta("chain_id", self.chain_id)
        self.store.set_meta("validators@0", json.dumps([v.hex() for v in self.validators]))
        self.store.write_block(header, commit, [], {key: (writes[key], encoded[key]) for key in writes})
        self.state.apply(writes, encoded)
        self.head = header

    # --- producer thread --------------------------------------------------------------------------------
    def start(self, *, warm: bool = False) -> None:
        """Start block production; ``warm`` also starts the admission worker processes at once (a long-running
        node), instead of on the first large batch."""
        if warm:
            self._admission.warm()
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

    def close(self) -> None:
        self.stop()
        self._admission.close()
        self.store.close()

    def add_listener(self, listener: Callable[[dict[str, Any]], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[dict[str, Any]], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._stop:
                    self._cv.wait()
                if self._stop and not self._queue:
                    return
            # No waiting when idle: a lone transaction commits at once; under load the queue fills while the
            # previous block is being produced, so blocks grow by themselves.
            if self.linger_s:
                wall.sleep(self.linger_s)
            with self._cv:
                batch = [self._queue.popleft() for _ in range(min(self.max_block_txs, len(self._queue)))]
            self.produce_block(batch)

    # --- admission ----------------------------------------------------------------------------------------
    def admit(self, raw: bytes) -> Transaction:
        """Every admission check (S63/S83); raises ``Rejected`` with a 4xx code. Changes nothing."""
        return self._admit(raw).tx

    def _admit(self, raw: bytes) -> Admitted:
        admitted = rebuild(raw, check_one(raw, self.chain_id))
        if isinstance(admitted, Rejected):
            raise admitted
        refused = self._refusal(admitted.tx, self.store.has_tx(admitted.tx.tx_id))
        if refused is not None:
            raise refused
        return admitted

    def _refusal(self, tx: Transaction, committed: bool) -> Rejected | None:
        """The stateful admission checks: a registered (not removed) signer, a transaction not seen before
        (``committed``: the store holds it)."""
        registered = self.state.get(f"registry/{tx.signer_address}")
        if registered is None or is_removed(registered):
            return Rejected("unknown_signer", f"expected a registered signer, found {tx.signer_address}", 403)
        if committed or tx.tx_id in self._queued_ids:
            return Rejected("duplicate", f"transaction {tx.tx_id} was already submitted", 409)
        return None

    def submit(self, raw: bytes) -> Pending:
        tx, stored = self._admit(raw)
        pending = Pending(tx=tx, raw=raw, stored=stored, settled=self._settled)
        with self._cv:
            if tx.tx_id in self._queued_ids or self.store.has_tx(tx.tx_id):
                raise Rejected("duplicate", f"transaction {tx.tx_id} was already submitted", 409)
            self._queued_ids.add(tx.tx_id)
            self._queue.append(pending)
            self._cv.notify()
        return pending

    def submit_many(self, raws: Sequence[bytes]) -> list[Pending | Rejected]:
        """Admit many at once, the stateless checks spread over every core; one result per input, in order."""
        results: list[Pending | Rejected] = []
        done = 0
        for checked in self._admission.check_chunks(raws):
            self._enqueue(raws[done:done + len(checked)], checked, results)
            done += len(checked)
        return results

    def _enqueue(self, raws: Sequence[bytes], checked: Sequence[Admitted | Rejected],
                 results: list[Pending | Rejected]) -> None:
        with self._cv:
            # Under the queue's lock: a transaction leaves ``_queued_ids`` only once the store holds it.
            committed = self.store.committed([a.tx.tx_id for a in checked if isinstance(a, Admitted)])
            for raw, admitted in zip(raws, checked, strict=True):
                refused = admitted if isinstance(admitted, Rejected) else \
                    self._refusal(admitted.tx, admitted.tx.tx_id in committed)
                if refused is not None:
                    results.append(refused)
                else:
                    assert isinstance(admitted, Admitted)
                    tx = admitted.tx
                    pending = Pending(tx=tx, raw=raw, stored=admitted.stored, settled=self._settled)
                    self._queued_ids.add(tx.tx_id)
                    self._queue.append(pending)
                    results.append(pending)
            self._cv.notify()

    # --- block production ---------------------------------------------------------------------------------
    def produce_block(self, batch: list[Pending]) -> BlockHeader | None:
        with self._lock:
            height = self.head.height + 1
            block_time = max(self.clock(), self.head.time)
            overlay = Overlay(self.state)
            included: list[tuple[Pending, dict[str, Any]]] = []
            rejected: list[tuple[Pending, dict[str, Any]]] = []
            for pending in batch:
                try:
                    result = execute(pending.tx, Context(state=overlay, time=block_time, height=height))
                    included.append((pending, result))
                except Rejected as exc:
                    outcome: dict[str, Any] = {"tx_id": pending.tx.tx_id, "code": exc.code, "status": exc.status,
                                               "message": exc.message}
                    if hasattr(exc, "certificate_id"):
                        outcome["certificate_id"] = exc.certificate_id
                    rejected.append((pending, outcome))
                except Exception as exc:  # a rule's defect must never stop block production
                    log.exception("transaction %s failed in its rule", pending.tx.tx_id)
                    rejected.append((pending, {"tx_id": pending.tx.tx_id, "code": "internal_error", "status": 500,
                                               "message": f"the rule for {pending.tx.type} failed: {exc!r}"}))
            header = None
            if included:
                raws = [p.raw for p, _ in included]
                encoded = {key: encode_state(value) for key, value in overlay.writes.items()}
                header = BlockHeader(chain=self.chain_id, height=height, prev_hash=self.head.hash(), time=block_time,
                                     tx_root=merkle_root(raws), state_root=self.state.prepare(encoded),
                                     validators_hash=validators_hash(self.validators))
                commit = Commit(header.hash(), (sign_commit(self.key, header),))
                # Stored (and fsynced) before the state changes in memory or anyone is told it committed.
                try:
                    self.store.write_block(header, commit, [(p.tx, p.stored, r) for p, r in included],
                                           {key: (value, encoded[key]) for key, value in overlay.writes.items()})
                except Exception as exc:
                    # Nothing was committed (the SQLite transaction rolled back): say so to every submitter, who
                    # may send the same transactions again, and keep producing (the disk may have room later).
                    self.state.discard()
                    log.exception("block %d could not be stored", height)
                    failed = {"code": "store_unavailable", "status": 503,
                              "message": f"the block could not be stored, nothing was committed: {exc}"}
                    rejected += [(p, {"tx_id": p.tx.tx_id, **failed}) for p, _ in included]
                    included, header = [], None
                except BaseException:
                    self.state.discard()
                    raise
                else:
                    self.state.apply(overlay.writes, encoded)
                    self.head = header
                    if any(key.startswith("registry/") for key in overlay.writes):
                        self._record_validator_change(height + 1)  # the next header names the new set
        with self._cv:
            for pending in batch:
                self._queued_ids.discard(pending.tx.tx_id)
        for index, (pending, result) in enumerate(included):
            pending.outcome = {"tx_id": pending.tx.tx_id, "code": "ok", "status": 200, "height": height,
                               "index": index, "result": to_json(result)}
        for pending, outcome in rejected:
            pending.outcome = outcome
        with self._settled:
            self._settled.notify_all()
        if header is not None:
            event = {"height": header.height, "hash": header.hash().hex(), "tx_count": len(included),
                     "time": header.time}
            for listener in list(self._listeners):
                listener(event)
        return header

    # --- queries ------------------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        with self._lock:
            head = self.head
            root = self.state.root()
        return {"chain_id": self.chain_id, "height": head.height, "state_root": root.hex(),
                "head_hash": head.hash().hex(), "time": head.time, "validators": [v.hex() for v in self.validators],
                "node_key": self.key.public.hex(), "queued": len(self._queue)}

    def block(self, height: int) -> dict[str, Any]:
        found = self.store.block(height)
        if found is None:
            raise NotFound(f"no block at height {height}; the head is at {self.head.height}")
        header, commit, count = found
        return {"header": header.to_json(), "commit": commit.to_json(), "tx_count": count}

    def tx(self, tx_id: str) -> dict[str, Any]:
        found = self.store.tx(tx_id)
        if found is None:
            raise NotFound(f"no committed transaction {tx_id}")
        height, index, raw, result = found
        raws = self.store.block_txs(height)
        leaves = [leaf_hash(r) for r in raws]
        # Served only as stored and signed: a transaction edited in the store no longer hashes to its id, or its
        # block no longer to the root the signed header commits to.
        block = self.store.block(height)
        if sha256(raw).hex() != tx_id or block is None or root_from_leaf_hashes(leaves) != block[0].tx_root:
            raise StoreError(f"the stored transactions of block {height} do not hash to the transaction root its "
                             f"signed header commits to; the store was changed outside the node")
        proof = inclusion_proof(index, leaves)
        tx = decode_tx(raw)
        if tx.type in IMPLIED_RESULTS:
            result = implied_result(tx.type, tx_id)
        return {"tx_id": tx_id, "height": height, "index": index, "type": tx.type, "signer": tx.signer_address,
                "body": to_json(tx.body), "time": tx.time, "raw": raw.hex(), "result": to_json(result),
                "proof": {"leaf_index": index, "tree_size": len(raws), "hashes": [h.hex() for h in proof]}}

    def value(self, key: str) -> Any:
        with self._lock:
            value = self.state.get(key)
        if value is None:
            raise NotFound(f"no state value at {shown(key)}")
        return to_json(full_view(key, value))

    def proven_value(self, key: str) -> dict[str, Any]:
        """The value at ``key`` (or its absence) with a sparse-Merkle proof against the head's state root."""
        with self._lock:
            value = self.state.get(key)
            encoded = self.state.encoded(key)
            proof = self.state.prove(key)
            head = self.head
        out: dict[str, Any] = {"key": key, "height": head.height, "state_root": head.state_root.hex(),
                               "present": value is not None, "proof": proof.to_json()}
        if value is not None and encoded is not None:
            # ``value`` is the full view; ``value_cbor`` is the stored record the proof is about.
            out.update(value=to_json(full_view(key, value)), value_cbor=encoded.hex())
        return out

    def assets(self, owner: str, *, method: str | None = None, start: int | None = None, end: int | None = None,
               trade: str | None = None, valid_at: int | None = None) -> list[dict[str, Any]]:
        """S84/S507: assets owned by ``owner``, optionally filtered by method, production period, trade state and
        ``valid_at`` (not expired at that time), soonest expiry first. Filters apply to the stored records, so
        only what is listed is expanded."""
        with self._lock:
            records = [(k, self.state.get(k)) for k in self.state.owned(owner)]
        out = []
        for key, record in records:
            if record is None or (method and record["method"] != method) or (trade and record["trade"] != trade):
                continue
            if (start is not None and record["start"] < start) or (end is not None and record["end"] > end):
                continue
            if valid_at is not None and record["expires"] <= valid_at:
                continue
            out.append(to_json(unpack(key.removeprefix(ASSET_PREFIX), record)))
        out.sort(key=lambda a: (a["expires"], a["start"], a["id"]))
        return out

    def certificates(self, owner: str) -> list[dict[str, Any]]:
        with self._lock:
            certs = [v for _, v in self.state.items("cert/") if v["owner"] == owner]
        return [to_json({k: v for k, v in c.items() if k != "assets"}) for c in certs]

    def registry(self) -> list[dict[str, Any]]:
        """Every key the registry names, live or removed (a removed issuer's earlier certificates still verify:
        verifiers see ``removed`` and the height it happened at)."""
        with self._lock:
            values = [v for _, v in sorted(self.state.items("registry/"))]
        out = []
        for value in values:
            if is_removed(value):
                former = Entry.from_state({"address": value["address"], **value["former"]})
                out.append({**former.to_json(), "removed": True, "removed_at": value["height"]})
            else:
                out.append({**Entry.from_state(value).to_json(), "removed": False})
        return out


def open_node(data_dir: Path, genesis: Genesis, key: SigningKey, *, clock: Clock = wall_clock) -> Node:
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Node(Store(data_dir / "ledger.sqlite"), genesis, key, clock=clock)
