"""What the node's OpenAPI document declares beyond FastAPI's defaults (issue #9): every status code and content
type a route answers with, the request body forms of ``/v1/txs`` and ``/v1/txs/batch``, one error schema."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict
from starlette.responses import StreamingResponse

from ledger_lite import MAX_TX_BYTES

MAX_BATCH = 5000
MAX_HEIGHT = 2**63  # heights are SQLite integers: 0 <= height < 2^63
MAX_TIME = 2**63
HEX = "^([0-9a-fA-F]{2})*$"


class ErrorBody(BaseModel):
    """Every error: a machine-readable ``error`` code and a ``message`` saying what was expected and what was
    found. Transaction outcomes add ``tx_id`` (and ``certificate_id`` for ``already_issued``)."""

    model_config = ConfigDict(extra="allow")

    error: str
    message: str


class EventStream(StreamingResponse):
    media_type = "text/event-stream"


WHY = {
    400: "Bad request: a parameter or body not of the form described (``bad_request``), or a transaction refused "
         "as malformed (``bad_encoding``, ``wrong_chain``, ``bad_body``, ``unknown_type``, ...)",
    401: "The transaction's signature does not verify (``bad_signature``)",
    403: "The signer is not registered or lacks the role (``unknown_signer``, ``wrong_role``, ``not_owner``, ...)",
    404: "No such transaction, block or state value (``not_found``), or a rule's referent is unknown",
    409: "Submitted before (``duplicate``) or already done (``already_issued`` with ``certificate_id``, ...)",
    413: "Body or transaction too large (``too_large``): a transaction over 64 KiB, a batch over "
         f"{MAX_BATCH} transactions, or a request body over the route's byte limit",
    422: "Refused by a rule (``insufficient``, ``overlap``, ``expired``, ...); the transaction leaves no trace",
    503: "The node's store is unavailable or inconsistent; the node refuses to serve",
    504: "Accepted but not committed within ``timeout`` (``commit_timeout``); query ``GET /v1/txs/{tx_id}``",
}


# GET /v1/certificates/{certificate_id}/audit: one online verification's answers in one (issue 17).
AUDIT_DESCRIPTION = (
    "Everything one online verification of a certificate asks, in one answer (a verifier's one request instead "
    "of four), shaped as the audit bundle a certificate PDF carries: ``tx`` the issuance with its inclusion "
    "proof (as ``GET /v1/txs/{tx_id}``), ``block`` the header and commit of its block (as ``GET "
    "/v1/blocks/{height}``), ``state`` the record ``cert/{certificate_id}`` with its revocation, or its absence, "
    "proven against the head's state root (as ``GET /v1/state/cert/{certificate_id}?prove=true``), ``head`` "
    "that head's header and commit, and ``revoked`` the record's revocation repeated for a reader (only the "
    "proof counts). A transaction id that is not an issuance is answered too: the verifier finds it is not one.")
AUDIT_WHY = {
    400: "The certificate id is not 64 lowercase hex digits (``bad_request``)",
    404: "No committed transaction has that id (``unknown_certificate``)",
}


REGISTRY_DESCRIPTION = (
    "Every key the registry names, live or removed (``chain_id``, ``items``). With ``prove=true``, also each "
    "entry's state proof (``proofs``, in the order of ``items``, as ``GET /v1/state/registry/{address}?prove=true`` "
    "answers) and the header with commit they are proven against (``head``), all taken at one head: what a light "
    "node asks to bring its trust list up to date, in one answer.")


# A list by owner is a signed read (``ledger_lite.request_auth``): headers X-GC-Key, X-GC-Time, X-GC-Signature.
SIGNED_READ = {
    401: "Not a registered participant's signed read: headers missing (``unsigned_read``), malformed or not "
         "verifying (``bad_signature``), a time more than 300 s from the node's clock (``stale_request``), or a "
         "key the registry does not hold (``unknown_signer``)",
    403: "A registered participant asking for another's list (``forbidden``): a user reads only its own; "
         "intermediaries and validators read any",
}


def errors(*statuses: int, why: Mapping[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for the error statuses a route answers with, each ``{error, message}`` JSON; ``why``
    overrides the descriptions of ``WHY``."""
    reasons = {**WHY, **(why or {})}
    return {status: {"model": ErrorBody, "description": reasons[status]} for status in statuses}


HEX_TX = {"type": "string", "pattern": HEX, "maxLength": 2 * MAX_TX_BYTES,
          "description": "hex of one signed CBOR transaction envelope"}
TX_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["tx"], "properties": {"tx": HEX_TX},
                                    "title": "TxJson"}},
    "application/cbor": {"schema": {"type": "string", "format": "binary", "maxLength": MAX_TX_BYTES,
                                    "description": "one signed CBOR transaction envelope"}},
}}}
BATCH_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["txs"], "title": "TxBatch",
                                    "properties": {"txs": {"type": "array", "maxItems": MAX_BATCH, "items": HEX_TX}}}},
}}}
EVENTS: dict[int | str, dict[str, Any]] = {200: {
    "description": "Server-sent events: ``status`` first, then one ``block`` event per committed block",
    "content": {"text/event-stream": {"schema": {"type": "string"}}}}}


def drop_validation_422(openapi: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """FastAPI declares a 422 ``HTTPValidationError`` on every route with parameters; this node answers validation
    errors 400 ``{error, message}`` instead, so the document leaves them out (a route's own 422 stays)."""

    def document() -> dict[str, Any]:
        schema = openapi()
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                found = operation.get("responses", {}).get("422", {})
                if "HTTPValidationError" in str(found.get("content", {})):
                    del operation["responses"]["422"]
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        return schema

    return document
