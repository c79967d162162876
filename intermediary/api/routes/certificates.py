"""Certificate types, issuance, records and PDFs (S512-S520)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from intermediary import issuance
from intermediary.api.deps import DbDep, PrincipalDep, ServiceDep
from intermediary.api.schemas import CERTIFICATE_ID, errors
from intermediary.documents import certificate_pdf, time_matched_of
from intermediary.errors import BadInput, shown
from intermediary.models import Certificate
from intermediary.period import Period

router = APIRouter(tags=["issuance"])

ItemId = Annotated[str, Field(min_length=1, max_length=64)]
CertificateId = Annotated[str, Path(pattern=CERTIFICATE_ID, description="64 lowercase hex characters",
                                    examples=["ab" * 32])]


class PeriodIn(BaseModel):
    """The main embodiment's request (S202/S203): every open allocation of one method generated in the period."""

    start: int = Field(ge=0, le=2**40, description="Unix seconds, inclusive (e.g. 00:00 JST of the first day)")
    end: int = Field(ge=0, le=2**40, description="Unix seconds, exclusive (e.g. 00:00 JST after the last day)")
    production_method: str = Field(min_length=1, max_length=32, examples=["solar"])


class IssueIn(BaseModel):
    item_ids: list[ItemId] | None = Field(default=None, min_length=1, max_length=issuance.MAX_ITEMS,
                                          description="rows of the eligible list (S511); or give period")
    period: PeriodIn | None = Field(default=None, description="instead of item_ids: the main embodiment (S203)")
    type_id: str = Field(min_length=1, max_length=64)
    idempotency_key: str = Field(min_length=8, max_length=100)


class CertificateType(BaseModel):
    type_id: str
    institution: str
    name: str
    language: str
    institution_en: str
    name_en: str
    institution_ja: str
    name_ja: str


class CertificateTypes(BaseModel):
    items: list[CertificateType]


class CertificateOut(BaseModel):
    certificate_id: str
    owner: str
    amount_wh: int
    period_start: int
    period_end: int
    production_method: str
    category: str
    type_id: str
    issued_at: int
    chain_id: str
    block_height: int
    payload: str
    pdf_url: str
    time_matched_wh: int | None = Field(default=None, description="Wh generated in the half hour they were used "
                                        "in (the payload's signed claim tm); null for a certificate that does not "
                                        "state it")


class CertificateList(BaseModel):
    items: list[CertificateOut]


def _public(cert: Certificate, user_name: str) -> CertificateOut:
    return CertificateOut(certificate_id=cert.certificate_id, owner=user_name, amount_wh=cert.amount_wh,
                          period_start=cert.period_start, period_end=cert.period_end, production_method=cert.method,
                          category=cert.category, type_id=cert.type_id, issued_at=cert.issued_at,
                          chain_id=cert.chain_id, block_height=cert.block_height, payload=cert.payload,
                          pdf_url=f"/api/v1/certificates/{cert.certificate_id}/pdf",
                          time_matched_wh=time_matched_of(cert.payload))


@router.get("/certificate-types", responses=errors())
def certificate_types(service: ServiceDep) -> CertificateTypes:
    """Fig. 11B: the issuing institutions whose formats this intermediary holds."""
    return CertificateTypes(items=[
        CertificateType(type_id=f.institution_id, institution=f.name_ja if f.language == "ja" else f.name_en,
                        name=f.title_ja if f.language == "ja" else f.title_en, language=f.language,
                        institution_en=f.name_en, name_en=f.title_en, institution_ja=f.name_ja, name_ja=f.title_ja)
        for f in sorted(service.institutions.values(), key=lambda f: f.institution_id)])


@router.post("/certificates", status_code=201, responses=errors(400, 401, 404, 409, 503))
def issue_certificate(body: IssueIn, service: ServiceDep, db: DbDep, who: PrincipalDep) -> CertificateOut:
    """S512: issue one certificate for the selected rows (``item_ids``), or S203-S213a: for exactly the open
    allocations of one method generated in ``period`` (404 ``no_allocations`` when there are none). The same
    ``idempotency_key`` (per applicant) always gets the same answer; 409 ``already_issued`` names the earlier
    certificate (S210b)."""
    if (body.item_ids is None) == (body.period is None):
        raise BadInput("expected either item_ids or period, found " + ("both" if body.period else "neither"))
    if body.type_id not in service.institutions:
        raise BadInput(f"expected a type_id among {sorted(service.institutions)}, found {shown(body.type_id)}",
                       "unknown_type")
    period = None if body.period is None else Period(body.period.start, body.period.end,
                                                     body.period.production_method)
    cert = issuance.issue(db, service.node, service.settings, who, body.item_ids or [], body.type_id,
                          body.idempotency_key, service.clock(), period=period)
    return _public(cert, who.consumer.name)


@router.get("/certificates", responses=errors(401))
def list_certificates(db: DbDep, who: PrincipalDep) -> CertificateList:
    return CertificateList(items=[_public(c, who.consumer.name)
                                  for c in issuance.certificates_of(db, who.consumer.consumer_id)])


@router.get("/certificates/{certificate_id}", responses=errors(400, 401, 404))
def get_certificate(certificate_id: CertificateId, db: DbDep, who: PrincipalDep) -> CertificateOut:
    return _public(issuance.certificate_of(db, who, certificate_id), who.consumer.name)


@router.get("/certificates/{certificate_id}/pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "The certificate as a PDF (S212a)"}, **errors(400, 401, 404)})
def get_certificate_pdf(certificate_id: CertificateId, service: ServiceDep, db: DbDep, who: PrincipalDep,
                        reprint: bool = False) -> Response:
    cert = issuance.certificate_of(db, who, certificate_id)
    settings = service.settings
    pdf = certificate_pdf(cert, who.consumer, service.institutions, settings.pdf_dir, reprint=reprint,
                          node=service.node, public_url=settings.public_url, render_at=settings.render_at)
    name = f"certificate-{certificate_id[:12]}{'-reprint' if reprint else ''}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
