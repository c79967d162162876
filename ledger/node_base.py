"""What every part of a node shares: its fields, declared once (``NodeBase``), and the queue's entries (``Pending``).

``ledger.node.Node`` sets the fields; admission (``ledger.admission``), block production (``ledger.producer``)
and queries (``ledger.queries``) are its bases and work on them directly.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ledger.genesis import Genesis
from ledger.state import State
from ledger.storage import Store
from ledger.verifier import ParallelAdmission
from ledger_lite import BlockHeader, PublicKey, SigningKey, Transaction, quorum

Clock = Callable[[], int]
Listener = Callable[[dict[str, Any]], None]


@dataclass
class Pending:
    """A submitted transaction waiting for its block. ``settled`` is the node's one condition for every
    outcome (cheaper than an event per transaction at thousands per second)."""

    tx: Transaction
    raw: bytes
    stored: bytes  # its disk form (ledger.compact), prepared during admission
    settled: threading.Condition = field(repr=False)
    outcome: dict[str, Any] | None = None
    # Sent alone (``submit``, ``POST /v1/txs``): a client is waiting for it, so its block is cut right after it
    # rather than filled with bulk transactions queued behind it (ledger.producer). False for ``submit_many``.
    waited: bool = False
    queued: float = field(default_factory=time.perf_counter)  # when it was admitted (``ledger.block_timing``)

    def wait(self, timeout: float) -> dict[str, Any] | None:
        if self.outcome is None:
            with self.settled:
                self.settled.wait_for(lambda: self.outcome is not None, timeout)
        return self.outcome


class NodeBase:
    """The fields of a node, shared by its parts. ``_lock`` guards ``state`` and ``head`` (admission, which runs
    beside the producer without it, only peeks at the state: ``State.peek``); ``_cv`` guards the queue (``_queue``
    and ``_queued_ids``) and wakes the producer; ``_settled`` is every ``Pending``'s condition."""

    store: Store
    genesis: Genesis
    chain_id: str
    key: SigningKey
    cosigners: tuple[SigningKey, ...]  # further validator keys this node signs with (see ledger.producer)
    clock: Clock
    max_block_txs: int
    linger_s: float
    validators: list[PublicKey]
    state: State
    head: BlockHeader
    _lock: threading.RLock
    _queue: deque[Pending]
    _queued_ids: set[str]
    _cv: threading.Condition
    _settled: threading.Condition
    _stop: bool
    _thread: threading.Thread | None
    _listeners: list[Listener]
    _admission: ParallelAdmission

    def _held_signers(self) -> list[SigningKey]:
        """The keys this node holds that belong to the validator set in force for the next block."""
        allowed = {v.raw for v in self.validators}
        held = {k.public.raw: k for k in (self.key, *self.cosigners) if k.public.raw in allowed}
        return [held[raw] for raw in sorted(held)]

    def missing_signatures(self) -> list[PublicKey]:
        """The validators whose signatures this node lacks for a final next block (⌈2n/3⌉ of the n in force);
        empty when the keys it holds suffice."""
        if len(self._held_signers()) >= quorum(len(self.validators)):
            return []
        held = {k.public.raw for k in self._held_signers()}
        return [v for v in self.validators if v.raw not in held]
