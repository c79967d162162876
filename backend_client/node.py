"""Typed client for a ledger node's ``/v1`` API (used by the intermediary, the field agents and verifiers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend_client.errors import ProtocolError
from backend_client.http import HttpBase
from backend_client.paths import block_height, hex_id, path, state_key
from ledger_lite import Transaction

# The node answers 504 commit_timeout after ``timeout``; wait a little longer than that for its answer.
HTTP_MARGIN_S = 5.0


def _obj(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ProtocolError(f"expected {what} as a JSON object, found {str(body)[:80]}")
    return body


class NodeClient(HttpBase):
    def status(self) -> dict[str, Any]:
        return _obj(self.json("GET", "/v1/status"), "node status")

    def submit(self, tx: Transaction, *, wait: bool = True, timeout: float = 10.0) -> dict[str, Any]:
        """Submit one transaction; with ``wait`` the outcome of its block (errors raise ``ApiError``)."""
        return _obj(self.json("POST", "/v1/txs", content=tx.encode(), headers={"content-type": "application/cbor"},
                              params={"wait": str(wait).lower(), "timeout": timeout},
                              timeout=timeout + HTTP_MARGIN_S), "submit outcome")

    def submit_batch(self, txs: Sequence[Transaction], *, wait: bool = True,
                     timeout: float = 20.0) -> list[dict[str, Any]]:
        """Submit many; returns one outcome per transaction (``code`` "ok" or the rejection code)."""
        body = _obj(self.json("POST", "/v1/txs/batch", json={"txs": [t.encode().hex() for t in txs]},
                              params={"wait": str(wait).lower(), "timeout": timeout},
                              timeout=timeout + HTTP_MARGIN_S), "batch outcome")
        results = body.get("results")
        if not isinstance(results, list) or len(results) != len(txs):
            raise ProtocolError(f"expected {len(txs)} outcomes, found {str(results)[:80]}")
        return results

    def tx(self, tx_id: str) -> dict[str, Any]:
        return _obj(self.json("GET", path("v1", "txs", hex_id(tx_id, "a transaction id"))), "transaction")

    def block(self, height: int) -> dict[str, Any]:
        return _obj(self.json("GET", path("v1", "blocks", str(block_height(height)))), "block")

    def value(self, key: str) -> dict[str, Any]:
        return _obj(self.json("GET", f"/v1/state/{state_key(key)}"), "state value")

    def proven_value(self, key: str) -> dict[str, Any]:
        """A state value (or its absence) with a sparse-Merkle proof; check it with ``ledger_lite.light``."""
        return _obj(self.json("GET", f"/v1/state/{state_key(key)}", params={"prove": "true"}), "proven state value")

    def assets(self, owner: str, **filters: Any) -> list[dict[str, Any]]:
        params = {"owner": owner, **{k: v for k, v in filters.items() if v is not None}}
        items = _obj(self.json("GET", "/v1/assets", params=params), "asset list").get("items")
        if not isinstance(items, list):
            raise ProtocolError("expected an asset list")
        return items

    def certificates(self, owner: str) -> list[dict[str, Any]]:
        items = _obj(self.json("GET", "/v1/certificates", params={"owner": owner}), "certificates").get("items")
        if not isinstance(items, list):
            raise ProtocolError("expected a certificate list")
        return items

    def registry(self) -> list[dict[str, Any]]:
        items = _obj(self.json("GET", "/v1/registry"), "registry").get("items")
        if not isinstance(items, list):
            raise ProtocolError("expected a registry list")
        return items
