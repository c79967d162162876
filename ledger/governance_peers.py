"""Governance across a consortium: a validator node passes the proposals it takes and the approvals it gives to the
other validators' nodes (their URLs: the consortium node's ``peers``), so each decides by its own policy or
operator and whichever collects ⌈2n/3⌉ approvals submits the ``registry.update`` (ledger/governance_proposals.py).

Nothing sent here needs trust: a proposal is an envelope signed by its proposer, an approval a validator's
signature over the change (``ledger_lite.governance``); the receiving node checks both. Each message carries the
proposal with its approvals, so a node that has not yet heard of the proposal takes it first::

    POST {peer}/v1/governance/proposals/{id}/approvals
    {"proposal": "<hex of the envelope>", "approvals": [{"validator": "<hex key>", "sig": "<hex>"}...]}

Sending never holds up the proposer's answer: it runs on a background thread. A peer that is down, or answers
5xx or 429, is tried again with exponential backoff (``BASE_DELAY_S`` doubling up to ``MAX_DELAY_S``) until it
takes the message or ``MAX_ATTEMPTS`` sends failed (about an hour; then the operator must send it again). What is
still to send is kept in the node's governance store (``ledger.governance_store.Outbox``) before the first try, so a
node that restarts goes on sending where it stopped. A newer message for the same proposal and peer (more
approvals) replaces the older. A peer that refuses a message (another 4xx) would refuse it again: it is dropped and
logged. Without a store (``keep_in`` not called) a message is sent once, best effort.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Sequence

import httpx

from ledger.governance_store import Delivery, Outbox, ProposalStore

log = logging.getLogger(__name__)
TIMEOUT_S = 5.0
BASE_DELAY_S = 1.0      # the wait after the first failed send; doubled after each further one
MAX_DELAY_S = 300.0     # never wait longer than this between two sends
MAX_ATTEMPTS = 20       # 1 + 2 + ... + 256 s, then 11 × 300 s: about an hour and ten minutes of trying


def backoff(attempts: int, base_s: float = BASE_DELAY_S, cap_s: float = MAX_DELAY_S) -> float:
    """The wait after the ``attempts``-th failed send (1, 2, ...)."""
    return float(min(base_s * 2 ** min(attempts - 1, 30), cap_s))


def retryable(status: int) -> bool:
    """Whether a peer's answer says "try again later" (it is busy or broken) rather than "never"."""
    return status >= 500 or status == 429


class GovernancePeers:
    """The other validators' nodes at ``urls``; ``keep_in`` a store to retry what they did not take."""

    def __init__(self, urls: Sequence[str], *, base_delay_s: float | None = None, max_delay_s: float | None = None,
                 max_attempts: int | None = None, timeout_s: float | None = None) -> None:
        """Unset, the limits are the module's (read now, so a test may set them for the nodes it starts)."""
        self.urls = [u.rstrip("/") for u in urls]
        self.base_delay_s = BASE_DELAY_S if base_delay_s is None else base_delay_s
        self.max_delay_s = MAX_DELAY_S if max_delay_s is None else max_delay_s
        self.max_attempts = MAX_ATTEMPTS if max_attempts is None else max_attempts
        self.timeout_s = TIMEOUT_S if timeout_s is None else timeout_s
        self.outbox: Outbox | None = None
        self._lock = threading.Lock()
        self._wakeup = threading.Event()
        self._closing = threading.Event()
        self._worker: threading.Thread | None = None

    def keep_in(self, store: ProposalStore) -> None:
        """Keep what is still to send in ``store``'s outbox, and go on sending what it holds (a restart)."""
        self.outbox = store.outbox
        if self.outbox.next_at() is not None:
            self._wake()

    def share(self, proposal_id: str, envelope: bytes, approvals: dict[str, str]) -> threading.Thread | None:
        """Send the proposal and ``approvals`` (validator key hex → signature hex) to every peer, in the
        background; the sending thread (None without peers)."""
        if not self.urls:
            return None
        body: dict[str, object] = {"proposal": envelope.hex(),
                                   "approvals": [{"validator": k, "sig": s} for k, s in sorted(approvals.items())]}
        if self.outbox is None:
            thread = threading.Thread(target=self._send_once, args=(proposal_id, body), daemon=True,
                                      name=f"governance-share-{proposal_id[:8]}")
            thread.start()
            return thread
        self.outbox.queue(proposal_id, self.urls, body, time.time())  # kept before the first try
        return self._wake()

    def close(self, timeout: float = 10.0) -> None:
        """Stop sending (what is left stays in the outbox for the next start)."""
        self._closing.set()
        self._wakeup.set()
        with self._lock:
            worker = self._worker
        if worker is not None:
            worker.join(timeout)

    # --- sending ------------------------------------------------------------------------------------------------
    def _wake(self) -> threading.Thread | None:
        """The sending thread, started if none runs, told to look at the outbox now."""
        with self._lock:
            if self._closing.is_set():
                return None
            self._wakeup.set()
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, daemon=True, name="governance-peers")
                self._worker.start()
            return self._worker

    def _run(self) -> None:
        """Send what is due; sleep until the next is due or something new is queued; end when the outbox is
        empty (``_wake`` starts another) or on ``close``."""
        outbox = self.outbox
        assert outbox is not None
        with httpx.Client(timeout=self.timeout_s) as http:
            while not self._closing.is_set():
                self._wakeup.clear()
                try:
                    for delivery in outbox.due(time.time()):
                        if self._closing.is_set():
                            return
                        self._deliver(http, outbox, delivery)
                    soonest = outbox.next_at()
                except (sqlite3.Error, OSError) as exc:
                    log.error("governance outbox in %s cannot be read or written, sending stops until the next "
                              "share or start: %s", outbox.path, exc)
                    with self._lock:
                        self._worker = None
                    return
                if soonest is None:
                    with self._lock:
                        if not self._wakeup.is_set():
                            self._worker = None
                            return
                    continue
                self._wakeup.wait(max(0.0, soonest - time.time()))

    def _deliver(self, http: httpx.Client, outbox: Outbox, delivery: Delivery) -> None:
        url = f"{delivery.peer}/v1/governance/proposals/{delivery.proposal_id}/approvals"
        try:
            answer = http.post(url, json=delivery.body)
        except httpx.HTTPError as exc:
            problem = f"did not answer ({type(exc).__name__}: {exc})"
        else:
            if answer.status_code < 400:
                if delivery.attempts:
                    log.info("peer %s took proposal %s after %d failed sends", delivery.peer, delivery.proposal_id,
                             delivery.attempts)
                outbox.done(delivery)
                return
            if not retryable(answer.status_code):
                log.warning("peer %s refused the approvals of proposal %s (%d): %s; not sent again", delivery.peer,
                            delivery.proposal_id, answer.status_code, answer.text[:200])
                outbox.done(delivery)
                return
            problem = f"answered {answer.status_code}: {answer.text[:200]}"
        attempts = delivery.attempts + 1
        if attempts >= self.max_attempts:
            log.error("peer %s %s; gave up sending proposal %s after %d attempts (its operator can still be sent it "
                      "again)", delivery.peer, problem, delivery.proposal_id, attempts)
            outbox.done(delivery)
            return
        wait = backoff(attempts, self.base_delay_s, self.max_delay_s)
        log.warning("peer %s %s; proposal %s sent again in %.1f s (attempt %d of %d)", delivery.peer, problem,
                    delivery.proposal_id, wait, attempts + 1, self.max_attempts)
        outbox.later(delivery, time.time() + wait)

    def _send_once(self, proposal_id: str, body: dict[str, object]) -> None:
        with httpx.Client(timeout=self.timeout_s) as http:
            for url in self.urls:
                try:
                    answer = http.post(f"{url}/v1/governance/proposals/{proposal_id}/approvals", json=body)
                    if answer.status_code >= 400:
                        log.warning("peer %s refused the approvals of proposal %s: %s", url, proposal_id,
                                    answer.text[:200])
                except httpx.HTTPError as exc:
                    log.warning("peer %s did not take the approvals of proposal %s: %s", url, proposal_id, exc)
