"""The transaction identification image of seed Fig. 24 (S212a): a QR code of the certificate payload.

DESIGN "QR payload": version ≤ 20, error correction M or Q, at least 35 mm wide.  Q (25 % of the symbol
may be damaged) is used whenever the payload fits version 20 at Q, M otherwise.  Drawn as one vector path so
no rasteriser leaves seams between modules; a quiet zone of 4 modules is kept free around it.

A link to the intermediary's public ``/verify`` page (issue #13, "On a phone") may stand in for the bare payload
(``qr_text``): ``HTTPS://HOST/VERIFY/`` and the payload with ``%``, space and ``/`` percent-encoded, all of it in
QR alphanumeric mode (upper case, no ``?``/``=``/``#``, which would force byte mode), so a phone's camera opens
the page and the link costs ~15 % more modules than the payload; decoding the path (``urllib.parse.unquote``,
which every server does) gives the payload back. Used only where it fits the version and level the bare payload
gets; otherwise the bare payload is printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import zxingcpp
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.errors import RenderError

ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
LINK_PATH = "/VERIFY/"  # the intermediary serves /verify/<payload> and /VERIFY/<payload>

MAX_VERSION = 20
ERROR_LEVELS = ("q", "m")  # preferred first
QUIET_ZONE_MODULES = 4
MIN_WIDTH = 40 * mm  # DESIGN asks for ≥ 35 mm; 40 mm leaves margin for printer scaling
MAX_WIDTH = 52 * mm
TARGET_MODULE = 0.5 * mm  # ≥ 3 px per module when a scan is rasterised at 150 dpi
_DARK = 0  # the value of a dark module in zxing-cpp's image of a symbol


@dataclass(frozen=True)
class Symbol:
    """A QR code symbol: its version, error correction level ("q" or "m") and modules, row by row (True: dark)."""

    version: int
    error: str
    matrix: tuple[tuple[bool, ...], ...]


def _encode(text: str, level: str) -> Symbol | None:
    """``text`` as a QR code (not micro) at error correction ``level``, in the smallest version that holds it and
    with the mask of least penalty (ISO/IEC 18004), or None if not even version 40 does. zxing-cpp's encoder (C++,
    already the kiosk's reader) takes ~3 ms where segno's pure-Python mask search took 40-80 ms per symbol: a
    certificate's PDF needs up to three (issue 15, "issuance request → PDF bytes")."""
    try:
        barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=level.upper())
    except ValueError:  # zxing-cpp: the data do not fit version 40 at this level
        return None
    # zxing-cpp's Image exports the buffer protocol (one byte a module); its type stubs do not say so.
    image = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))  # type: ignore[arg-type]
    size = image.shape[0] if image.shape else 0
    pixels = image.tobytes()
    matrix = tuple(tuple(v == _DARK for v in pixels[row * size:(row + 1) * size]) for row in range(size))
    return Symbol(version=(size - 17) // 4, error=level, matrix=matrix)


@lru_cache(maxsize=64)
def make_qr(payload: str) -> Symbol:
    """Encode ``payload`` at error correction Q, or M if Q needs a version above 20; refuse what is larger.

    Encoded once per text: ``qr_text`` and the page ask for the same symbol, and a reprint asks again. Callers
    only read the symbol."""
    if not payload:
        raise RenderError("payload: expected the QR text ('GC1:...'), found an empty string")
    qr = None
    for level in ERROR_LEVELS:
        qr = _encode(payload, level)
        if qr is not None and qr.version <= MAX_VERSION:
            return qr
    version = qr.version if qr is not None else "> 40"
    raise RenderError(
        f"payload: expected to fit a QR code of version ≤ {MAX_VERSION} at error correction Q or M, "
        f"found version {version} at M for {len(payload)} characters"
    )


def symbol_width(qr: Symbol) -> float:
    """Printed width of the symbol itself (without quiet zone), in points."""
    modules = len(qr.matrix)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, modules * TARGET_MODULE)))


def quiet_zone(qr: Symbol) -> float:
    return symbol_width(qr) / len(qr.matrix) * QUIET_ZONE_MODULES


def draw_qr(canvas: Canvas, qr: Symbol, x: float, y: float) -> float:
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


def verify_link(payload: str, base_url: str) -> str:
    """The link to ``base_url``'s ``/verify`` page carrying ``payload``, in QR alphanumeric characters only
    (``RenderError`` for a base URL that cannot be: e.g. with a port, a query or lower-case-only characters)."""
    base = base_url.rstrip("/").upper()
    if not base.startswith(("HTTPS://", "HTTP://")) or not set(base) <= ALPHANUMERIC:
        raise RenderError(f"verify link: expected an http(s) base URL of letters, digits and '.-/:', found "
                          f"{base_url[:80]!r}")
    escaped = payload.replace("%", "%25").replace(" ", "%20").replace("/", "%2F")
    return base + LINK_PATH + escaped


def qr_text(payload: str, verify_base_url: str | None = None) -> str:
    """What the QR code carries: the link to the ``/verify`` page when a base URL is set and the link fits the
    version (≤ 20) and error level the bare payload gets, else the bare payload."""
    if not verify_base_url:
        return payload
    link = verify_link(payload, verify_base_url)
    linked = _encode(link, make_qr(payload).error)
    return link if linked is not None and linked.version <= MAX_VERSION else payload
