"""A light node's reads of a ledger node over the standard library (issue 16): what ``greencert verify`` asks —
the status, the validator sets and the proven registry (``TrustReader``), one certificate's audit answer
(``CertificateReader``), transactions, blocks and state proofs — without loading httpx, which costs a one-shot
command more than the verification itself (~0.1–0.3 s of imports, half of them httpx's command line).

The same answers and errors as ``NodeClient``: GETs over kept-alive connections (``backend_client.lean_gets``),
failover across several base URLs (a node that cannot be reached, or answers 502/503/504, hands over to the next;
a GET is safe to send again), ``{error, message}`` bodies mapped to ``backend_client.errors``. Nothing it reads
is trusted: the light node checks every answer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Self

from backend_client.errors import (
    ApiError,
    BadRequest,
    ClientError,
    Conflict,
    Forbidden,
    NotFound,
    ProtocolError,
    ServerError,
    Unauthorized,
    Unreachable,
)
from backend_client.lean_gets import CONNECT_KINDS, Answer, LeanGets, TransportFailure, plain_context, split_urls
from backend_client.paths import block_height, hex_id, path, state_key

FAILOVER_STATUSES = frozenset({502, 503, 504})
MAX_MESSAGE = 500  # characters of a server's error message kept (as backend_client.http)
UNKNOWN_CERTIFICATE = "unknown_certificate"  # the 404 code of a node that has the audit route
KINDS: dict[int, type[ApiError]] = {400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound,
                                    409: Conflict, 413: BadRequest, 422: BadRequest}


class LightNode:
    """``base_url``: one node, or several of one chain (a list, or URLs separated by commas)."""

    def __init__(self, base_url: str | Sequence[str], *, timeout: float = 10.0) -> None:
        self.base_urls = split_urls(base_url)
        self.timeout = timeout
        self._preferred = 0
        self._without_audit: set[str] = set()
        context = plain_context(self.base_urls)
        if context is None:  # an https:// node: the verifying context every client shares
            from backend_client.tls import verifying_context

            context = verifying_context()
        self._gets = LeanGets(context)

    @property
    def base_url(self) -> str:
        return self.base_urls[self._preferred]

    def close(self) -> None:
        self._gets.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the reads -----------------------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        return _obj(self.json("/v1/status"), "node status")

    def validator_sets(self) -> list[dict[str, Any]]:
        return _list(self.json("/v1/validator-sets"), "validator sets")

    def registry(self) -> list[dict[str, Any]]:
        return _list(self.json("/v1/registry"), "registry")

    def proven_registry(self) -> dict[str, Any] | None:
        """The registry with its proofs and head in one answer; None from an older node (no ``proofs``)."""
        answer = _obj(self.json("/v1/registry?prove=true"), "registry")
        if not isinstance(answer.get("items"), list):
            raise ProtocolError("expected a registry list")
        return answer if "proofs" in answer else None

    def tx(self, tx_id: str) -> dict[str, Any]:
        return _obj(self.json(path("v1", "txs", hex_id(tx_id, "a transaction id"))), "transaction")

    def block(self, height: int) -> dict[str, Any]:
        return _obj(self.json(path("v1", "blocks", str(block_height(height)))), "block")

    def proven_value(self, key: str) -> dict[str, Any]:
        return _obj(self.json(f"/v1/state/{state_key(key)}?prove=true"), "proven state value")

    def certificate_audit(self, certificate_id: str) -> dict[str, Any] | None:
        """One certificate's audit answer (as ``NodeClient.certificate_audit``): None from an older node without
        the route (a 404 other than ``unknown_certificate``, or 405), which is not asked for it again."""
        route = path("v1", "certificates", hex_id(certificate_id, "a certificate id"), "audit")
        if self.base_url in self._without_audit:
            return None
        answer = self.get(route)
        if answer.status in (404, 405):
            body = _parsed(answer)
            if not (isinstance(body, dict) and body.get("error") == UNKNOWN_CERTIFICATE):
                self._without_audit.add(self.base_url)
                return None
        if answer.status >= 400:
            raise error_of(answer)
        return _obj(_decoded(answer, route), "a certificate's audit answer")

    # -- the requests --------------------------------------------------------------------------------------------

    def json(self, route: str) -> Any:
        answer = self.get(route)
        if answer.status >= 400:
            raise error_of(answer)
        return _decoded(answer, route)

    def get(self, route: str) -> Answer:
        """The first answer of any status but 502/503/504 (the preferred node first, then the others); with one
        node, its answer whatever it is; ``Unreachable`` naming each node and why when none answered."""
        count = len(self.base_urls)
        failures: list[tuple[str, str]] = []
        last: Answer | None = None
        for step in range(count):
            index = (self._preferred + step) % count
            url = self.base_urls[index]
            try:
                answer = self._gets.fetch(url, route, {}, self.timeout, self.timeout)
            except TransportFailure as exc:
                reason = (f"cannot connect ({exc})" if exc.kind == "connect" else
                          f"no connection in time ({exc})" if exc.kind == "connect_timeout" else
                          f"no answer in time ({exc})" if exc.kind == "read_timeout" else f"{exc.kind} ({exc})")
                failures.append((url, reason))
                if count == 1:
                    if exc.kind in CONNECT_KINDS:
                        raise Unreachable(f"cannot reach {url}: {exc}", failures) from exc
                    raise Unreachable(f"{url} did not answer GET {route} in time" if exc.kind == "read_timeout"
                                      else f"cannot reach {url}: {exc}", failures) from exc
                continue
            if answer.status not in FAILOVER_STATUSES:
                self._preferred = index
                return answer
            failures.append((url, f"{answer.status}"))
            last = answer
        if count == 1 and last is not None:
            return last
        raise Unreachable(f"no server answered GET {route}: " + "; ".join(f"{url}: {why}" for url, why in failures),
                          failures)


def error_of(answer: Answer) -> ClientError:
    """An error answer with body ``{error, message}`` as the matching ``ApiError`` (as ``http.map_error``)."""
    body = _parsed(answer)
    status = answer.status
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return ProtocolError(f"expected a JSON error body with status {status}, found {answer.body[:80]!r}")
    message = str(body.get("message", ""))
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "…"
    if status >= 500:
        return ServerError(status, body["error"], message)
    return KINDS.get(status, ApiError)(status, body["error"], message)


def _parsed(answer: Answer) -> Any:
    try:
        return json.loads(answer.body)
    except ValueError:
        return None


def _decoded(answer: Answer, route: str) -> Any:
    try:
        return json.loads(answer.body)
    except ValueError as exc:
        raise ProtocolError(f"expected JSON from GET {route}, found {answer.body[:80]!r}") from exc


def _obj(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ProtocolError(f"expected {what} as a JSON object, found {str(body)[:80]}")
    return body


def _list(body: Any, what: str) -> list[dict[str, Any]]:
    items = _obj(body, what).get("items")
    if not isinstance(items, list):
        raise ProtocolError(f"expected {what} as a list of items, found {str(items)[:80]}")
    return items


__all__ = ["LightNode", "error_of"]
