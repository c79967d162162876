"""Errors of the phone portal, each shown as a page (``intermediary.portal.mount``), never a traceback:

    intermediary.errors.Error
    └── PortalError         a page with a status
        ├── NotLoggedIn     303 to /portal/login (no, an unknown, expired or idle session)
        ├── CsrfRefused     403 page: a POST without this session's CSRF token; nothing changed
        ├── WrongRolePage   403 page: this account's role may not open this page
        └── PageNotFound    404 page: no such thing for this account (another consumer's certificate, ...)
"""

from __future__ import annotations

from intermediary.errors import Error


class PortalError(Error):
    status = 400
    code = "portal_error"
    title_key = "error_title"  # catalogue key of the page's heading
    text_key = "error_text"    # catalogue key of the page's explanation


class NotLoggedIn(PortalError):
    status = 401
    code = "not_logged_in"

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


class CsrfRefused(PortalError):
    status = 403
    code = "csrf_refused"
    title_key = "csrf_title"
    text_key = "csrf_text"


class WrongRolePage(PortalError):
    status = 403
    code = "wrong_role"
    title_key = "role_title"
    text_key = "role_text"


class PageNotFound(PortalError):
    status = 404
    code = "not_found"
    title_key = "missing_title"
    text_key = "missing_text"
