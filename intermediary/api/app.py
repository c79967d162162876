"""The intermediary's FastAPI application (public contract: DESIGN.md "Intermediary API")."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from intermediary.api.routes import certificates, eligible, sessions, trust, usage
from intermediary.errors import Error, shown
from intermediary.portal.mount import http_error_page, mount_portal
from intermediary.service import Service
from intermediary.web import verify_page
from intermediary.web.too_large import TooLargePage
from ledger_lite.http_guard import HttpGuard

PREFIX = "/api/v1"
# Request body limits (issue #9): 1 MiB for any route; the field simulator posts a day of usage reports at once,
# at most 5,000 (ReportsIn) of ~440 hex characters each (a signed usage.report is ~220 bytes): ~2.2 MB, so 8 MiB.
MAX_BODY = 1 << 20
USAGE_REPORTS_BODY = 8 << 20


def create_app(service: Service) -> FastAPI:
    app = FastAPIOffline(title="GreenCert intermediary", version="1",  # Swagger UI/ReDoc from local assets
                         description="Applicant log-in, eligible transactions, certificate issuance and PDFs.",
                         swagger_ui_parameters={"validatorUrl": None})
    app.add_middleware(HttpGuard, max_body=MAX_BODY, limits={f"{PREFIX}/usage-reports": USAGE_REPORTS_BODY,
                                                              verify_page.PATH: verify_page.VERIFY_BODY})
    app.add_middleware(TooLargePage)  # outside the guard: its 413 on the public /verify page, as a page
    app.state.service = service
    for module in (sessions, eligible, certificates, trust, usage):
        app.include_router(module.router, prefix=PREFIX)
    app.include_router(verify_page.router)  # the public /verify page (HTML, not in the OpenAPI document)
    mount_portal(app)  # the phone portal's pages behind a log-in (/portal/, HTML, not in the OpenAPI document)

    @app.exception_handler(Error)
    async def domain_error(_: Request, exc: Error) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return JSONResponse({"error": exc.code, "message": exc.message, **exc.extra()}, status_code=exc.status,
                            headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        if tuple(first.get("loc", ())) == ("path", "certificate_id"):  # issue #9: ids are checked at the boundary
            return JSONResponse({"error": "bad_certificate_id", "message": "expected a certificate id of 64 lowercase "
                                 f"hex characters, found {shown(first.get('input'))}"}, status_code=400)
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg', 'invalid request')}"
        return JSONResponse({"error": "bad_request", "message": message[:200]}, status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/portal/"):  # people's pages: the answer is a page too
            return http_error_page(request, exc.status_code, exc.headers)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"error": code, "message": str(exc.detail)[:200]}, status_code=exc.status_code,
                            headers=exc.headers)  # 405 keeps its Allow header

    return app
