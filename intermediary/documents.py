"""Certificate PDFs (S212a): our record + the institution's format → printing's renderer; cached on disk."""

from __future__ import annotations

from pathlib import Path

from intermediary.errors import BadInput
from intermediary.models import Certificate, Consumer
from printing import CertificateDocument, InstitutionFormat, render_certificate_pdf


def document_of(cert: Certificate, consumer: Consumer, *, reprint: bool) -> CertificateDocument:
    return CertificateDocument(certificate_id=cert.certificate_id, owner=consumer.name, amount_wh=cert.amount_wh,
                               period_start=cert.period_start, period_end=cert.period_end,
                               production_method=cert.method, category=cert.category, issued_at=cert.issued_at,
                               institution_id=cert.type_id, chain_id=cert.chain_id, block_height=cert.block_height,
                               payload=cert.payload, profile_wh=tuple(cert.profile), reprint=reprint)


def certificate_pdf(cert: Certificate, consumer: Consumer, institutions: dict[str, InstitutionFormat],
                    pdf_dir: Path, *, reprint: bool) -> bytes:
    fmt = institutions.get(cert.type_id)
    if fmt is None:
        raise BadInput(f"certificate {cert.certificate_id} uses institution {cert.type_id!r}, which has no format")
    path = pdf_dir / f"{cert.certificate_id}{'-reprint' if reprint else ''}.pdf"
    if path.exists():
        return path.read_bytes()
    pdf = render_certificate_pdf(document_of(cert, consumer, reprint=reprint), fmt)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pdf)
    tmp.replace(path)
    return pdf
