"""GET /api/v1/eligible-transactions (S505-S509): the applicant's own allocations, grouped."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from backend_client import ClientError
from intermediary.api.deps import DbDep, PrincipalDep, ServiceDep
from intermediary.api.schemas import errors
from intermediary.eligible import Row, as_of, build_rows
from intermediary.errors import LedgerUnavailable

router = APIRouter(tags=["issuance"])


class EligibleOut(BaseModel):
    user_name: str
    items: list[Row]  # the dataclass itself is the response schema
    as_of: int | None = None  # end of the newest allocation considered (Unix seconds); None: no allocations


@router.get("/eligible-transactions", responses=errors(401, 503))
def eligible_transactions(service: ServiceDep, db: DbDep, who: PrincipalDep) -> EligibleOut:
    try:
        assets = service.node.assets(who.consumer.ledger_address)  # S507: what the ledger says they own
    except ClientError as exc:
        raise LedgerUnavailable(f"cannot read allocations from the ledger: {exc}") from exc
    rows = build_rows(db, who.consumer.consumer_id, assets)
    return EligibleOut(user_name=who.consumer.name, items=rows, as_of=as_of(assets))
