"""Admission: the stateful checks (a registered signer, no duplicate) after the stateless ones of
``ledger.verifier``, and the queue a transaction waits in for its block (S63/S83)."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.errors import Rejected
from ledger.node_base import NodeBase, Pending
from ledger.registry import is_removed
from ledger.verifier import Admitted, check_one, rebuild
from ledger_lite import Transaction


class Admission(NodeBase):
    """A node's admission: ``admit`` checks, ``submit``/``submit_many`` check and queue for the producer."""

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
        (``committed``: the store holds it). Made without the node's lock, which a block holds while it is made:
        the registry is peeked at (``State.peek``), and the block's rule checks the signer again."""
        registered = self.state.peek(f"registry/{tx.signer_address}")
        if registered is None or is_removed(registered):
            return Rejected("unknown_signer", f"expected a registered signer, found {tx.signer_address}", 403)
        if committed or tx.tx_id in self._queued_ids:
            return Rejected("duplicate", f"transaction {tx.tx_id} was already submitted", 409)
        return None

    def submit(self, raw: bytes) -> Pending:
        tx, stored = self._admit(raw)
        pending = Pending(tx=tx, raw=raw, stored=stored, settled=self._settled, waited=True)
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
