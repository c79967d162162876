"""PDFs written byte by byte whose streams inflate far beyond their size (a "flate bomb"): PDFium inflates a
stream whole and without a limit, so reading one must stay inside the reader's memory cap (issue 16). The files
are a few MB; nothing large is allocated here."""

from __future__ import annotations

import zlib
from pathlib import Path

_SEGMENT = 16 << 20  # zeros per independently decodable deflate segment (~16 KB compressed)


def inflating_stream(size: int) -> bytes:
    """Zlib data that inflates to at least ``size`` zero bytes: one deflate segment of ``_SEGMENT`` zeros,
    flushed so that it stands alone, repeated (no checksum at the end: PDFium keeps what it inflated)."""
    compressor = zlib.compressobj(9)
    first = compressor.compress(bytes(_SEGMENT)) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(bytes(_SEGMENT)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + again * (-(-size // _SEGMENT) - 1)


def _pdf(objects: list[bytes], path: Path) -> Path:
    """``objects`` (numbered from 1, object 1 the catalogue) as a PDF with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def pdf_with_inflating_content(path: Path, size: int = 3 << 30) -> Path:
    """One A4 page whose content stream inflates to ``size`` bytes (3 GiB by default)."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                 _stream(inflating_stream(size))], path)


def pdf_with_inflating_attachment(path: Path, name: str, size: int = 3 << 30) -> Path:
    """One blank A4 page and an embedded file ``name`` that inflates to ``size`` bytes (3 GiB by default)."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(%s) 4 0 R] >> >> >>"
                 % name.encode(),
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
                 b"<< /Type /Filespec /F (%s) /UF (%s) /EF << /F 5 0 R >> >>" % (name.encode(), name.encode()),
                 _stream(inflating_stream(size), b"/Type /EmbeddedFile ")], path)


def pdf_without_pages(path: Path) -> Path:
    """A well-formed PDF whose page tree is empty."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"], path)
