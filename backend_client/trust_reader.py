"""An ``ledger_lite.trust_anchor.AnchorReader`` that brings a trust list up to date in three requests instead of
three and two per registry entry (issue 17: the command line asked the registry and every entry's proof and header
on every online check).

``refresh`` asks: the node's status, its validator sets, the head's header, the registry, then for each entry its
state proof and the header that proof is against. A node with ``GET /v1/registry?prove=true`` answers the registry
with every entry's proof and their one head at once; ``TrustReader`` asks it at the ``registry`` call and serves
the proofs (each once: they are "as of now") and that head from the answer. Anything else, and everything from an
older node, is asked of the node as before. Nothing is trusted here: ``refresh`` checks every answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backend_client.errors import ProtocolError

if TYPE_CHECKING:  # either client: NodeClient (httpx) or LightNode (the standard library, greencert verify)
    from backend_client.light_node import LightNode
    from backend_client.node import NodeClient


class TrustReader:
    """``refresh``'s reads over ``client`` (its one httpx client, keep-alive, failover)."""

    def __init__(self, client: NodeClient | LightNode) -> None:
        self.client = client
        self.requests = 0  # HTTP requests this reader made
        self._blocks: dict[int, dict[str, Any]] = {}
        self._fresh: dict[str, dict[str, Any]] = {}  # state key → proof not yet served

    def status(self) -> dict[str, Any]:
        self.requests += 1
        return self.client.status()

    def validator_sets(self) -> list[dict[str, Any]]:
        self.requests += 1
        return self.client.validator_sets()

    def registry(self) -> list[dict[str, Any]]:
        self._blocks, self._fresh = {}, {}
        self.requests += 1
        answer = self.client.proven_registry()
        if answer is None:  # an older node: the registry alone, the proofs one by one
            self.requests += 1
            return self.client.registry()
        items, proofs, head = answer.get("items"), answer.get("proofs"), answer.get("head")
        if not (isinstance(items, list) and isinstance(proofs, list) and isinstance(head, dict)):
            raise ProtocolError("expected a proven registry with the lists items and proofs and the object head, "
                                "found parts missing or of the wrong type")
        for proof in proofs:
            if isinstance(proof, dict) and isinstance(proof.get("key"), str):
                self._fresh[proof["key"]] = proof
        header = head.get("header")
        height = header.get("height") if isinstance(header, dict) else None
        if isinstance(height, int) and not isinstance(height, bool):
            self._blocks[height] = head
        return items

    def proven_value(self, key: str) -> dict[str, Any]:
        found = self._fresh.pop(key, None)
        if found is not None:
            return found
        self.requests += 1
        return self.client.proven_value(key)

    def block(self, height: int) -> dict[str, Any]:
        found = self._blocks.get(height)
        if found is not None:
            return found
        self.requests += 1
        return self.client.block(height)

    def tx(self, tx_id: str) -> dict[str, Any]:
        self.requests += 1
        return self.client.tx(tx_id)


__all__ = ["TrustReader"]
