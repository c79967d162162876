"""Governance across a consortium: a validator node passes the proposals it takes and the approvals it gives to the
other validators' nodes (their URLs: the consortium node's ``peers``), so each decides by its own policy or
operator and whichever collects ⌈2n/3⌉ approvals submits the ``registry.update`` (ledger/governance_proposals.py).

Nothing sent here needs trust: a proposal is an envelope signed by its proposer, an approval a validator's
signature over the change (``ledger_lite.governance``); the receiving node checks both. Each message carries the
proposal with its approvals, so a node that has not yet heard of the proposal takes it first::

    POST {peer}/v1/governance/proposals/{id}/approvals
    {"proposal": "<hex of the envelope>", "approvals": [{"validator": "<hex key>", "sig": "<hex>"}...]}

Sending is best effort, on a background thread, and never holds up the proposer's answer: a peer that is down
misses it (its operator can still see and approve the proposal once it is sent to that node again).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import httpx

log = logging.getLogger(__name__)
TIMEOUT_S = 5.0


class GovernancePeers:
    def __init__(self, urls: Sequence[str]) -> None:
        self.urls = [u.rstrip("/") for u in urls]

    def share(self, proposal_id: str, envelope: bytes, approvals: dict[str, str]) -> threading.Thread | None:
        """Send the proposal and ``approvals`` (validator key hex → signature hex) to every peer, in the
        background; the thread (None without peers)."""
        if not self.urls:
            return None
        body = {"proposal": envelope.hex(),
                "approvals": [{"validator": k, "sig": s} for k, s in sorted(approvals.items())]}
        thread = threading.Thread(target=self._send, args=(proposal_id, body), daemon=True,
                                  name=f"governance-share-{proposal_id[:8]}")
        thread.start()
        return thread

    def _send(self, proposal_id: str, body: dict[str, object]) -> None:
        with httpx.Client(timeout=TIMEOUT_S) as http:
            for url in self.urls:
                try:
                    answer = http.post(f"{url}/v1/governance/proposals/{proposal_id}/approvals", json=body)
                    if answer.status_code >= 400:
                        log.warning("peer %s refused the approvals of proposal %s: %s", url, proposal_id,
                                    answer.text[:200])
                except httpx.HTTPError as exc:
                    log.warning("peer %s did not take the approvals of proposal %s: %s", url, proposal_id, exc)
