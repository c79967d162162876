"""Certificate PDFs (S212a): our record + the institution's format → printing's renderer; cached on disk.

Each PDF carries the certificate's audit bundle (``ledger_lite.audit.AuditBundle``: the node's answers proving the
issuance in a final block and its record), so an auditor proves ledger inclusion from the PDF alone. When the
node cannot be asked, the PDF is made without it and not cached (the next request tries again)."""

from __future__ import annotations

import logging
from pathlib import Path

from backend_client import ClientError
from intermediary.errors import BadInput
from intermediary.models import Certificate, Consumer
from ledger_lite.audit import AuditBundle, BundleError
from ledger_lite.verification import LedgerReader
from printing import CertificateDocument, InstitutionFormat, render_certificate_pdf


def document_of(cert: Certificate, consumer: Consumer, *, reprint: bool) -> CertificateDocument:
    return CertificateDocument(certificate_id=cert.certificate_id, owner=consumer.name, amount_wh=cert.amount_wh,
                               period_start=cert.period_start, period_end=cert.period_end,
                               production_method=cert.method, category=cert.category, issued_at=cert.issued_at,
                               institution_id=cert.type_id, chain_id=cert.chain_id, block_height=cert.block_height,
                               payload=cert.payload, profile_wh=tuple(cert.profile), reprint=reprint)


log = logging.getLogger(__name__)


def audit_bundle(node: LedgerReader, certificate_id: str) -> bytes | None:
    """The certificate's audit bundle from the node, or None when the node cannot give it now."""
    try:
        return AuditBundle.fetch(node, certificate_id).encode()
    except (ClientError, BundleError, KeyError, TypeError, ValueError) as exc:
        log.warning("certificate %s: no audit bundle for its PDF now (%s)", certificate_id, exc)
        return None


def certificate_pdf(cert: Certificate, consumer: Consumer, institutions: dict[str, InstitutionFormat],
                    pdf_dir: Path, *, reprint: bool, node: LedgerReader | None = None) -> bytes:
    fmt = institutions.get(cert.type_id)
    if fmt is None:
        raise BadInput(f"certificate {cert.certificate_id} uses institution {cert.type_id!r}, which has no format")
    path = pdf_dir / f"{cert.certificate_id}{'-reprint' if reprint else ''}.pdf"
    if path.exists():
        return path.read_bytes()
    bundle = None if node is None else audit_bundle(node, cert.certificate_id)
    pdf = render_certificate_pdf(document_of(cert, consumer, reprint=reprint), fmt, bundle=bundle)
    if node is not None and bundle is None:
        return pdf  # not cached: the next request embeds the bundle
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pdf)
    tmp.replace(path)
    return pdf
