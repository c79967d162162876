"""The storage management server 350's HTTP API (no prefix; errors ``{error, message}`` with a 4xx/5xx status).

    POST /receptions     {home, start, end, wh}      the grid side: a home sent energy (S105) → 201 reception
    GET  /receptions                                 Fig. 7A: the reception records, newest last
    GET  /state                                      S106/S210: stored energy, limits, recent records
    POST /reports        {time?}                     S210/mod 11: sign and record a storage.report → 201
    POST /transmissions  {reservation, start?}       S213/S214: execute a reservation the ledger recorded → 201
    GET  /transmissions                              the deliveries made
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from field.trading.errors import TradingError
from field.trading.storage_server import StorageServer
from ledger_lite.http_guard import HttpGuard

MAX_BODY = 16 << 10  # every request is a few hundred bytes
Seconds = Annotated[int, Field(ge=0, lt=1 << 40, strict=True)]


class ReceptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    home: str = Field(max_length=64)
    start: Seconds
    end: Seconds
    wh: Annotated[int, Field(gt=0, le=10_000_000, strict=True)]


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    time: Seconds | None = None


class TransmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reservation: str = Field(max_length=64)
    start: Seconds | None = None


def create_app(server: StorageServer) -> FastAPI:
    app = FastAPIOffline(title="GreenCert storage management server", version="1",
                         description="Battery reception records, state of charge and transmissions (seed 003).",
                         swagger_ui_parameters={"validatorUrl": None})
    app.add_middleware(HttpGuard, max_body=MAX_BODY)
    app.state.server = server

    @app.post("/receptions", status_code=201)
    def receive(body: ReceptionIn) -> dict[str, Any]:
        return asdict(server.receive(body.home, body.start, body.end, body.wh))

    @app.get("/receptions")
    def receptions() -> dict[str, Any]:
        return {"items": [asdict(r) for r in list(server.receptions)]}

    @app.get("/state")
    def state() -> dict[str, Any]:
        return server.state()

    @app.post("/reports", status_code=201)
    def report(body: ReportIn | None = None) -> dict[str, Any]:
        return server.report(None if body is None else body.time)

    @app.post("/transmissions", status_code=201)
    def transmit(body: TransmissionIn) -> dict[str, Any]:
        return asdict(server.transmit(body.reservation, body.start))

    @app.get("/transmissions")
    def transmissions() -> dict[str, Any]:
        return {"items": [asdict(d) for d in list(server.deliveries.values())]}

    @app.exception_handler(TradingError)
    async def domain_error(_: Request, exc: TradingError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message, **exc.extra}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        return JSONResponse({"error": "bad_request", "message": f"{where}: {first.get('msg', 'invalid')}"[:200]},
                            status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"error": code, "message": str(exc.detail)[:200]}, status_code=exc.status_code,
                            headers=exc.headers)

    return app
