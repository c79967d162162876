"""The transaction identification image of seed Fig. 24 (S212a): a QR code of the certificate payload.

DESIGN "QR payload": version ≤ 20, error correction M, at least 35 mm wide.  Drawn as one vector path so
no rasteriser leaves seams between modules; a quiet zone of 4 modules is kept free around it.
"""

from __future__ import annotations

import segno
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import FILL_NON_ZERO, Canvas

from printing.errors import RenderError

MAX_VERSION = 20
QUIET_ZONE_MODULES = 4
MIN_WIDTH = 40 * mm  # DESIGN asks for ≥ 35 mm; 40 mm leaves margin for printer scaling
MAX_WIDTH = 52 * mm
TARGET_MODULE = 0.5 * mm  # ≥ 3 px per module when a scan is rasterised at 150 dpi


def make_qr(payload: str) -> segno.QRCode:
    """Encode ``payload`` with error correction M; refuse what would not print legibly."""
    if not payload:
        raise RenderError("payload: expected the QR text ('GC1:...'), found an empty string")
    qr = segno.make(payload, error="m", boost_error=False, micro=False, encoding="utf-8")
    version = qr.version
    if not isinstance(version, int) or version > MAX_VERSION:
        raise RenderError(
            f"payload: expected to fit a QR code of version ≤ {MAX_VERSION} at error correction M, "
            f"found version {version} for {len(payload)} characters"
        )
    return qr


def symbol_width(qr: segno.QRCode) -> float:
    """Printed width of the symbol itself (without quiet zone), in points."""
    modules = len(qr.matrix)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, modules * TARGET_MODULE)))


def quiet_zone(qr: segno.QRCode) -> float:
    return symbol_width(qr) / len(qr.matrix) * QUIET_ZONE_MODULES


def draw_qr(canvas: Canvas, qr: segno.QRCode, x: float, y: float) -> float:
    """Draw the symbol with its lower-left corner at (x, y); return its width in points."""
    width = symbol_width(qr)
    rows = qr.matrix
    module = width / len(rows)
    path = canvas.beginPath()
    for row_index, row in enumerate(rows):
        top = y + width - row_index * module
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                path.rect(x + start * module, top - module, (col - start) * module, module)
            else:
                col += 1
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)
    canvas.restoreState()
    return width
