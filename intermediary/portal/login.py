"""``/portal/login`` and ``/portal/logout``: the portal's log-in with the kiosk's throttle and lockout
(``intermediary.auth.check_credentials``: the same counts, so failures here and at the kiosk add up).

The log-in form has no session yet, so its CSRF token is a random value in a cookie of its own (SameSite=Strict,
HttpOnly), repeated in a hidden field: another site's form cannot send the cookie, and cannot know the value.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from intermediary import auth
from intermediary.api.deps import DbDep, ServiceDep
from intermediary.errors import InvalidCredentials, Locked
from intermediary.portal import sessions
from intermediary.portal.deps import SESSION_COOKIE, CsrfChecked, current_account
from intermediary.portal.errors import CsrfRefused, NotLoggedIn
from intermediary.portal.rendering import PATH, redirect, render, secure_cookies
from intermediary.service import Service

LOGIN_CSRF_COOKIE = "gc_portal_login"
MAX_ID, MAX_PASSWORD = 64, 256  # as POST /api/v1/sessions

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, service: Service, token: str, *, status: int = 200, message: str = "",
                notice: str = "", applicant_id: str = "", left: int | None = None) -> HTMLResponse:
    """The log-in form; ``message`` (a catalogue key) says what went wrong, ``notice`` why the user is here."""
    settings = service.settings
    response = render(request, "login.html", status=status, message=message, notice=notice, left=left,
                      applicant_id=applicant_id, login_csrf=token, ttl=settings.session_ttl_s // 60,
                      idle=settings.portal_idle_s // 60)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, path=PATH, httponly=True, samesite="strict",
                        secure=secure_cookies(request))
    return response


@router.get("/portal/login", response_model=None)
def login_form(request: Request, service: ServiceDep, db: DbDep) -> Response:
    try:
        current_account(request, service, db)
        return redirect(request, "/portal/")  # logged in already
    except NotLoggedIn:
        pass
    notice = "expired" if "expired" in request.query_params else "logged_out" if "bye" in request.query_params \
        else ""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    return _login_page(request, service, token, notice=notice)


@router.post("/portal/login", response_model=None)
def log_in(request: Request, service: ServiceDep, db: DbDep, applicant_id: Annotated[str, Form()] = "",
           password: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "") -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), csrf.encode()):
        raise CsrfRefused("expected the log-in form's csrf field to match its cookie, found "
                          + ("no cookie" if not cookie else "another value"))
    if not (0 < len(applicant_id) <= MAX_ID and 0 < len(password) <= MAX_PASSWORD):
        return _login_page(request, service, cookie, status=400, message="field_missing",
                           applicant_id=applicant_id[:MAX_ID])
    client = request.client.host if request.client else "unknown"
    now = service.clock()
    try:
        applicant = auth.check_credentials(db, service.settings, applicant_id, password, now, client)
    except Locked as exc:
        retry_after = exc.retry_after or 60
        page = render(request, "locked.html", status=429, minutes=-(-retry_after // 60))
        page.headers["Retry-After"] = str(retry_after)
        return page
    except InvalidCredentials as exc:
        return _login_page(request, service, cookie, status=401, message="wrong", applicant_id=applicant_id,
                           left=exc.attempts_left)
    token = sessions.start(db, service.settings, applicant, now)
    response = redirect(request, "/portal/")
    secure = secure_cookies(request)
    response.set_cookie(SESSION_COOKIE, token, max_age=service.settings.session_ttl_s, path=PATH, httponly=True,
                        samesite="strict", secure=secure)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PATH, httponly=True, samesite="strict", secure=secure)
    return response


@router.post("/portal/logout", response_model=None, dependencies=[CsrfChecked])
def log_out(request: Request, db: DbDep) -> Response:
    sessions.end(db, request.cookies.get(SESSION_COOKIE))
    response = redirect(request, "/portal/login?bye=1")
    response.delete_cookie(SESSION_COOKIE, path=PATH, httponly=True, samesite="strict",
                           secure=secure_cookies(request))
    return response
