"""POST /api/v1/usage-reports: consumer smart meters report usage every 30 minutes (S81, S95)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from intermediary.api.deps import DbDep, ServiceDep
from intermediary.api.schemas import errors
from intermediary.usage import process_reports

router = APIRouter(tags=["field"])


class ReportsIn(BaseModel):
    reports: list[Annotated[str, Field(max_length=2 * 65536)]] = Field(
        min_length=1, max_length=5000, description="hex of signed usage.report envelopes (each at most 64 KiB)")


class UsageResult(BaseModel):
    consumer_id: str
    start: int
    status: str = Field(description="allocated | partial | unallocated | duplicate | failed")
    renewable_wh: int
    fossil_wh: int
    unallocated_wh: int
    tx_id: str | None
    message: str


class ReportsOut(BaseModel):
    results: list[UsageResult]


@router.post("/usage-reports", responses=errors(400, 503))
def usage_reports(body: ReportsIn, service: ServiceDep, db: DbDep) -> ReportsOut:
    outcomes = process_reports(db, service.node, service.settings, body.reports, service.clock())
    return ReportsOut(results=[UsageResult(**o.to_json()) for o in outcomes])
