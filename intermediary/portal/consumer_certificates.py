"""The consumer's certificates: period, method, Wh, when issued and, if an issuer revoked one, when and why; each
PDF downloaded through the portal session (the kiosk API's rendering, ``intermediary.documents``). Another
consumer's certificate is "not found"."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from intermediary.api.deps import DbDep, ServiceDep
from intermediary.documents import certificate_pdf
from intermediary.issuance import certificates_of
from intermediary.models import Certificate
from intermediary.portal.consumer_text import CONSUMER
from intermediary.portal.dates import clock
from intermediary.portal.deps import ConsumerDep
from intermediary.portal.errors import PageNotFound
from intermediary.portal.home import consumer_of
from intermediary.portal.rendering import HEADERS, render

router = APIRouter(include_in_schema=False)
CERTIFICATE_ID = re.compile(r"[0-9a-f]{64}")


@router.get("/portal/certificates")
def certificates(request: Request, account: ConsumerDep, db: DbDep) -> HTMLResponse:
    consumer = consumer_of(db, account.consumer_id)
    return render(request, "consumer/certificates.html", account=account, texts=CONSUMER, nav="tab_certificates",
                  certificates=certificates_of(db, consumer.consumer_id), clock=clock)


@router.get("/portal/certificates/{certificate_id}/pdf", response_model=None)
def certificate_download(certificate_id: str, account: ConsumerDep, service: ServiceDep, db: DbDep) -> Response:
    consumer = consumer_of(db, account.consumer_id)
    cert = db.get(Certificate, certificate_id) if CERTIFICATE_ID.fullmatch(certificate_id) else None
    if cert is None or cert.consumer_id != consumer.consumer_id:
        raise PageNotFound(f"expected one of {consumer.consumer_id}'s certificates, found {certificate_id[:70]!r}")
    settings = service.settings
    pdf = certificate_pdf(cert, consumer, service.institutions, settings.pdf_dir, reprint=False, node=service.node,
                          public_url=settings.public_url, render_at=settings.render_at)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="certificate-{certificate_id[:12]}.pdf"',
                             "Cache-Control": HEADERS["Cache-Control"], "X-Frame-Options": "DENY"})
