"""GET /api/v1/eligible-transactions (S505-S509): the applicant's own allocations, grouped."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from intermediary.api.deps import PrincipalDep, ServiceDep
from intermediary.api.schemas import errors
from intermediary.eligible import Row

router = APIRouter(tags=["issuance"])


class EligibleOut(BaseModel):
    user_name: str
    user_name_ja: str | None = None  # the consumer's Japanese name; None when it has none (then user_name)
    items: list[Row]  # the dataclass itself is the response schema
    as_of: int | None = None  # end of the newest allocation considered (Unix seconds); None: no allocations


@router.get("/eligible-transactions", responses=errors(401, 503))
def eligible_transactions(service: ServiceDep, who: PrincipalDep) -> EligibleOut:
    # S507: what the ledger says they own, as stored rows kept up to date from its blocks (intermediary.eligible_index)
    rows, as_of = service.eligible.rows(who.consumer)
    return EligibleOut(user_name=who.consumer.name, user_name_ja=who.consumer.name_ja or None, items=rows,
                       as_of=as_of)
