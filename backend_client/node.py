"""Typed client for a ledger node's ``/v1`` API (used by the intermediary, the field agents and verifiers)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

import httpx

from backend_client.errors import ProtocolError
from backend_client.http import HttpBase
from backend_client.paths import block_height, hex_id, path, state_key
from ledger_lite import SigningKey, Transaction
from ledger_lite.request_auth import sign_request

# The node answers 504 commit_timeout after ``timeout``; wait a little longer than that for its answer.
HTTP_MARGIN_S = 5.0


def _obj(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ProtocolError(f"expected {what} as a JSON object, found {str(body)[:80]}")
    return body


def _param(value: Any) -> str:
    """A query value as sent (and signed): booleans as ``true``/``false``, the rest as ``str``."""
    return str(value).lower() if isinstance(value, bool) else str(value)


class NodeClient(HttpBase):
    """``signer``: the registered key that signs the reads naming a participant (assets and certificates by
    owner, ``ledger_lite.request_auth``); every other request goes unsigned. A call may pass its own ``signer``
    (the direct-mode kiosk signs with the signed-in applicant's key). ``chain_id``: the chain those signatures
    name; asked of the node (``GET /v1/status``) on the first signed read when not given."""

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None, timeout: float = 10.0,
                 signer: SigningKey | None = None, chain_id: str | None = None) -> None:
        super().__init__(base_url, transport=transport, timeout=timeout)
        self.signer = signer
        self._chain_id = chain_id

    def _chain(self) -> str:
        if self._chain_id is None:
            chain = self.status().get("chain_id")
            if not isinstance(chain, str):
                raise ProtocolError(f"expected the node's chain id in its status, found {str(chain)[:80]}")
            self._chain_id = chain
        return self._chain_id

    def _signed_read(self, route: str, params: dict[str, Any], signer: SigningKey | None, what: str) -> Any:
        """GET ``route`` signed by ``signer`` (or the client's); unsigned without one (the node answers 401)."""
        query = {k: _param(v) for k, v in params.items()}
        key = signer or self.signer
        headers = {} if key is None else sign_request(key, method="GET", path=unquote(route),
                                                       query=list(query.items()), chain_id=self._chain(),
                                                       now=int(time.time()))
        items = _obj(self.json("GET", route, params=query, headers=headers), what).get("items")
        if not isinstance(items, list):
            raise ProtocolError(f"expected {what} as a list of items")
        return items

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

    def assets(self, owner: str, *, signer: SigningKey | None = None, **filters: Any) -> list[dict[str, Any]]:
        """``owner``'s assets (a signed read: by ``owner`` itself, an intermediary or a validator)."""
        params = {"owner": owner, **{k: v for k, v in filters.items() if v is not None}}
        items: list[dict[str, Any]] = self._signed_read("/v1/assets", params, signer, "an asset list")
        return items

    def certificates(self, owner: str, *, signer: SigningKey | None = None) -> list[dict[str, Any]]:
        """``owner``'s certificates (a signed read, as ``assets``)."""
        items: list[dict[str, Any]] = self._signed_read("/v1/certificates", {"owner": owner}, signer,
                                                        "a certificate list")
        return items

    def registry(self) -> list[dict[str, Any]]:
        items = _obj(self.json("GET", "/v1/registry"), "registry").get("items")
        if not isinstance(items, list):
            raise ProtocolError("expected a registry list")
        return items
