"""Certificate PDFs (S212a): our record + the institution's format → printing's renderer; cached on disk.

Each PDF carries the certificate's audit bundle (``ledger_lite.audit.AuditBundle``: the node's answers proving the
issuance in a final block and its record), so an auditor proves ledger inclusion from the PDF alone. When the
node cannot be asked, the PDF is made without it and not cached (the next request tries again).

With ``Settings.render_at == "node"`` (Modification 1, S311a/S312a) the document is written from the ledger's
records instead of ours: ``intermediary.node_render``. Both give the same bytes for the same certificate.
With ``Settings.public_url`` set, the QR code links to this intermediary's own ``/verify`` page and that address
is printed under it (``with_public_url``), instead of the format's.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import replace
from pathlib import Path

from backend_client import ClientError, NodeClient
from intermediary.errors import BadInput
from intermediary.models import Certificate, Consumer
from intermediary.node_render import document_from_ledger
from ledger_lite import PayloadError
from ledger_lite.audit import AuditBundle, BundleError
from ledger_lite.payload import peek_payload
from ledger_lite.verification import LedgerReader
from printing import CertificateDocument, InstitutionFormat, render_certificate_pdf

VERIFY_PATH = "/verify"  # the public page (intermediary.web.verify_page)


def time_matched_of(payload: str) -> int | None:
    """The signed claim ``tm`` of our own payload (None for a certificate issued before it was stated)."""
    try:
        return peek_payload(payload).claims.tm
    except PayloadError:
        return None


def document_of(cert: Certificate, consumer: Consumer, *, reprint: bool) -> CertificateDocument:
    return CertificateDocument(certificate_id=cert.certificate_id, owner=consumer.name, amount_wh=cert.amount_wh,
                               period_start=cert.period_start, period_end=cert.period_end,
                               production_method=cert.method, category=cert.category, issued_at=cert.issued_at,
                               institution_id=cert.type_id, chain_id=cert.chain_id, block_height=cert.block_height,
                               payload=cert.payload, profile_wh=tuple(cert.profile), reprint=reprint,
                               time_matched_wh=time_matched_of(cert.payload))


def with_public_url(fmt: InstitutionFormat, public_url: str) -> InstitutionFormat:
    """``fmt`` whose QR links to ``public_url``'s ``/verify`` page and prints that page's address; unchanged when
    ``public_url`` is ""."""
    if not public_url:
        return fmt
    base = public_url.rstrip("/")
    return replace(fmt, qr_link_base=base, verify_url=base + VERIFY_PATH)


log = logging.getLogger(__name__)
_warming: list[threading.Thread] = []


def warm_renderer() -> None:
    """Load the renderer (reportlab, the embedded CJK font: ~0.2-0.4 s once per process) in the background, so the
    first certificate's PDF does not wait for it; the issuance calls this while the node makes its block."""
    if not _warming:
        thread = threading.Thread(target=_load_renderer, name="warm-renderer", daemon=True)
        _warming.append(thread)
        thread.start()


def _load_renderer() -> None:
    try:
        importlib.import_module("printing.render")  # reportlab's canvas, pypdf, zxing-cpp
        importlib.import_module("printing.fonts").cjk_font_name()
    except Exception as exc:  # the PDF request itself will say what is wrong
        log.warning("the certificate renderer could not be prepared: %s", exc)


def audit_bundle(node: LedgerReader, certificate_id: str) -> bytes | None:
    """The certificate's audit bundle from the node, or None when the node cannot give it now."""
    try:
        return AuditBundle.fetch(node, certificate_id).encode()
    except (ClientError, BundleError, KeyError, TypeError, ValueError) as exc:
        log.warning("certificate %s: no audit bundle for its PDF now (%s)", certificate_id, exc)
        return None


def format_of(cert: Certificate, institutions: dict[str, InstitutionFormat], public_url: str) -> InstitutionFormat:
    fmt = institutions.get(cert.type_id)
    if fmt is None:
        raise BadInput(f"certificate {cert.certificate_id} uses institution {cert.type_id!r}, which has no format")
    return with_public_url(fmt, public_url)


def certificate_pdf(cert: Certificate, consumer: Consumer, institutions: dict[str, InstitutionFormat],
                    pdf_dir: Path, *, reprint: bool, node: LedgerReader | None = None,
                    public_url: str = "", render_at: str = "intermediary") -> bytes:
    """The certificate's PDF: written by us from our record (S212a), or with ``render_at="node"`` by the node side
    from the ledger's records (S311a, ``intermediary.node_render``; ``node`` must then be a ``NodeClient``)."""
    fmt = format_of(cert, institutions, public_url)
    path = pdf_dir / f"{cert.certificate_id}{'-reprint' if reprint else ''}.pdf"
    if path.exists():
        return path.read_bytes()
    bundle = None if node is None else audit_bundle(node, cert.certificate_id)
    if render_at == "node":
        if not isinstance(node, NodeClient):
            raise BadInput(f"render_at 'node' needs the ledger node's client, found {type(node).__name__}")
        document = document_from_ledger(node, cert.certificate_id, cert.payload, reprint=reprint)
    else:
        document = document_of(cert, consumer, reprint=reprint)
    pdf = render_certificate_pdf(document, fmt, bundle=bundle)
    if node is not None and bundle is None:
        return pdf  # not cached: the next request embeds the bundle
    store(path, pdf)
    return pdf


def store(path: Path, pdf: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pdf)
    tmp.replace(path)
