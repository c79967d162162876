"""A certificate page as an image for the screen (seed S214a: shown instead of, or besides, printed), and where
its QR code is on it, so the screen can zoom the QR large enough to scan from the panel. No Qt here.

The page is rendered by ``printing.reading`` (PDFium in a memory-capped child process; the kiosk's PySide6 has no
QtPdf) at 150 dpi, after it checked the page count and size, so a hostile PDF cannot make a huge bitmap; the QR code
is located with zxing-cpp.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

RENDER_DPI = 150


@dataclass(frozen=True)
class PageImage:
    png: bytes
    width: int
    height: int
    qr: tuple[int, int, int, int] | None  # x, y, width, height of the QR code in pixels, if found


def render_first_page(pdf: bytes | Path, *, dpi: int = RENDER_DPI) -> PageImage:
    """The first page of ``pdf`` (bytes or a file) as PNG; raises ``printing.ReadError`` for what is not a PDF."""
    from printing.reading import render_page_png

    if isinstance(pdf, bytes):
        with tempfile.TemporaryDirectory(prefix="greencert-view-") as tmp:
            path = Path(tmp) / "certificate.pdf"
            path.write_bytes(pdf)
            return page_image(render_page_png(path, 1, dpi=dpi))
    return page_image(render_page_png(Path(pdf), 1, dpi=dpi))


def page_image(png: bytes) -> PageImage:
    """``png`` with its size and the place of its first QR code."""
    import zxingcpp
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        image.load()
        width, height = image.size
        grey = image.convert("L")
    qr = None
    for barcode in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
        position = barcode.position
        xs = [p.x for p in (position.top_left, position.top_right, position.bottom_left, position.bottom_right)]
        ys = [p.y for p in (position.top_left, position.top_right, position.bottom_left, position.bottom_right)]
        qr = (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        break
    return PageImage(png, width, height, qr)


__all__ = ["RENDER_DPI", "PageImage", "page_image", "render_first_page"]
