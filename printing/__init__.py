"""Certificate documents (reportlab PDF with QR) from institution formats, and CUPS printing.

Seed counterparts: generation units 63/96 (S212a, S311a, S410a) and the print processing unit 75 (S214a).
"""

from printing.cups_printer import JobOutcome, PrinterInfo, list_printers, print_pdf
from printing.document import CertificateDocument, format_amount_kwh, parse_amount_kwh
from printing.errors import Error, FormatError, PrinterUnavailable, PrintFailed, ReadError, RenderError
from printing.institutions import InstitutionFormat, Layout, Logo, load_institution, load_institutions
from printing.output import Delivery, deliver
from printing.reading import PrintedCertificate, read_certificate_pdf, read_qr_codes, read_qr_from_image
from printing.render import render_certificate_pdf

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
