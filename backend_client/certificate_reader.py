"""A ``ledger_lite.verification.LedgerReader`` that answers one online verification from ONE request (issue 17).

``verify_issuance`` asks four questions of a node: the issuance (``tx``), its block (``block``), the certificate's
proven record (``proven_value("cert/<id>")``) and the header that proof is against (``block`` again). A node that
has ``GET /v1/certificates/{id}/audit`` answers all four at once; ``CertificateReader`` asks it when the check
starts (the ``tx`` call) and serves the rest from that answer:

* ``tx``: asks the one answer afresh, every time (a check starts there), and returns its issuance;
* ``block``: from the last answer when it holds that height (a final header with its commit does not change; the
  verifier checks its signatures and remembers its hash), else asked of the node;
* ``proven_value``: the answer's state proof, served ONCE (it is "the record as of now": a later check must see a
  revocation made since), anything else asked of the node.

An older node without the route is asked the four questions one by one, as before (``NodeClient``
remembers which node lacks it). Verification is not this module's: every answer is checked by the light node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backend_client.errors import ProtocolError

if TYPE_CHECKING:  # either client: NodeClient (httpx) or LightNode (the standard library, greencert verify)
    from backend_client.light_node import LightNode
    from backend_client.node import NodeClient

PARTS = ("tx", "block", "state", "head")


class CertificateReader:
    """Reads for one verifier over ``client`` (``NodeClient``: its one httpx client, keep-alive, failover).

    ``owns_client``: whether ``close`` closes the client too (a reader made for one check); a client kept for a
    session is shared by many readers and closed by its owner. A reader holds one check's answer: give each
    thread its own reader."""

    def __init__(self, client: NodeClient | LightNode, *, owns_client: bool = False) -> None:
        self.client = client
        self.owns_client = owns_client
        self.requests = 0  # HTTP requests this reader made (the benchmark's and the tests' count)
        self._blocks: dict[int, dict[str, Any]] = {}
        self._fresh: dict[str, dict[str, Any]] = {}  # state key → proof not yet served

    def tx(self, tx_id: str) -> dict[str, Any]:
        self._blocks, self._fresh = {}, {}
        self.requests += 1
        answer = self.client.certificate_audit(tx_id)
        if answer is None:  # an older node: the single questions
            self.requests += 1
            return self.client.tx(tx_id)
        missing = [name for name in PARTS if not isinstance(answer.get(name), dict)]
        if missing:
            raise ProtocolError(f"expected a certificate's audit answer with the objects {', '.join(PARTS)}, found "
                                f"{', '.join(missing)} missing or of the wrong type")
        parts: dict[str, dict[str, Any]] = {name: answer[name] for name in PARTS}
        for name in ("block", "head"):
            height = _height(parts[name])
            if height is not None:
                self._blocks[height] = parts[name]
        key = parts["state"].get("key")
        if isinstance(key, str):
            self._fresh[key] = parts["state"]
        return parts["tx"]

    def block(self, height: int) -> dict[str, Any]:
        found = self._blocks.get(height)
        if found is not None:
            return found
        self.requests += 1
        return self.client.block(height)

    def proven_value(self, key: str) -> dict[str, Any]:
        found = self._fresh.pop(key, None)
        if found is not None:
            return found
        self.requests += 1
        return self.client.proven_value(key)

    def close(self) -> None:
        self._blocks, self._fresh = {}, {}
        if self.owns_client:
            self.client.close()


def _height(block: dict[str, Any]) -> int | None:
    header = block.get("header")
    height = header.get("height") if isinstance(header, dict) else None
    return height if isinstance(height, int) and not isinstance(height, bool) else None


__all__ = ["CertificateReader"]
