"""GET /api/v1/trust: the keys a verifier needs (issuer and validators, with their kid)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from backend_client import ClientError
from intermediary.api.deps import ServiceDep
from intermediary.api.schemas import errors
from intermediary.errors import LedgerUnavailable
from ledger_lite import PublicKey

router = APIRouter(tags=["verification"])


class TrustedKey(BaseModel):
    kid: str
    public_key: str
    name: str
    role: str
    address: str


class TrustOut(BaseModel):
    chain_id: str
    node_url: str  # the node that answered this request's registry read
    node_urls: list[str]  # every ledger node the intermediary submits to (the validators of a consortium)
    issuers: list[TrustedKey]
    validators: list[TrustedKey]


def _key(hex_key: str, name: str, role: str) -> TrustedKey:
    key = PublicKey.from_hex(hex_key)
    return TrustedKey(kid=key.kid.hex(), public_key=hex_key, name=name, role=role, address=key.address)


@router.get("/trust", responses=errors(503))
def trust(service: ServiceDep) -> TrustOut:
    try:
        registry = service.node.registry()
    except ClientError as exc:
        raise LedgerUnavailable(f"cannot read the ledger registry: {exc}") from exc
    issuers = [_key(e["public_key"], e["name"], e["role"]) for e in registry if e["role"] in ("intermediary", "user")]
    validators = [_key(e["public_key"], e["name"], e["role"]) for e in registry
                  if e["role"] == "validator" and not e.get("removed")]
    return TrustOut(chain_id=service.settings.chain_id, node_url=service.node.base_url,
                    node_urls=list(service.settings.node_urls), issuers=issuers, validators=validators)
