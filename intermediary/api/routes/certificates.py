"""Certificate types, issuance, records and PDFs (S512-S520)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from intermediary import issuance
from intermediary.api.deps import DbDep, PrincipalDep, ServiceDep
from intermediary.documents import certificate_pdf
from intermediary.errors import BadInput
from intermediary.models import Certificate

router = APIRouter(tags=["issuance"])


class IssueIn(BaseModel):
    item_ids: list[str] = Field(min_length=1, max_length=issuance.MAX_ITEMS)
    type_id: str = Field(min_length=1, max_length=64)
    idempotency_key: str = Field(min_length=8, max_length=100)


def _public(cert: Certificate, user_name: str) -> dict[str, Any]:
    return {"certificate_id": cert.certificate_id, "owner": user_name, "amount_wh": cert.amount_wh,
            "period_start": cert.period_start, "period_end": cert.period_end, "production_method": cert.method,
            "category": cert.category, "type_id": cert.type_id, "issued_at": cert.issued_at,
            "chain_id": cert.chain_id, "block_height": cert.block_height, "payload": cert.payload,
            "pdf_url": f"/api/v1/certificates/{cert.certificate_id}/pdf"}


@router.get("/certificate-types")
def certificate_types(service: ServiceDep) -> dict[str, Any]:
    """Fig. 11B: the issuing institutions whose formats this intermediary holds."""
    return {"items": [{"type_id": f.institution_id, "institution": f.name_ja if f.language == "ja" else f.name_en,
                       "name": f.title_ja if f.language == "ja" else f.title_en, "language": f.language,
                       "institution_en": f.name_en, "name_en": f.title_en}
                      for f in sorted(service.institutions.values(), key=lambda f: f.institution_id)]}


@router.post("/certificates", status_code=201)
def issue_certificate(body: IssueIn, service: ServiceDep, db: DbDep, who: PrincipalDep) -> dict[str, Any]:
    if body.type_id not in service.institutions:
        raise BadInput(f"expected a type_id among {sorted(service.institutions)}, found {body.type_id!r}",
                       "unknown_type")
    cert = issuance.issue(db, service.node, service.settings, who, body.item_ids, body.type_id,
                          body.idempotency_key, service.clock())
    return _public(cert, who.consumer.name)


@router.get("/certificates")
def list_certificates(db: DbDep, who: PrincipalDep) -> dict[str, Any]:
    return {"items": [_public(c, who.consumer.name) for c in issuance.certificates_of(db, who.consumer.consumer_id)]}


@router.get("/certificates/{certificate_id}")
def get_certificate(certificate_id: str, service: ServiceDep, db: DbDep, who: PrincipalDep) -> dict[str, Any]:
    cert = issuance.recover_certificate(db, service.node, service.settings, who, certificate_id)
    return _public(cert, who.consumer.name)


@router.get("/certificates/{certificate_id}/pdf")
def get_certificate_pdf(certificate_id: str, service: ServiceDep, db: DbDep, who: PrincipalDep,
                        reprint: bool = False) -> Response:
    cert = issuance.recover_certificate(db, service.node, service.settings, who, certificate_id)
    pdf = certificate_pdf(cert, who.consumer, service.institutions, service.settings.pdf_dir, reprint=reprint)
    name = f"certificate-{certificate_id[:12]}{'-reprint' if reprint else ''}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
