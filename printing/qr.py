"""The transaction identification image of seed Fig. 24 (S212a): a QR code of the certificate payload.

DESIGN "QR payload": version ≤ 20, error correction M or Q, at least 35 mm wide.  Q (25 % of the symbol
may be damaged) is used whenever the payload fits version 20 at Q, M otherwise.  Drawn as one vector path so
no rasteriser leaves seams between modules; a quiet zone of 4 modules is kept free around it.
"""

from __future__ import annotations

import segno
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.errors import RenderError

MAX_VERSION = 20
ERROR_LEVELS = ("q", "m")  # preferred first
QUIET_ZONE_MODULES = 4
MIN_WIDTH = 40 * mm  # DESIGN asks for ≥ 35 mm; 40 mm leaves margin for printer scaling
MAX_WIDTH = 52 * mm
TARGET_MODULE = 0.5 * mm  # ≥ 3 px per module when a scan is rasterised at 150 dpi


def make_qr(payload: str) -> segno.QRCode:
    """Encode ``payload`` at error correction Q, or M if Q needs a version above 20; refuse what is larger."""
    if not payload:
        raise RenderError("payload: expected the QR text ('GC1:...'), found an empty string")
    qr = None
    for level in ERROR_LEVELS:
        try:
            qr = segno.make(payload, error=level, boost_error=False, micro=False, encoding="utf-8")
        except segno.DataOverflowError:  # more than even version 40 holds
            qr = None
            continue
        if isinstance(qr.version, int) and qr.version <= MAX_VERSION:
            return qr
    version = qr.version if qr is not None else "> 40"
    raise RenderError(
        f"payload: expected to fit a QR code of version ≤ {MAX_VERSION} at error correction Q or M, "
        f"found version {version} at M for {len(payload)} characters"
    )


def symbol_width(qr: segno.QRCode) -> float:
    """Printed width of the symbol itself (without quiet zone), in points."""
    modules = len(qr.matrix)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, modules * TARGET_MODULE)))


def quiet_zone(qr: segno.QRCode) -> float:
    return symbol_width(qr) / len(qr.matrix) * QUIET_ZONE_MODULES


def draw_qr(canvas: Canvas, qr: segno.QRCode, x: float, y: float) -> float:
    """Draw the symbol with its lower-left corner at (x, y); return its width in points.

    One filled path of one rectangle per horizontal run of dark modules, written in module units under a
    scaling transform: integer coordinates, so the path is exact and quick to write (a few hundred runs).
    """
    width = symbol_width(qr)
    rows = qr.matrix
    module = width / len(rows)
    runs: list[str] = []
    for row_index, row in enumerate(rows):
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                runs.append(f"{start} {row_index} {col - start} 1 re")
            else:
                col += 1
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.transform(module, 0, 0, -module, x, y + width)  # (column, row) → page, rows downwards
    canvas.addLiteral("\n".join(runs) + "\nf")  # "f": fill with the non-zero winding rule
    canvas.restoreState()
    return width
