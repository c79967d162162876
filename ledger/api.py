"""The node's HTTP API under ``/v1`` (DESIGN.md "API (node)"). Errors are ``{error, message}`` JSON."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic_core import to_json
from starlette.exceptions import HTTPException
from starlette.routing import Route

from ledger.audit_answer import audit_endpoint
from ledger.errors import Error, Rejected, shown
from ledger.governance_routes import governance_router
from ledger.node import Node
from ledger.node_base import Pending
from ledger.openapi import (
    AUDIT_DESCRIPTION,
    AUDIT_WHY,
    BATCH_BODY,
    EVENTS,
    MAX_BATCH,
    MAX_HEIGHT,
    MAX_TIME,
    REGISTRY_DESCRIPTION,
    SIGNED_READ,
    TX_BODY,
    EventStream,
    drop_validation_422,
    errors,
)
from ledger_lite import MAX_TX_BYTES
from ledger_lite.http_guard import HttpGuard
from ledger_lite.request_auth import (
    KEY_HEADER,
    SIGNATURE_HEADER,
    TIME_HEADER,
    RequestAuthError,
    verify_request,
)

MAX_WAIT_S = 30.0
MAX_MESSAGE = 320  # a safety net: messages quote at most ~80 characters of input (issue #9)
# Request body limits (issue #9), enforced by the guard before anything is read into memory. One transaction is
# at most 64 KiB of CBOR, 128 KiB as JSON hex. A batch of 5,000 such transactions would be 625 MiB of JSON, more
# than one request may hold (the body, its strings and bytes: ~3x); the field's readings are ~0.3 KiB, so 5,000
# of them are ~3 MB. 32 MiB takes 5,000 transactions of up to ~3.3 KiB (10x a reading) or 250 of 64 KiB; larger
# ones go in several batches.
TX_BODY_LIMIT = 2 * MAX_TX_BYTES + 1024
BATCH_BODY_LIMIT = 32 * 1024 * 1024
TX_ID = "^[0-9a-f]{64}$"
MAX_ASSET_PAGE = 1000  # GET /v1/assets?limit=: the most one page lists
Time = Annotated[int | None, Query(ge=0, lt=MAX_TIME)]
# Readers of every participant's lists: an intermediary builds a consumer's eligible list (S505/S506), a
# validator checks. Any other registered key (a user, a meter) reads only its own (S82/S83).
READS_ANY_OWNER = ("intermediary", "validator")
SIGNED_HEADER = "a signed read (``ledger_lite.request_auth``): "


def _error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None,
           **extra: Any) -> JSONResponse:
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE - 1] + "…"
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status, headers=headers)


def _json(body: bytes, expected: str) -> Any:
    """The parsed body, or 400: never a 5xx for deep nesting (json raises RecursionError past ~1,000 levels)."""
    try:
        return json.loads(body)
    except RecursionError as exc:
        raise Rejected("bad_request", f"expected JSON {expected}, found nesting too deep to parse", 400) from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, integers over Python's digit limit
        raise Rejected("bad_request", f"expected JSON {expected}, found a body that is not JSON", 400) from exc


def _hex(value: Any, expected: str) -> bytes:
    if not isinstance(value, str):
        raise Rejected("bad_request", f"expected JSON {expected}, found {type(value).__name__} for a transaction", 400)
    try:
        return bytes.fromhex(value)
    except ValueError as exc:
        raise Rejected("bad_request", f"expected JSON {expected}, found a transaction that is not hex", 400) from exc


class ReadRefused(Error):
    """A read by owner that is unsigned, badly signed or not the signer's to make (401/403)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def _signed_reader(node: Node, request: Request, key: str | None, time_: str | None,
                   signature: str | None) -> tuple[str, str]:
    """(address, role) of the registered participant that signed this read; 401 if unsigned, badly signed,
    stale or not registered."""
    try:
        public = verify_request(key, time_, signature, method=request.method, path=request.url.path,
                                query=request.query_params.multi_items(), chain_id=node.chain_id,
                                now=int(time.time()))
    except RequestAuthError as exc:
        raise ReadRefused(exc.code, exc.message, 401) from exc
    role = node.role_of(public.address)
    if role is None:
        raise ReadRefused("unknown_signer", f"expected a read signed by a registered participant, found key "
                                         f"{public.address}", 401)
    return public.address, role


def _may_read(reader: tuple[str, str], owner: str) -> None:
    address, role = reader
    if address != owner and role not in READS_ANY_OWNER:
        raise ReadRefused("forbidden", f"a {role} reads only its own lists: signed by {address}, asked for "
                                    f"{shown(owner)}", 403)


def _outcome_response(pending: Pending, wait: bool, timeout: float) -> dict[str, Any] | JSONResponse:
    if not wait:
        return {"tx_id": pending.tx.tx_id, "code": "accepted"}
    outcome = pending.wait(timeout)
    if outcome is None:
        return _error(504, "commit_timeout", f"transaction {pending.tx.tx_id} was accepted but not committed "
                                             f"within {timeout} s; query GET /v1/txs/{pending.tx.tx_id}")
    if outcome["code"] != "ok":
        extra = {k: outcome[k] for k in ("tx_id", "certificate_id") if k in outcome}
        return _error(outcome["status"], outcome["code"], outcome["message"], **extra)
    return outcome


async def _read_tx(request: Request) -> bytes:
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        expected = '{"tx": "<hex of the CBOR envelope>"}'
        parsed = _json(body, expected)
        if not isinstance(parsed, dict) or "tx" not in parsed:
            raise Rejected("bad_request", f"expected JSON {expected}, found {type(parsed).__name__} without tx", 400)
        return _hex(parsed["tx"], expected)
    return body


async def _read_batch(request: Request) -> list[bytes]:
    expected = '{"txs": ["<hex>", ...]}'
    parsed = _json(await request.body(), expected)
    if not isinstance(parsed, dict) or not isinstance(parsed.get("txs"), list):
        raise Rejected("bad_request", f"expected JSON {expected}, found {type(parsed).__name__} without a txs list",
                       400)
    txs: list[Any] = parsed["txs"]
    if len(txs) > MAX_BATCH:
        raise Rejected("too_large", f"expected at most {MAX_BATCH} transactions, found {len(txs)}", 413)
    return [_hex(t, expected) for t in txs]


OUTCOMES = """
Every outcome is ``{tx_id, code, status, ...}``: ``ok`` with ``height``, ``index`` and ``result``, or a refusal
with a ``message`` saying what was expected and what was found. Refusals at admission (nothing is queued):
``bad_encoding``, ``too_large`` (> 64 KiB), ``wrong_chain``, ``bad_signature``, ``unknown_signer``, ``duplicate``.
Refusals by a rule (the transaction leaves no trace): ``bad_body``, ``unknown_type``, ``wrong_role``;
readings ``meter_mismatch``, ``wrong_intermediary``, ``misaligned``, ``future_reading``, ``over_capacity``,
``too_late`` (its asset would be born expired), ``overlap`` (with anything its meter reported); allocations
``unknown_asset``, ``not_owner``,
``completed``, ``expired``, ``insufficient``; issuance ``already_issued`` (with ``certificate_id``),
``mixed_methods``, ``not_owner``; revocation ``unknown_certificate``, ``not_issuer``, ``already_revoked``;
transfers and retirements (issue 15) ``unknown_certificate``, ``not_holder``, ``revoked``, ``already_retired``,
``insufficient``, ``bad_recipient``, ``too_many_moves``;
registry changes ``bad_registry``, ``bad_method``, ``unknown_address``, ``no_quorum``, ``already_applied``.
Seed 003 trading (ledger_lite.trading): any of them ``bad_interval``, ``future_time``, ``stale_time``,
``unknown_battery``, ``wrong_battery`` (a key of another battery, or a home of another battery), ``unknown_home``;
receipts ``over_charge_rate``, ``battery_full``, ``overlap``; reports ``over_capacity``; sales ``no_receipt``,
``time_mismatch``, ``amount_mismatch``, ``already_sold`` (one receipt backs one sale); requests ``expired``,
``beyond_battery``, ``insufficient_points``, ``too_many_requests``, ``unknown_token``, ``not_owner``,
``token_used``, ``over_token``; tokens ``price_too_low``; deliveries ``unknown_reservation``, ``already_settled``,
``over_reservation``, ``over_discharge_rate``; ``battery_inconsistent`` (500: the battery's account broke an
invariant; nothing was written).
On a consortium node (ledger/consortium/node.py), besides: ``node_halted`` (503: this validator's state differed
from the quorum's and it stopped), ``ordering_unavailable`` (503: etcd could not be reached, nothing was ordered),
``block_full`` (503: submit it again). A submission that waits is answered only once its block is final (⌈2n/3⌉
validator signatures); without a quorum it times out with ``commit_timeout`` and ``GET /v1/status`` names the
missing validators.
A request that is not of the form described is answered ``bad_request`` (400) as a whole.
"""


def create_app(node: Node) -> FastAPI:
    # Swagger UI and ReDoc from local assets (an office network may not reach a CDN); validatorUrl null: no badge
    # fetched from validator.swagger.io.
    app = FastAPIOffline(title="GreenCert ledger node", version="1",
                         description="Consortium ledger node: submit signed transactions, read blocks, proofs and "
                                     "state.", swagger_ui_parameters={"validatorUrl": None})
    app.openapi = drop_validation_422(app.openapi)  # type: ignore[method-assign]
    app.add_middleware(HttpGuard, max_body=TX_BODY_LIMIT, limits={"/v1/txs/batch": BATCH_BODY_LIMIT})

    @app.exception_handler(Error)
    async def ledger_error(_: Request, exc: Error) -> JSONResponse:
        extra = {"certificate_id": exc.certificate_id} if hasattr(exc, "certificate_id") else {}
        return _error(exc.status, exc.code, exc.message, **extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(400, "bad_request", f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail), headers=exc.headers)  # 405 keeps its Allow

    def reader(request: Request,
               x_gc_key: Annotated[str | None, Header(alias=KEY_HEADER, description=SIGNED_HEADER +
                                                      "the reader's registered Ed25519 public key, hex")] = None,
               x_gc_time: Annotated[str | None, Header(alias=TIME_HEADER, description=SIGNED_HEADER +
                                                       "Unix seconds, within 300 s of the node's clock")] = None,
               x_gc_signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER, description=SIGNED_HEADER +
                                                            "hex Ed25519 signature over the canonical request "
                                                            "(method, path, sorted query, time, chain id)")] = None,
               ) -> tuple[str, str]:
        return _signed_reader(node, request, x_gc_key, x_gc_time, x_gc_signature)

    signed = Depends(reader)  # (address, role); a local alias of Annotated would be an unresolvable string here

    @app.get("/v1/status")
    def status() -> dict[str, Any]:
        return node.status()

    @app.post("/v1/txs", responses=errors(400, 401, 403, 404, 409, 413, 422, 503, 504), openapi_extra=TX_BODY,
              description="Submit one signed transaction (``application/cbor`` body, or JSON "
                                      "``{\"tx\": hex}``); with ``wait=true`` answer with its outcome.\n" + OUTCOMES)
    async def submit(request: Request, wait: bool = False,
                     timeout: Annotated[float, Query(gt=0, le=MAX_WAIT_S)] = 10.0) -> Any:
        """Submit one signed transaction (``application/cbor`` body, or JSON ``{"tx": hex}``)."""
        pending = node.submit(await _read_tx(request))
        return await asyncio.to_thread(_outcome_response, pending, wait, timeout)

    @app.post("/v1/txs/batch", responses=errors(400, 413, 503), openapi_extra=BATCH_BODY,
              description="Submit many: JSON ``{\"txs\": [hex, ...]}``; one outcome per "
                                            "transaction, in order (``accepted`` without ``wait``).\n" + OUTCOMES)
    async def submit_batch(request: Request, wait: bool = False,
                           timeout: Annotated[float, Query(gt=0, le=MAX_WAIT_S)] = 20.0) -> Any:
        """Submit many: JSON ``{"txs": [hex, ...]}``; returns one outcome per transaction, in order."""
        raws = await _read_batch(request)
        results: list[Any] = []
        pendings: list[tuple[int, Pending]] = []
        admitted = await asyncio.to_thread(node.submit_many, raws)  # signatures checked on every core
        for item in admitted:
            if isinstance(item, Rejected):
                results.append({"code": item.code, "status": item.status, "message": item.message})
            else:
                pendings.append((len(results), item))
                results.append(None)

        def settle() -> None:
            deadline = time.monotonic() + timeout  # one timeout for the whole batch
            for index, pending in pendings:
                if not wait:
                    results[index] = {"tx_id": pending.tx.tx_id, "code": "accepted"}
                    continue
                outcome = pending.wait(max(0.0, deadline - time.monotonic()))
                results[index] = outcome or {"tx_id": pending.tx.tx_id, "code": "commit_timeout", "status": 504,
                                             "message": "not committed in time"}

        await asyncio.to_thread(settle)
        # Every outcome is plain JSON already: rendered as it is, without FastAPI's generic encoder walking each of
        # them again in the node's process (68 ms for 2,000 outcomes here), and by pydantic's compiled serializer
        # rather than the standard library's (0.6-0.8 ms against 2.7 ms), holding the interpreter lock that the
        # block producer needs for less time (issue 16). The ledger's values hold no floats (``ledger_lite``
        # refuses them), so ``null`` for a NaN is never written.
        return Response(to_json({"results": results}, inf_nan_mode="null"), media_type="application/json")

    @app.get("/v1/txs/{tx_id}", responses=errors(400, 404, 503))
    def get_tx(tx_id: Annotated[str, Path(pattern=TX_ID, description="64 lowercase hex digits")]) -> dict[str, Any]:
        return node.tx(tx_id)

    @app.get("/v1/blocks/{height}", responses=errors(400, 404, 503))
    def get_block(height: Annotated[int, Path(ge=0, lt=MAX_HEIGHT)]) -> dict[str, Any]:
        return node.block(height)

    @app.get("/v1/blocks/{height}/txs", responses=errors(400, 401, 403, 404, 503),
             description=SIGNED_HEADER + "every transaction of a final block, in order (hex of the canonical "
                         "envelopes), for a validator catching up or an intermediary following its consumers' "
                         "rows; other readers get 403.")
    def get_block_txs(height: Annotated[int, Path(ge=0, lt=MAX_HEIGHT)],
                      signer: tuple[str, str] = signed) -> dict[str, Any]:
        address, role = signer
        if role not in READS_ANY_OWNER:  # each transaction is public by id (GET /v1/txs/{id}) anyway
            raise ReadRefused("forbidden", f"a block's transactions are read in bulk by validators and intermediaries "
                                           f"only: signed by {address}, a {role}", 403)
        return node.block_txs(height)

    @app.get("/v1/state/{key:path}", responses=errors(400, 404))
    def get_state(key: str, prove: bool = False) -> dict[str, Any]:
        """A state value. With ``prove=true``: its canonical CBOR and a sparse-Merkle proof against the state
        root of block ``height`` (membership), or, for an absent key, a non-membership proof (200, present false).
        Verify with ``ledger_lite.light.verify_state`` and the header of ``GET /v1/blocks/{height}``."""
        if prove:
            return node.proven_value(key)
        return {"key": key, "value": node.value(key), "height": node.head.height}

    @app.get("/v1/assets", responses=errors(400, 401, 403, why=SIGNED_READ))
    def assets(owner: str, method: str | None = None, start: Time = None, end: Time = None,
               trade: str | None = None, valid_at: Time = None, provider: str | None = None,
               category: str | None = None, after: Annotated[str | None, Query(pattern=TX_ID)] = None,
               limit: Annotated[int | None, Query(ge=1, le=MAX_ASSET_PAGE)] = None,
               signer: tuple[str, str] = signed) -> dict[str, Any]:
        """Assets owned by ``owner`` (an intermediary's, or those allocated to a consumer), soonest expiry first;
        ``start``/``end`` bound the production period, ``valid_at`` leaves out assets expired by then,
        ``provider``/``category`` filter; ``limit`` makes a page, ``after`` (the last asset id of the previous
        page) the next one (400 ``bad_cursor`` if it names no asset).
        A signed read: by ``owner`` itself, or by an intermediary or validator."""
        _may_read(signer, owner)
        return {"items": node.assets(owner, method=method, start=start, end=end, trade=trade, valid_at=valid_at,
                                     provider=provider, category=category, after=after, limit=limit)}

    @app.get("/v1/certificates", responses=errors(400, 401, 403, why=SIGNED_READ))
    def certificates(owner: str, signer: tuple[str, str] = signed) -> dict[str, Any]:
        """Certificates owned by ``owner``. A signed read: by ``owner`` itself, or by an intermediary or
        validator. One certificate stays public: ``GET /v1/state/cert/{id}?prove=true``."""
        _may_read(signer, owner)
        return {"items": node.certificates(owner)}

    @app.get("/v1/certificates/{certificate_id}/audit", responses=errors(400, 404, 503, why=AUDIT_WHY),
             description=AUDIT_DESCRIPTION, response_model=dict[str, Any])
    def certificate_audit(certificate_id: Annotated[str, Path(pattern=TX_ID, description="the certificate id: "
                                                                "its issuance transaction id, 64 lowercase hex "
                                                                "digits")]) -> JSONResponse:
        # Declared for the OpenAPI document; GET is answered by the lean route below (ledger.audit_answer).
        return JSONResponse(node.certificate_audit(certificate_id))

    # Issue 17: served by a plain Starlette route ahead of the one above (no validation or dependency pass, no
    # thread hop when the state lock is free; the answer's final parts kept encoded). Same answers and errors.
    app.router.routes.insert(0, Route("/v1/certificates/{certificate_id}/audit", audit_endpoint(node),
                                      methods=["GET"], include_in_schema=False))

    @app.get("/v1/registry", description=REGISTRY_DESCRIPTION, responses=errors(400, 503))
    def registry(prove: bool = False) -> dict[str, Any]:
        if prove:
            return node.proven_registry()
        return {"chain_id": node.chain_id, "items": node.registry()}

    @app.get("/v1/validator-sets", description="Every validator set since genesis: ``from_height``, its keys and "
                                               "the ``registry.update`` transactions that made it (in block "
                                               "``from_height - 1``, final under the set before).")
    def validator_sets() -> dict[str, Any]:
        return {"chain_id": node.chain_id, "items": node.validator_sets()}

    @app.get("/v1/events", response_class=EventStream, responses=EVENTS)
    async def events(request: Request) -> EventStream:
        """Server-sent events: one ``block`` event per committed block."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)

        def listener(event: dict[str, Any]) -> None:
            loop.call_soon_threadsafe(lambda: None if queue.full() else queue.put_nowait(event))

        async def stream() -> AsyncIterator[str]:
            node.add_listener(listener)
            try:
                yield f"event: status\ndata: {json.dumps(node.status())}\n\n"
                while not await request.is_disconnected():
                    try:
                        event = await asyncio.wait_for(queue.get(), timeout=15)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    yield f"event: block\ndata: {json.dumps(event)}\n\n"
            finally:
                node.remove_listener(listener)

        return EventStream(stream())

    app.include_router(governance_router(node))  # proposals, approvals (issue 15: S21-S25)
    return app
