"""The node's governance routes under ``/v1/governance`` (``ledger.governance_proposals``).

* ``POST /v1/governance/proposals``: a signed ``registry.propose`` envelope (``application/cbor`` body, or JSON
  ``{"tx": hex}``) → 201 with the proposal (200 if this node had it already).
* ``GET /v1/governance/proposals[?state=&proposer=&limit=]`` and ``GET /v1/governance/proposals/{id}``: proposals
  and their state (``waiting``, ``submitted``, ``registered``, ``refused`` with ``reason``). Signed reads
  (``ledger_lite.request_auth``): a validator reads them all, a proposer its own.
* ``POST /v1/governance/proposals/{id}/approve`` and ``.../reject?reason=``: the node's operator, signing the
  request (``ledger_lite.request_auth``, method POST) with a validator key this node holds.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse

from ledger.consortium.node import ConsortiumNode
from ledger.errors import NotFound, Rejected, shown
from ledger.governance_peers import GovernancePeers
from ledger.governance_policy import load_policy
from ledger.governance_proposals import MAX_REASON_CHARS, GovernanceDesk, ProposalRefused
from ledger.governance_store import STATES, Proposal
from ledger.node import Node
from ledger.openapi import TX_BODY, errors
from ledger_lite.request_auth import KEY_HEADER, SIGNATURE_HEADER, TIME_HEADER, RequestAuthError, verify_request

PROPOSAL_ID = "^[0-9a-f]{64}$"
MAX_LIST = 500
TOO_MANY = {429: "The proposer has too many waiting proposals (``too_many_proposals``)"}
OPERATOR = "a signed request (``ledger_lite.request_auth``; to approve or reject, by the node's operator): "

# Module-level aliases: the routes' annotations are strings (``from __future__ import annotations``) that FastAPI
# resolves in this module's globals.
Key = Annotated[str | None, Header(alias=KEY_HEADER, description=OPERATOR + "a registered key, hex")]
At = Annotated[str | None, Header(alias=TIME_HEADER, description=OPERATOR + "Unix seconds")]
Sig = Annotated[str | None, Header(alias=SIGNATURE_HEADER, description=OPERATOR + "hex Ed25519 signature")]
Id = Annotated[str, Path(pattern=PROPOSAL_ID, description="the proposal envelope's transaction id")]


def public_view(proposal: Proposal) -> dict[str, Any]:
    """A proposal as the API shows it (the signed ``registry.update`` itself is in the ledger once committed)."""
    view = proposal.to_json()
    for internal in ("update", "envelope", "signatures"):
        view.pop(internal)
    return view


def _raw_envelope(body: bytes, content_type: str) -> bytes:
    if not content_type.startswith("application/json"):
        return body
    expected = '{"tx": "<hex of the CBOR envelope>"}'
    try:
        parsed = json.loads(body)
        if not isinstance(parsed, dict) or not isinstance(parsed.get("tx"), str):
            raise ValueError("no tx")
        return bytes.fromhex(parsed["tx"])
    except (ValueError, RecursionError) as exc:
        raise ProposalRefused("bad_request", f"expected JSON {expected}, found a body that is not", 400) from exc


def governance_router(node: Node) -> APIRouter:
    peers = GovernancePeers(node.peers.urls if isinstance(node, ConsortiumNode) else ())
    desk = GovernanceDesk(node, load_policy(node.store.path.parent), peers=peers)
    router = APIRouter(prefix="/v1/governance", tags=["governance"])

    def operator(request: Request, key: str | None, signed_at: str | None, signature: str | None) -> str:
        try:
            public = verify_request(key, signed_at, signature, method=request.method, path=request.url.path,
                                    query=request.query_params.multi_items(), chain_id=node.chain_id,
                                    now=int(time.time()))
        except RequestAuthError as exc:
            raise Rejected(exc.code, exc.message, 401) from exc
        return public.address

    def reader(request: Request, key: str | None, signed_at: str | None, signature: str | None) -> tuple[str, str]:
        """(address, role) of the registered participant that signed this read (401 otherwise)."""
        address = operator(request, key, signed_at, signature)
        role = node.role_of(address)
        if role is None:
            raise ProposalRefused("unknown_signer", f"expected a read signed by a registered participant, found "
                                                    f"key {address}", 401)
        return address, role


    @router.post("/proposals", status_code=201, openapi_extra=TX_BODY,
                 responses={200: {"description": "A proposal this node had already: its record"},
                            **errors(400, 401, 403, 413, 429, why=TOO_MANY)})
    async def propose(request: Request) -> JSONResponse:
        """Propose a registry change: a ``registry.propose`` envelope signed by a registered intermediary or
        validator, body ``{set: [{public_key, role, name, attrs}], remove: [address]}``. A producer's
        registration of its intermediary (only ``attrs.intermediary`` of meters set to the proposer) is approved
        by this node's policy at once; anything else waits for the operator."""
        raw = _raw_envelope(await request.body(), request.headers.get("content-type", ""))
        proposal, new = await asyncio.to_thread(desk.propose, raw)
        return JSONResponse(public_view(proposal), status_code=201 if new else 200)

    @router.get("/proposals", responses=errors(400, 401, 403))
    def proposals(request: Request,
                  state: Annotated[str | None, Query(description=f"one of {', '.join(STATES)}")] = None,
                  proposer: Annotated[str | None, Query(max_length=43)] = None,
                  limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 100, x_gc_key: Key = None,
                  x_gc_time: At = None, x_gc_signature: Sig = None) -> dict[str, Any]:
        """Proposals this node was sent, newest first. A signed read: a validator reads every proposal, any
        other registered participant only its own."""
        address, role = reader(request, x_gc_key, x_gc_time, x_gc_signature)
        if role != "validator":
            if proposer not in (None, address):
                raise ProposalRefused("forbidden", f"expected a read of the signer's own proposals (only a validator "
                                                   f"reads others'), found {role} {address} asking for "
                                                   f"{shown(proposer)}", 403)
            proposer = address
        return {"items": [public_view(p) for p in desk.proposals(state, proposer, limit)]}

    @router.get("/proposals/{proposal_id}", responses=errors(400, 401, 404))
    def proposal(request: Request, proposal_id: Id, x_gc_key: Key = None, x_gc_time: At = None,
                 x_gc_signature: Sig = None) -> dict[str, Any]:
        """One proposal and its state. A signed read: by a validator or by its proposer (to anyone else it is
        not found)."""
        address, role = reader(request, x_gc_key, x_gc_time, x_gc_signature)
        found = desk.proposal(proposal_id)
        if role != "validator" and found.proposer != address:
            raise NotFound(f"expected the id of a proposal of {address}, found {proposal_id}")
        return public_view(found)

    @router.post("/proposals/{proposal_id}/approve", responses=errors(400, 401, 403, 404, 409))
    def approve(request: Request, proposal_id: Id, x_gc_key: Key = None, x_gc_time: At = None,
                x_gc_signature: Sig = None) -> dict[str, Any]:
        """This node approves a waiting proposal with every validator key it holds; with a quorum it submits the
        ``registry.update`` and answers once its block settled it (``registered`` or ``refused``)."""
        address = operator(request, x_gc_key, x_gc_time, x_gc_signature)
        return public_view(desk.approve(proposal_id, address))

    @router.post("/proposals/{proposal_id}/reject", responses=errors(400, 401, 403, 404, 409))
    def reject(request: Request, proposal_id: Id,
               reason: Annotated[str, Query(min_length=1, max_length=MAX_REASON_CHARS)],
               x_gc_key: Key = None, x_gc_time: At = None, x_gc_signature: Sig = None) -> dict[str, Any]:
        """This node's operator refuses a waiting proposal, saying why (the proposer reads ``reason``)."""
        address = operator(request, x_gc_key, x_gc_time, x_gc_signature)
        return public_view(desk.reject(proposal_id, address, reason))

    @router.post("/proposals/{proposal_id}/approvals", responses=errors(400, 401, 403, 404, 413))
    async def approvals(request: Request, proposal_id: Id) -> dict[str, Any]:
        """Another validator's node sends the approvals it has (``ledger.governance_peers``): JSON ``{proposal:
        hex envelope, approvals: [{validator: hex key, sig: hex}]}``; each a registered validator's signature over
        the change. With a quorum this node submits the ``registry.update``."""
        expected = '{"proposal": "<hex envelope>", "approvals": [{"validator": "<hex>", "sig": "<hex>"}]}'
        try:
            parsed = json.loads(await request.body())
            envelope = bytes.fromhex(parsed["proposal"])
            given = parsed["approvals"]
        except (ValueError, RecursionError, TypeError, KeyError) as exc:
            raise ProposalRefused("bad_request", f"expected JSON {expected}, found a body that is not", 400) from exc
        proposal = await asyncio.to_thread(desk.add_approvals, proposal_id, envelope, given)
        return public_view(proposal)

    return router
