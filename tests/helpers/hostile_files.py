"""Small files that claim to be huge (an image header, a PDF MediaBox) and documents with several QR codes:
what an outside tester fed ``greencert verify`` (issue #9). Nothing large is ever allocated."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO
from pathlib import Path

import segno
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG whose IHDR declares ``width`` × ``height`` (8-bit RGB) followed by a few bytes of pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + _chunk(b"IEND", b""))
    return path


def pdf_of_size(path: Path, width_pts: float, height_pts: float, pages: int = 1) -> Path:
    canvas = Canvas(str(path), pagesize=(width_pts, height_pts), invariant=True)
    for _ in range(pages):
        canvas.drawString(72, 72, "GreenCert")
        canvas.showPage()
    canvas.save()
    return path


def qr_image(*texts: str, scale: int = 4) -> Image.Image:
    """The QR codes of ``texts`` side by side on white."""
    codes = []
    for text in texts:
        buffer = BytesIO()
        segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
        buffer.seek(0)
        with Image.open(buffer) as code:
            codes.append(code.convert("L"))
    canvas = Image.new("L", (sum(c.width for c in codes), max(c.height for c in codes)), 255)
    x = 0
    for code in codes:
        canvas.paste(code, (x, 0))
        x += code.width
    return canvas


def pdf_with_qr_pages(path: Path, *texts: str) -> Path:
    """One A4 page per text, each with that text's QR code 50 mm wide."""
    canvas = Canvas(str(path), pagesize=(595, 842), invariant=True)
    for text in texts:
        canvas.drawImage(ImageReader(qr_image(text)), 72, 500, width=142, height=142)
        canvas.showPage()
    canvas.save()
    return path
