"""POST /api/v1/usage-reports: consumer smart meters report usage every 30 minutes (S81, S95)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from intermediary.api.deps import DbDep, ServiceDep
from intermediary.usage import process_reports

router = APIRouter(tags=["field"])


class ReportsIn(BaseModel):
    reports: list[str] = Field(min_length=1, max_length=5000, description="hex of signed usage.report envelopes")


@router.post("/usage-reports")
def usage_reports(body: ReportsIn, service: ServiceDep, db: DbDep) -> dict[str, Any]:
    outcomes = process_reports(db, service.node, service.settings, body.reports, service.clock())
    return {"results": [o.to_json() for o in outcomes]}
