"""GET /api/v1/eligible-transactions (S505-S509): the applicant's own allocations, grouped."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from backend_client import ClientError
from intermediary.api.deps import DbDep, PrincipalDep, ServiceDep
from intermediary.eligible import build_rows
from intermediary.errors import LedgerUnavailable

router = APIRouter(tags=["issuance"])


@router.get("/eligible-transactions")
def eligible_transactions(service: ServiceDep, db: DbDep, who: PrincipalDep) -> dict[str, Any]:
    try:
        assets = service.node.assets(who.consumer.ledger_address)  # S507: what the ledger says they own
    except ClientError as exc:
        raise LedgerUnavailable(f"cannot read allocations from the ledger: {exc}") from exc
    rows = build_rows(db, who.consumer.consumer_id, assets)
    return {"user_name": who.consumer.name, "items": [r.to_json() for r in rows]}
