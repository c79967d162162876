"""``GET /v1/certificates/{certificate_id}/audit`` served lean (issue 17): a plain Starlette route in front of the
FastAPI one (which stays for the OpenAPI document), answering with JSON assembled from encoded parts.

What cannot change once committed is encoded once and kept: a transaction with its inclusion proof (its block is
final and never rewritten) and a block's header and commit (``ledger.storage`` writes a block once). What can
change is read afresh for every request: the certificate's record with its state proof against the head (so a
revocation shows at the very next check), and the head itself. No verdict is ever kept: the verifier checks every
answer.

The answer is made on the event loop when the node's state lock is free and the kept parts are at hand (a few
hundred microseconds, no thread hop); otherwise, in a worker thread, so that a long commit never holds up the
event loop. Bounded: the ``KEPT`` certificates and blocks asked most recently."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections import OrderedDict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ledger.errors import Error, NotFound
from ledger.node import Node
from ledger.queries import UnknownCertificate

KEPT = 4096  # transactions and blocks kept (a transaction's answer is ~1.4 KB, a block's ~0.8 KB)
TX_ID = re.compile(r"[0-9a-f]{64}")
BAD_ID = "path.certificate_id: String should match pattern '^[0-9a-f]{64}$'"


class BadCertificateId(Error):
    """The id in the path is not 64 lowercase hex digits (400, as the route's declared pattern says)."""

    code = "bad_request"
    status = 400


def encoded(value: Any) -> bytes:
    """``value`` as Starlette's ``JSONResponse`` encodes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


class _Kept:
    """A bounded map, the most recently asked kept (thread-safe)."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.kept:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class AuditAnswers:
    """The encoded audit answers of ``node`` (see the module's docstring)."""

    def __init__(self, node: Node, kept: int = KEPT) -> None:
        self.node = node
        self.txs = _Kept(kept)  # certificate id → (height, encoded transaction answer)
        self.blocks = _Kept(kept)  # height → encoded block answer

    def answer(self, certificate_id: str) -> bytes:
        """The whole answer (reads the store for what is not kept; waits for the state lock)."""
        found = self.txs.get(certificate_id)
        if found is None:
            try:
                tx = self.node.tx(certificate_id)
            except NotFound:
                raise UnknownCertificate(f"expected the id of a committed issuance, found no committed "
                                         f"transaction {certificate_id}") from None
            found = (int(tx["height"]), encoded(tx))
            self.txs.put(certificate_id, found)
        state = self.node.proven_value(f"cert/{certificate_id}")
        return self._assembled(certificate_id, found, state, self._block(found[0]), self._block(state["height"]))

    def at_once(self, certificate_id: str) -> bytes | None:
        """The answer when it can be made without waiting (the parts kept, the state lock free), else ``None``."""
        found = self.txs.get(certificate_id)
        if found is None or self.blocks.get(found[0]) is None:
            return None
        lock = getattr(self.node, "_lock", None)  # the node's state lock (re-entrant): never waited for here
        if lock is None or not lock.acquire(blocking=False):
            return None
        try:
            state = self.node.proven_value(f"cert/{certificate_id}")
        finally:
            lock.release()
        head = self.blocks.get(state["height"])
        if head is None:  # a new head: its block is read from the store, off the event loop
            return None
        return self._assembled(certificate_id, found, state, self.blocks.get(found[0]), head)

    def _block(self, height: int) -> bytes:
        found: bytes | None = self.blocks.get(height)
        if found is None:
            found = encoded(self.node.block(height))
            self.blocks.put(height, found)
        return found

    @staticmethod
    def _assembled(certificate_id: str, tx: tuple[int, bytes], state: dict[str, Any], block: bytes,
                   head: bytes) -> bytes:
        value = state.get("value")
        revoked = value.get("revoked") if isinstance(value, dict) else None
        return b"".join((b'{"certificate_id":"', certificate_id.encode(), b'","tx":', tx[1], b',"block":', block,
                         b',"state":', encoded(state), b',"head":', head, b',"revoked":', encoded(revoked), b"}"))


def audit_endpoint(node: Node) -> Any:
    """The route's endpoint over ``node``: errors are raised as the node's (the app's handler words them)."""
    answers = AuditAnswers(node)

    async def certificate_audit(request: Request) -> Response:
        certificate_id = request.path_params["certificate_id"]
        if not isinstance(certificate_id, str) or TX_ID.fullmatch(certificate_id) is None:
            raise BadCertificateId(BAD_ID)
        body = answers.at_once(certificate_id)
        if body is None:
            body = await asyncio.to_thread(answers.answer, certificate_id)
        return Response(body, media_type="application/json")

    certificate_audit.answers = answers  # type: ignore[attr-defined]  # the tests look at what is kept
    return certificate_audit
