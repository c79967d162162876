"""Fakes for the trading devices' unit tests: a ledger node that records what it is sent and answers state reads
from a dict the test fills (the real node and rules are used by the integration tests)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend_client import ApiError, NotFound, Unreachable
from ledger_lite import Transaction


class FakeNode:
    """Stands in for ``backend_client.NodeClient``: ``refuse[type] = (code, message)`` refuses a type;
    ``down`` makes every call ``Unreachable``; ``state`` answers ``value``."""

    def __init__(self) -> None:
        self.sent: list[Transaction] = []
        self.state: dict[str, Any] = {}
        self.refuse: dict[str, tuple[str, str]] = {}
        self.down = False
        self.results: dict[str, dict[str, Any]] = {}

    def _check(self) -> None:
        if self.down:
            raise Unreachable("cannot reach http://node.invalid: connection refused")

    def submit(self, tx: Transaction, *, wait: bool = True, timeout: float = 10.0) -> dict[str, Any]:
        self._check()
        if tx.type in self.refuse:
            code, message = self.refuse[tx.type]
            raise ApiError(409, code, message)
        self.sent.append(tx)
        return {"tx_id": tx.tx_id, "code": "ok", "status": 200, "height": len(self.sent),
                "result": self.results.get(tx.type, {})}

    def submit_batch(self, txs: Sequence[Transaction], *, wait: bool = True,
                     timeout: float = 20.0) -> list[dict[str, Any]]:
        out = []
        for tx in txs:
            try:
                out.append(self.submit(tx))
            except ApiError as exc:
                out.append({"tx_id": tx.tx_id, "code": exc.code, "status": exc.status, "message": exc.message})
        return out

    def value(self, key: str) -> dict[str, Any]:
        self._check()
        if key not in self.state:
            raise NotFound(404, "not_found", f"no value under {key}")
        return {"key": key, "value": self.state[key], "height": len(self.sent)}

    def of_type(self, kind: str) -> list[Transaction]:
        return [tx for tx in self.sent if tx.type == kind]
