"""The phone portal on the intermediary's app: its routers, and its errors as pages.

``PAGES`` lists the portal's routers in the order they are matched.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from intermediary.portal import consumer_allocations, consumer_certificates, consumer_contents, home, login
from intermediary.portal.errors import NotLoggedIn, PortalError
from intermediary.portal.issuer import router as issuer_pages
from intermediary.portal.producer_registration import router as producer_registration
from intermediary.portal.rendering import redirect, render

PAGES = [login.router, home.router, consumer_contents.router, consumer_allocations.router,
         consumer_certificates.router, producer_registration, issuer_pages]


def http_error_page(request: Request, status: int, headers: Mapping[str, str] | None) -> HTMLResponse:
    """A 404 or 405 under /portal/ (no such page, or a GET-only page posted to) as a page, not JSON."""
    missing = status == 404
    page = render(request, "error.html", status=status, title_key="missing_title" if missing else "error_title",
                  text_key="missing_text" if missing else "error_text",
                  code="not_found" if missing else "method_not_allowed")
    if headers:
        page.headers.update(headers)  # 405 keeps its Allow header
    return page


def mount_portal(app: FastAPI) -> None:
    for router in PAGES:
        app.include_router(router)

    @app.exception_handler(PortalError)
    async def portal_error(request: Request, exc: PortalError) -> HTMLResponse | RedirectResponse:
        if isinstance(exc, NotLoggedIn):
            return redirect(request, "/portal/login?expired=1" if exc.expired else "/portal/login")
        return render(request, "error.html", status=exc.status, title_key=exc.title_key, text_key=exc.text_key,
                      code=exc.code)
