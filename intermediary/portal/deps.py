"""FastAPI dependencies of the portal's pages: the logged-in account, a role guard and the CSRF check.

    @router.get("/portal/contents")
    def contents(request: Request, account: ConsumerDep, db: DbDep) -> HTMLResponse: ...

    @router.post("/portal/contents", dependencies=[CsrfChecked])     # the form's csrf field, checked first
    def save(request: Request, account: ConsumerDep, ...) -> Response: ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Request

from intermediary.api.deps import DbDep, ServiceDep
from intermediary.portal import sessions
from intermediary.portal.errors import WrongRolePage
from intermediary.portal.sessions import Account

SESSION_COOKIE = "gc_portal"


def current_account(request: Request, service: ServiceDep, db: DbDep) -> Account:
    """The account of this request's session cookie; ``NotLoggedIn`` (→ the log-in page) when there is none."""
    return sessions.resume(db, service.settings, request.cookies.get(SESSION_COOKIE), service.clock())


AccountDep = Annotated[Account, Depends(current_account)]


def require_role(*roles: str) -> Callable[[Account], Account]:
    """A dependency giving the logged-in account if its role is one of ``roles``, else a 403 page."""
    def guard(account: AccountDep) -> Account:
        if account.role not in roles:
            raise WrongRolePage(f"expected an account of role {' or '.join(roles)}, found {account.role}")
        return account

    return guard


ConsumerDep = Annotated[Account, Depends(require_role("consumer"))]
ProducerDep = Annotated[Account, Depends(require_role("producer"))]
IssuerDep = Annotated[Account, Depends(require_role("issuer"))]


def csrf_checked(account: AccountDep, csrf: Annotated[str, Form()] = "") -> Account:
    """The form's ``csrf`` field against the session's token (constant time): a 403 page and nothing done if it
    is missing or wrong. Runs before the route's body, so a refused POST changes nothing."""
    sessions.check_csrf(account.csrf_token, csrf)
    return account


CsrfChecked = Depends(csrf_checked)
