"""The real node app with a recorder in front: every request path it was asked and (over loopback) each client
port a request came from — to count a verifier's requests and connections. It can also play a node that predates
``GET /v1/certificates/{id}/audit`` (answering that route 404 or 405 as such a node does) or
``GET /v1/registry?prove=true``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from ledger.api import create_app
from ledger.node import Node

Next = Callable[[Request], Awaitable[Response]]


class Recorder:
    def __init__(self) -> None:
        self.paths: list[str] = []
        self.ports: set[int] = set()


def recording_node_app(node: Node, recorder: Recorder, *, audit_route: bool = True, missing_status: int = 404,
                       registry_proofs: bool = True) -> FastAPI:
    """``registry_proofs`` False: ``GET /v1/registry`` ignores ``prove`` (as a node that predates it does)."""
    app = create_app(node)

    @app.middleware("http")
    async def record(request: Request, call_next: Next) -> Response:
        recorder.paths.append(request.url.path)
        if not registry_proofs and request.url.path == "/v1/registry":
            request.scope["query_string"] = b""
        if request.client is not None:
            recorder.ports.add(request.client.port)
        if not audit_route and request.url.path.endswith("/audit"):
            code = {404: "not_found", 405: "method_not_allowed"}[missing_status]
            return JSONResponse({"error": code, "message": "Not Found"}, status_code=missing_status)
        return await call_next(request)

    return app
