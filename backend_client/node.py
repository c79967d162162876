"""Typed client for a ledger node's ``/v1`` API (used by the intermediary, the field agents and verifiers)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

import httpx

from backend_client.errors import NotFound, ProtocolError, ServerError
from backend_client.http import HttpBase, decode_json, map_error
from backend_client.paths import block_height, hex_id, path, state_key
from ledger_lite import SigningKey, Transaction, sign_tx
from ledger_lite.request_auth import sign_request

# The node answers 504 commit_timeout after ``timeout``; wait a little longer than that for its answer.
HTTP_MARGIN_S = 5.0
POLL_S = 0.2  # how often a resubmitted transaction that a node calls a duplicate is looked up
CBOR = {"content-type": "application/cbor"}
UNKNOWN_CERTIFICATE = "unknown_certificate"  # the 404 code of a node that has the audit route


def _obj(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ProtocolError(f"expected {what} as a JSON object, found {str(body)[:80]}")
    return body


def _duplicate(outcome: Any) -> bool:
    return isinstance(outcome, dict) and outcome.get("error", outcome.get("code")) == "duplicate"


def _committed_outcome(tx: dict[str, Any]) -> dict[str, Any]:
    """A submission's outcome, as the node answers it, from the committed transaction (``GET /v1/txs/{id}``)."""
    return {"tx_id": tx.get("tx_id"), "code": "ok", "status": 200, "height": tx.get("height"),
            "index": tx.get("index"), "result": tx.get("result")}


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _param(value: Any) -> str:
    """A query value as sent (and signed): booleans as ``true``/``false``, the rest as ``str``."""
    return str(value).lower() if isinstance(value, bool) else str(value)


class NodeClient(HttpBase):
    """``base_url``: one node, or several validator nodes of one chain (a list, or URLs separated by commas);
    a request goes to the node that answered last and on to the next when that one is down or answers 502/503/504
    (``backend_client.http``). A submission is sent on too: the ledger refuses a replayed transaction id, and a
    resubmission it calls a duplicate is resolved to the committed outcome (``submit``).

    ``signer``: the registered key that signs the reads naming a participant (assets and certificates by
    owner, ``ledger_lite.request_auth``); every other request goes unsigned. A call may pass its own ``signer``
    (the direct-mode kiosk signs with the signed-in applicant's key). ``chain_id``: the chain those signatures
    name; asked of the node (``GET /v1/status``) on the first signed read when not given."""

    def __init__(self, base_url: str | Sequence[str], *, transport: httpx.BaseTransport | None = None,
                 timeout: float = 10.0, signer: SigningKey | None = None, chain_id: str | None = None) -> None:
        super().__init__(base_url, transport=transport, timeout=timeout)
        self.signer = signer
        self._chain_id = chain_id
        self._without_audit: set[str] = set()  # base URLs of nodes without GET /v1/certificates/{id}/audit

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
        """Submit one transaction; with ``wait`` the outcome of its block (errors raise ``ApiError``).

        When an earlier attempt may have reached a node (it timed out, or answered 5xx) and the node that answers
        calls the transaction a duplicate, the answer is the committed outcome (``GET /v1/txs/{id}``), or,
        while it is not yet in a block, ``accepted`` without ``wait``; with ``wait`` it is looked up until
        ``timeout``, then ``ServerError`` 504 ``commit_timeout`` as the node would answer."""
        deadline = time.monotonic() + timeout
        response, resent = self._post_tx(tx, wait, timeout)
        while True:
            if not (resent and response.status_code == 409 and _duplicate(_body(response))):
                if response.status_code >= 400:
                    raise map_error(response)
                return _obj(decode_json(response, "POST", "/v1/txs"), "submit outcome")
            committed = self._committed(tx.tx_id)
            if committed is not None:
                return committed
            if not wait:
                return {"tx_id": tx.tx_id, "code": "accepted"}
            left = deadline - time.monotonic()
            if left <= 0:
                raise ServerError(504, "commit_timeout", f"transaction {tx.tx_id} was accepted but not committed "
                                                         f"within {timeout} s; query GET /v1/txs/{tx.tx_id}")
            time.sleep(min(POLL_S, left))
            # Still queued somewhere, or refused by a rule after all (that leaves no trace): ask again.
            response, _ = self._post_tx(tx, wait, max(left - POLL_S, POLL_S))

    def _post_tx(self, tx: Transaction, wait: bool, timeout: float) -> tuple[httpx.Response, bool]:
        return self.exchange("POST", "/v1/txs", content=tx.encode(), headers=CBOR, retry_safe=True,
                             params={"wait": str(wait).lower(), "timeout": timeout}, timeout=timeout + HTTP_MARGIN_S)

    def _committed(self, tx_id: str) -> dict[str, Any] | None:
        """The outcome of ``tx_id`` if it is committed, else None."""
        try:
            return _committed_outcome(self.tx(tx_id))
        except NotFound:
            return None

    def submit_batch(self, txs: Sequence[Transaction], *, wait: bool = True,
                     timeout: float = 20.0) -> list[dict[str, Any]]:
        """Submit many; returns one outcome per transaction (``code`` "ok" or the rejection code).

        A resubmission's duplicates are resolved as in ``submit``; one still not committed at ``timeout`` has
        the outcome ``commit_timeout`` (504), as the node reports it."""
        deadline = time.monotonic() + timeout
        results, resent = self._post_batch(txs, wait, timeout)
        unresolved = [i for i, r in enumerate(results) if resent and _duplicate(r)]
        while unresolved:
            for i in unresolved:
                committed = self._committed(txs[i].tx_id)
                if committed is not None:
                    results[i] = committed
                elif not wait:
                    results[i] = {"tx_id": txs[i].tx_id, "code": "accepted"}
            unresolved = [i for i in unresolved if _duplicate(results[i])]
            left = deadline - time.monotonic()
            if not unresolved:
                break
            if left <= 0:
                for i in unresolved:
                    results[i] = {"tx_id": txs[i].tx_id, "code": "commit_timeout", "status": 504,
                                  "message": "not committed in time"}
                break
            time.sleep(min(POLL_S, left))
            again, _ = self._post_batch([txs[i] for i in unresolved], wait, max(left - POLL_S, POLL_S))
            for i, outcome in zip(unresolved, again, strict=True):
                results[i] = outcome
            unresolved = [i for i in unresolved if _duplicate(results[i])]
        return results

    def _post_batch(self, txs: Sequence[Transaction], wait: bool, timeout: float) -> tuple[list[Any], bool]:
        path = "/v1/txs/batch"
        response, resent = self.exchange("POST", path, json={"txs": [t.encode().hex() for t in txs]},
                                         params={"wait": str(wait).lower(), "timeout": timeout},
                                         timeout=timeout + HTTP_MARGIN_S, retry_safe=True)
        if response.status_code >= 400:
            raise map_error(response)
        results = _obj(decode_json(response, "POST", path), "batch outcome").get("results")
        if not isinstance(results, list) or len(results) != len(txs):
            raise ProtocolError(f"expected {len(txs)} outcomes, found {str(results)[:80]}")
        return results, resent

    def tx(self, tx_id: str) -> dict[str, Any]:
        return _obj(self.json("GET", path("v1", "txs", hex_id(tx_id, "a transaction id"))), "transaction")

    def certificate_audit(self, certificate_id: str) -> dict[str, Any] | None:
        """``GET /v1/certificates/{id}/audit``: everything one online verification of the certificate asks, in
        one answer (``tx``, ``block``, ``state``, ``head``; ``CertificateReader`` serves them). None when the node
        answering is older and lacks the route (404 other than ``unknown_certificate``, or 405): ask it the
        single questions instead; it is then not asked for the route again. ``NotFound`` when no transaction has
        that id."""
        route = path("v1", "certificates", hex_id(certificate_id, "a certificate id"), "audit")
        if self.base_url in self._without_audit:
            return None
        response, _ = self.exchange("GET", route)
        if response.status_code in (404, 405):
            body = _body(response)
            if not (isinstance(body, dict) and body.get("error") == UNKNOWN_CERTIFICATE):
                self._without_audit.add(self.base_url)  # the node that answered: failover made it the preferred
                return None
        if response.status_code >= 400:
            raise map_error(response)
        return _obj(decode_json(response, "GET", route), "a certificate's audit answer")

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

    def proven_registry(self) -> dict[str, Any] | None:
        """``GET /v1/registry?prove=true``: the registry with each entry's state proof and the head they are proven
        against, in one answer (``TrustReader`` serves them); None from an older node, which ignores ``prove`` and
        answers the registry alone."""
        answer = _obj(self.json("GET", "/v1/registry", params={"prove": "true"}), "registry")
        if not isinstance(answer.get("items"), list):
            raise ProtocolError("expected a registry list")
        return answer if "proofs" in answer else None

    def validator_sets(self) -> list[dict[str, Any]]:
        """Every validator set since genesis with the transactions that made it (a light client checks them)."""
        items = _obj(self.json("GET", "/v1/validator-sets"), "validator sets").get("items")
        if not isinstance(items, list):
            raise ProtocolError("expected a list of validator sets")
        return items


# --- governance proposals (issue 15, seed S21-S25; the node's ``ledger.governance_routes``) ----------------------
PROPOSAL_TYPE = "registry.propose"  # a signed envelope that never enters a block: a proposal to a validator node
GOVERNANCE = "/v1/governance/proposals"


def sign_proposal(key: SigningKey, chain_id: str, *, set_entries: Sequence[dict[str, Any]] = (),
                  remove: Sequence[str] = (), nonce: int | None = None) -> Transaction:
    """A proposal to change the registry, signed by ``key`` (a registered intermediary or validator): entries
    ``{"public_key": bytes(32), "role", "name", "attrs"}`` to set and addresses to remove. ``nonce``: the
    ``registry.update``'s to be (default: the time in nanoseconds, new for each proposal)."""
    chosen = time.time_ns() if nonce is None else nonce
    return sign_tx(key, chain=chain_id, type=PROPOSAL_TYPE,
                   body={"set": [dict(e) for e in set_entries], "remove": list(remove)}, nonce=chosen,
                   time=int(time.time()))


class GovernanceClient(NodeClient):
    """A ``NodeClient`` that also proposes registry changes and decides them as a validator node's operator."""

    @classmethod
    def over(cls, node: NodeClient) -> GovernanceClient:
        """A governance client on ``node``'s connections, nodes, signer and chain (e.g. an intermediary's
        ``NodeClient``): closing ``node`` closes it too; close only ``node``."""
        client = cls.__new__(cls)
        client.__dict__.update(node.__dict__)
        return client

    def propose(self, proposal: Transaction) -> dict[str, Any]:
        """Send ``proposal`` (``sign_proposal``); the node's record of it: ``state`` ``waiting``, ``submitted``,
        ``registered`` or ``refused`` (with ``reason``). Sending it again answers the same record."""
        response, _ = self.exchange("POST", GOVERNANCE, content=proposal.encode(), headers=CBOR, retry_safe=True,
                                    timeout=self._timeout + HTTP_MARGIN_S)
        if response.status_code >= 400:
            raise map_error(response)
        return _obj(decode_json(response, "POST", GOVERNANCE), "a proposal")

    def proposal(self, proposal_id: str, *, signer: SigningKey | None = None) -> dict[str, Any]:
        """One proposal (a signed read, by ``signer`` or the client's: a validator, or the proposer)."""
        route = path("v1", "governance", "proposals", hex_id(proposal_id, "a proposal id"))
        return _obj(self._signed_get(route, {}, signer), "a proposal")

    def proposals(self, *, state: str | None = None, proposer: str | None = None, limit: int = 100,
                  signer: SigningKey | None = None) -> list[dict[str, Any]]:
        """Proposals, newest first (a signed read: a validator reads all, anyone else its own)."""
        params = {k: v for k, v in (("state", state), ("proposer", proposer), ("limit", limit)) if v is not None}
        items = _obj(self._signed_get(GOVERNANCE, params, signer), "proposals").get("items")
        if not isinstance(items, list):
            raise ProtocolError("expected a list of proposals")
        return items

    def _signed_get(self, route: str, params: dict[str, Any], signer: SigningKey | None) -> Any:
        query = {k: _param(v) for k, v in params.items()}
        key = signer or self.signer
        headers = {} if key is None else sign_request(key, method="GET", path=unquote(route),
                                                       query=list(query.items()), chain_id=self._chain(),
                                                       now=int(time.time()))
        return self.json("GET", route, params=query, headers=headers)

    def approve_proposal(self, proposal_id: str, operator: SigningKey) -> dict[str, Any]:
        """The node's operator (``operator``: a validator key the node holds) approves a waiting proposal."""
        return self._decide(proposal_id, "approve", operator, {})

    def reject_proposal(self, proposal_id: str, operator: SigningKey, reason: str) -> dict[str, Any]:
        return self._decide(proposal_id, "reject", operator, {"reason": reason})

    def _decide(self, proposal_id: str, action: str, operator: SigningKey, query: dict[str, str]) -> dict[str, Any]:
        route = path("v1", "governance", "proposals", hex_id(proposal_id, "a proposal id"), action)
        headers = sign_request(operator, method="POST", path=unquote(route), query=list(query.items()),
                               chain_id=self._chain(), now=int(time.time()))
        response, _ = self.exchange("POST", route, params=query, headers=headers, retry_safe=False,
                                    timeout=self._timeout + HTTP_MARGIN_S)
        if response.status_code >= 400:
            raise map_error(response)
        return _obj(decode_json(response, "POST", route), "a proposal")
