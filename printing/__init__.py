"""Certificate documents (reportlab PDF with QR) from institution formats, and CUPS printing.

Seed counterparts: generation units 63/96 (S212a, S311a, S410a) and the print processing unit 75 (S214a).

The names below are imported when first used (PEP 562): reading a certificate back (``greencert verify``, the
auditor's mode) does not load reportlab or pycups, and rendering does not load the readers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from printing.cups_printer import JobOutcome, PrinterInfo, list_printers, print_pdf
    from printing.document import CertificateDocument, format_amount_kwh, parse_amount_kwh
    from printing.errors import Error, FormatError, PrinterUnavailable, PrintFailed, ReadError, RenderError
    from printing.institutions import InstitutionFormat, Layout, Logo, load_institution, load_institutions
    from printing.output import Delivery, deliver
    from printing.reading import PrintedCertificate, read_certificate_pdf, read_qr_codes, read_qr_from_image
    from printing.render import render_certificate_pdf

_HOME = {
    "JobOutcome": "cups_printer", "PrinterInfo": "cups_printer", "list_printers": "cups_printer",
    "print_pdf": "cups_printer",
    "CertificateDocument": "document", "format_amount_kwh": "document", "parse_amount_kwh": "document",
    "Error": "errors", "FormatError": "errors", "PrinterUnavailable": "errors", "PrintFailed": "errors",
    "ReadError": "errors", "RenderError": "errors",
    "InstitutionFormat": "institutions", "Layout": "institutions", "Logo": "institutions",
    "load_institution": "institutions", "load_institutions": "institutions",
    "Delivery": "output", "deliver": "output",
    "PrintedCertificate": "reading", "read_certificate_pdf": "reading", "read_qr_codes": "reading",
    "read_qr_from_image": "reading",
    "render_certificate_pdf": "render",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'printing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"printing.{module}"), name)
    globals()[name] = value  # once
    return value


__all__ = [
    "CertificateDocument",
    "Delivery",
    "Error",
    "FormatError",
    "InstitutionFormat",
    "JobOutcome",
    "Layout",
    "Logo",
    "PrintFailed",
    "PrintedCertificate",
    "PrinterInfo",
    "PrinterUnavailable",
    "ReadError",
    "RenderError",
    "deliver",
    "format_amount_kwh",
    "list_printers",
    "load_institution",
    "load_institutions",
    "parse_amount_kwh",
    "print_pdf",
    "read_certificate_pdf",
    "read_qr_codes",
    "read_qr_from_image",
    "render_certificate_pdf",
]
