"""The issuer's pages (issue 15: "Issuers (institution staff) can revoke a certificate with a reason from the
portal; verifiers see it"), for accounts of role ``issuer``:

    GET  /portal/issuer/                                  find by id; this intermediary's certificates, paged
    GET  /portal/issuer/find?certificate_id=              → the certificate, or the home with what is wrong
    GET  /portal/issuer/certificates/{id}                 its facts and, unless revoked, the revoke form
    POST /portal/issuer/certificates/{id}/confirm         "Revoke certificate …? This cannot be undone." Yes/No
    POST /portal/issuer/certificates/{id}/revoke          ``intermediary.revocation.revoke`` → 303 to the result
    GET  /portal/issuer/certificates/{id}/revoked         the result, with a link to the public /verify page

A refusal is a page that says what is wrong (bad reason 400, already revoked 409, not issued here 403/404, ledger
unavailable 503) and changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from intermediary import revocation
from intermediary.api.deps import DbDep, ServiceDep
from intermediary.errors import BadInput, LedgerUnavailable
from intermediary.models import Certificate, Consumer
from intermediary.portal.dates import clock
from intermediary.portal.deps import CsrfChecked, IssuerDep
from intermediary.portal.errors import PageNotFound, PortalError
from intermediary.portal.issuer_text import ISSUER
from intermediary.portal.rendering import redirect, render
from intermediary.portal.sessions import Account

router = APIRouter(include_in_schema=False)
HOME = "/portal/issuer/"
CERTIFICATES = "/portal/issuer/certificates"
MAX_PAGE = 100_000


def _page(request: Request, template: str, account: Account, *, status: int = 200, **values: Any) -> HTMLResponse:
    return render(request, template, account=account, texts=ISSUER, status=status, clock=clock, **values)


def _home(request: Request, account: Account, db: DbDep, *, page: int = 1, status: int = 200,
          find_error: str | None = None, entered: str = "") -> HTMLResponse:
    rows, more = revocation.recent(db, page - 1)
    return _page(request, "issuer/home.html", account, status=status, rows=rows, more=more, page=page,
                 total=revocation.issued_count(db), find_error=find_error, entered=entered[:200])


def _ours(db: DbDep, certificate_id: str) -> tuple[Certificate, str]:
    """One of this intermediary's certificates and its holder's name; a "not found" page otherwise."""
    try:
        revocation.check_certificate_id(certificate_id)
    except BadInput:
        raise PageNotFound(f"expected a certificate id, found {certificate_id[:70]!r}") from None
    cert = db.get(Certificate, certificate_id)
    if cert is None:
        raise PageNotFound(f"expected a certificate issued here, found none with id {certificate_id}")
    consumer = db.get(Consumer, cert.consumer_id)
    return cert, consumer.name if consumer is not None else cert.consumer_id


def _problem(request: Request, account: Account, status: int, code: str, title_key: str, text_key: str,
             detail: str, certificate_id: str | None = None) -> HTMLResponse:
    """A refusal as a page: its words in the page's language, the service's message (English) as the detail."""
    return _page(request, "issuer/problem.html", account, status=status, code=code, title_key=title_key,
                 text_key=text_key, detail=detail, certificate_id=certificate_id)


def _already(request: Request, account: Account, cert: Certificate) -> HTMLResponse:
    return _page(request, "issuer/already.html", account, status=409, cert=cert)


@router.get(HOME)
def issuer_home(request: Request, account: IssuerDep, db: DbDep, page: str = "1") -> HTMLResponse:
    if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
        raise PortalError(f"expected a page number from 1 to {MAX_PAGE}, found {page[:20]!r}")
    return _home(request, account, db, page=int(page))


@router.get(HOME + "find", response_model=None)
def find_certificate(request: Request, account: IssuerDep, service: ServiceDep, db: DbDep,
                     certificate_id: str = "") -> Response:
    entered = certificate_id.strip().lower()
    try:
        cert = revocation.find(db, service.node, service.settings, entered)
    except BadInput:
        return _home(request, account, db, status=400, find_error="find_bad", entered=certificate_id)
    except revocation.UnknownCertificate:
        return _home(request, account, db, status=404, find_error="find_unknown", entered=certificate_id)
    except revocation.NotIssuer:
        return _home(request, account, db, status=403, find_error="find_other", entered=certificate_id)
    except LedgerUnavailable as exc:
        return _problem(request, account, 503, exc.code, "ledger_title", "ledger_text", exc.message)
    return redirect(request, f"{CERTIFICATES}/{cert.certificate_id}")


@router.get(CERTIFICATES + "/{certificate_id}")
def certificate_page(request: Request, certificate_id: str, account: IssuerDep, db: DbDep) -> HTMLResponse:
    cert, holder = _ours(db, certificate_id)
    return _page(request, "issuer/certificate.html", account, cert=cert, holder=holder, reason="",
                 reason_error=False)


@router.post(CERTIFICATES + "/{certificate_id}/confirm", dependencies=[CsrfChecked])
def confirm(request: Request, certificate_id: str, account: IssuerDep, db: DbDep,
            reason: Annotated[str, Form()] = "") -> HTMLResponse:
    cert, holder = _ours(db, certificate_id)
    if cert.revoked_reason is not None:
        return _already(request, account, cert)
    try:
        text = revocation.check_reason(reason)
    except BadInput:
        return _page(request, "issuer/certificate.html", account, status=400, cert=cert, holder=holder,
                     reason=reason[:600], reason_error=True)
    return _page(request, "issuer/confirm.html", account, cert=cert, holder=holder, reason=text)


@router.post(CERTIFICATES + "/{certificate_id}/revoke", response_model=None, dependencies=[CsrfChecked])
def revoke(request: Request, certificate_id: str, account: IssuerDep, service: ServiceDep, db: DbDep,
           reason: Annotated[str, Form()] = "") -> Response:
    cert, holder = _ours(db, certificate_id)
    try:
        revocation.revoke(db, service.node, service.settings, certificate_id, reason, service.clock())
    except revocation.AlreadyRevoked:
        db.refresh(cert)
        return _already(request, account, cert)
    except revocation.NotIssuer as exc:
        return _problem(request, account, 403, exc.code, "other_title", "find_other", exc.message,
                        certificate_id)
    except BadInput:
        return _page(request, "issuer/certificate.html", account, status=400, cert=cert, holder=holder,
                     reason=reason[:600], reason_error=True)
    except LedgerUnavailable as exc:
        return _problem(request, account, 503, exc.code, "ledger_title", "ledger_text", exc.message,
                        certificate_id)
    return redirect(request, f"{CERTIFICATES}/{certificate_id}/revoked")


@router.get(CERTIFICATES + "/{certificate_id}/revoked", response_model=None)
def revoked(request: Request, certificate_id: str, account: IssuerDep, db: DbDep) -> Response:
    cert, holder = _ours(db, certificate_id)
    if cert.revoked_reason is None:
        return redirect(request, f"{CERTIFICATES}/{certificate_id}")
    verify_href = "/verify?" + urlencode({"p": cert.payload})
    return _page(request, "issuer/revoked.html", account, cert=cert, holder=holder, verify_href=verify_href)
