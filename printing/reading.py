"""Read a printed certificate back: the QR payload from the rasterised page, amount and id from its text.

Used by ``greencert verify file.pdf|file.png`` and by the tests that check what S214a printed. The input may be
hostile: an image's size is read from its header and a PDF's page boxes from ``pdfinfo`` before anything is
decoded or rasterised, and both are refused above ``MAX_IMAGE_PIXELS`` (issue #9).
"""

from __future__ import annotations

import math
import re
import shutil
import struct
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image, UnidentifiedImageError

from ledger_lite.audit import BUNDLE_NAME, MAX_BUNDLE_BYTES
from printing.document import parse_amount_kwh
from printing.errors import ReadError

RASTER_DPI = 150
# A page at 150 dpi is ~2 MP (A4 1240×1755), phone photos 12–50 MP. Measured at 49 MP: ~250 MB peak for a
# JPEG or a grey PNG, ~440 MB for an RGB PNG (the interpreter included).
MAX_IMAGE_PIXELS = 50_000_000
MAX_PDF_PAGES = 10  # a certificate is one page
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP")
_PDF_POINTS_PER_INCH = 72
_PDFINFO_PAGES = re.compile(r"^Pages:\s+(\d+)\s*$", re.MULTILINE)
_PDFINFO_BOX = re.compile(r"^Page\s+(\d+)\s+MediaBox:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", re.MULTILINE)
_PDFINFO_ROT = re.compile(r"^Page\s+(\d+)\s+rot:\s+(-?\d+)\s*$", re.MULTILINE)
_PILLOW_PIXELS = re.compile(r"\((\d+) pixels\)")
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
TOOL_TIMEOUT = 60.0
# The id is printed in monospace, in one line or in two lines of 32 (fields.certificate_id_lines).
_ID_LABEL = re.compile(r"Certificate ID|証明書番号")
_ID_ONE_LINE = re.compile(r"(?<![0-9a-fA-F])([0-9a-fA-F]{64})(?![0-9a-fA-F])")
_ID_TWO_LINES = re.compile(r"(?<![0-9a-fA-F])([0-9a-fA-F]{32})\s+([0-9a-fA-F]{32})(?![0-9a-fA-F])")
# The short reference printed above the id (fields.py, ledger_lite.reference): "Reference 3F2A-91C0-7B1E".
_REFERENCE = re.compile(r"(?:Reference|参照番号)\s*([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})(?![0-9A-Fa-f-])")


@dataclass(frozen=True)
class PrintedCertificate:
    """What a printed certificate shows; ``None`` where a field could not be found. ``payloads``: every distinct
    QR text on its pages, in page order (``payload`` is the first)."""

    payload: str | None
    amount_wh: int | None
    certificate_id: str | None
    text: str
    payloads: tuple[str, ...] = ()
    short_reference: str | None = None  # "3F2A-91C0-7B1E" as printed, or None
    bundle: bytes | None = None  # the embedded audit bundle (ledger_lite.audit.BUNDLE_NAME), if the PDF has one


def read_certificate_pdf(path: Path) -> PrintedCertificate:
    """The QR payloads of every page, the printed amount and certificate id of a PDF. Raises ``ReadError`` for
    a PDF of more than ``MAX_PDF_PAGES`` pages or a page of more than ``MAX_IMAGE_PIXELS`` at ``RASTER_DPI``."""
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: expected a PDF file, found nothing")
    text = _run(["pdftotext", "-enc", "UTF-8", str(path), "-"], path).decode("utf-8", errors="replace")
    pages = pdf_page_pixels(path)
    texts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="greencert-read-") as tmp:
        for number, (width, height) in enumerate(pages, start=1):
            out = Path(tmp) / f"page-{number}"
            # -W/-H crop to the size pdfinfo announced: the bitmap stays bounded even if poppler disagrees.
            _run(["pdftoppm", "-r", str(RASTER_DPI), "-f", str(number), "-l", str(number), "-W", str(width),
                  "-H", str(height), "-singlefile", "-png", str(path), str(out)], path)
            texts += [t for t in read_qr_codes(out.with_suffix(".png")) if t not in texts]
    return PrintedCertificate(
        payload=texts[0] if texts else None,
        amount_wh=parse_amount_kwh(text),
        certificate_id=parse_certificate_id(text),
        text=text,
        payloads=tuple(texts),
        short_reference=parse_short_reference(text),
        bundle=read_bundle(path),
    )


def render_page_png(path: Path, page: int = 1, *, dpi: int = RASTER_DPI) -> bytes:
    """Page ``page`` of the PDF at ``path`` as PNG at ``dpi`` (for showing a certificate on a screen), bounded by
    the page size pdfinfo announced like every other rasterisation here. Raises ``ReadError``."""
    pages = pdf_page_pixels(path)
    if not 1 <= page <= len(pages):
        raise ReadError(f"{path.name}: expected page {page} of a PDF, found {len(pages)} pages")
    width, height = pages[page - 1]
    scale = dpi / RASTER_DPI
    with tempfile.TemporaryDirectory(prefix="greencert-page-") as tmp:
        out = Path(tmp) / "page"
        _run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-W", str(int(width * scale)), "-H",
              str(int(height * scale)), "-singlefile", "-png", str(path), str(out)], path)
        return out.with_suffix(".png").read_bytes()


def read_bundle(path: Path) -> bytes | None:
    """The audit bundle embedded in a certificate PDF, or None (none embedded, or a PDF pypdf cannot parse: the
    verifier then checks online or the signature alone). At most ``MAX_BUNDLE_BYTES`` are taken (compressed
    bundles are far smaller than that)."""
    from pypdf import PdfReader  # only here: the rest of reading needs no PDF parser of its own

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about harmless oddities of PDFs it still reads
            found = PdfReader(path).attachments.get(BUNDLE_NAME)
    except Exception:  # a hostile or broken PDF must not stop verification: the bundle is an extra proof
        return None
    if not found or len(found[0]) > MAX_BUNDLE_BYTES:
        return None
    return bytes(found[0])


def pdf_page_pixels(path: Path) -> list[tuple[int, int]]:
    """Width × height in pixels of each page rasterised at ``RASTER_DPI`` (MediaBox and rotation per
    ``pdfinfo``), refused before rasterising when there are too many pages or a page is too large."""
    info = _run(["pdfinfo", "-box", "-f", "1", "-l", str(MAX_PDF_PAGES), str(path)], path)
    listing = info.decode("utf-8", errors="replace")
    count = _PDFINFO_PAGES.search(listing)
    if count is None:
        raise ReadError(f"{path.name}: expected pdfinfo to report the number of pages, found none")
    if int(count.group(1)) > MAX_PDF_PAGES:
        raise ReadError(f"{path.name}: the PDF has {int(count.group(1)):,} pages, at most {MAX_PDF_PAGES} accepted")
    rotation = {int(n): int(r) % 360 for n, r in _PDFINFO_ROT.findall(listing)}
    pages: list[tuple[int, int]] = []
    for number, *box in _PDFINFO_BOX.findall(listing):
        try:
            x1, y1, x2, y2 = (float(v) for v in box)
        except ValueError as exc:
            raise ReadError(f"{path.name}: expected a numeric MediaBox for page {number}, found {box}") from exc
        if not all(math.isfinite(v) for v in (x1, y1, x2, y2)):
            raise ReadError(f"{path.name}: expected a finite MediaBox for page {number}, found {box}")
        width, height = (math.ceil(abs(d) * RASTER_DPI / _PDF_POINTS_PER_INCH) for d in (x2 - x1, y2 - y1))
        if rotation.get(int(number), 0) in (90, 270):
            width, height = height, width
        if width * height > MAX_IMAGE_PIXELS:
            mm = 25.4 / _PDF_POINTS_PER_INCH
            raise ReadError(f"{path.name}: page {number} is {abs(x2 - x1) * mm:,.0f}×{abs(y2 - y1) * mm:,.0f} mm, "
                            f"{width:,}×{height:,} pixels at {RASTER_DPI} dpi; at most {MAX_IMAGE_PIXELS:,} pixels "
                            f"accepted")
        pages.append((max(width, 1), max(height, 1)))
    if len(pages) != int(count.group(1)):
        raise ReadError(f"{path.name}: expected a MediaBox for each of its {count.group(1)} pages, found "
                        f"{len(pages)}")
    return pages


def read_qr_from_image(path: Path) -> str | None:
    """The text of the first QR code in an image file, or ``None`` if there is none."""
    texts = read_qr_codes(path)
    return texts[0] if texts else None


def read_qr_codes(path: Path) -> list[str]:
    """The distinct texts of every QR code in an image file, in the order zxing-cpp found them. Raises
    ``ReadError`` for what is not an image, or an image of more than ``MAX_IMAGE_PIXELS`` (checked on the size
    its header declares, before decoding)."""
    path = Path(path)
    try:
        with _open_image(path) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ReadError(f"{path.name}: image is {width:,}×{height:,} pixels, at most "
                                f"{MAX_IMAGE_PIXELS:,} pixels accepted")
            image.draft("L", image.size)  # JPEG: decoded straight to grey, a third of the memory of RGB
            image.load()
            grey = image if image.mode == "L" else image.convert("L")
            barcodes = zxingcpp.read_barcodes(grey, formats=_QR_ONLY)
    except (OSError, UnidentifiedImageError) as exc:
        raise ReadError(f"{path}: expected an image (PNG, JPEG, ...), found {exc}") from exc
    texts: list[str] = []
    for barcode in barcodes:
        if barcode.valid and barcode.text and barcode.text not in texts:
            texts.append(str(barcode.text))
    return texts


def _open_image(path: Path) -> Image.Image:
    """``Image.open`` (header only) of the accepted formats. Pillow's own decompression-bomb guard fires above
    ~89 MP, before the size is known to us: its warning and error become the same ``ReadError``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(path, formats=IMAGE_FORMATS)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        declared = _declared_size(path)
        found = _PILLOW_PIXELS.search(str(exc))
        size = (f"{declared[0]:,}×{declared[1]:,} pixels" if declared else f"{int(found.group(1)):,} pixels" if found
                else f"more than {Image.MAX_IMAGE_PIXELS or 0:,} pixels")
        raise ReadError(f"{path.name}: image is {size}, at most {MAX_IMAGE_PIXELS:,} pixels accepted") from exc


def _declared_size(path: Path) -> tuple[int, int] | None:
    """The size an image's header declares, read by the Pillow plugin of its format (``Image.OPEN``, what
    ``Image.open`` uses) without decoding — only to say how large a refused image is."""
    Image.init()
    with path.open("rb") as fp:
        prefix = fp.read(16)
        for name in IMAGE_FORMATS:
            factory, accept = Image.OPEN[name]
            if accept is not None and accept(prefix) is not True:
                continue
            fp.seek(0)
            try:
                width, height = factory(fp, str(path)).size
            except (SyntaxError, IndexError, TypeError, ValueError, OSError, struct.error):
                continue
            return width, height
    return None


def parse_certificate_id(text: str) -> str | None:
    """The 64-hex certificate id after the "Certificate ID / 証明書番号" label (lower-case)."""
    label = _ID_LABEL.search(text)
    rest = text[label.start() :] if label else text
    for candidate in (rest, text):
        one = _ID_ONE_LINE.search(candidate)
        two = _ID_TWO_LINES.search(candidate)
        if one and (two is None or one.start() <= two.start()):
            return one.group(1).lower()
        if two:
            return (two.group(1) + two.group(2)).lower()
    return None


def parse_short_reference(text: str) -> str | None:
    """The short reference printed after its label ("Reference" / "参照番号"), or ``None``."""
    match = _REFERENCE.search(text)
    return match.group(1) if match else None


def _run(command: list[str], path: Path) -> bytes:
    if shutil.which(command[0]) is None:
        raise ReadError(f"{command[0]}: expected on PATH (Debian package poppler-utils), found nothing")
    try:
        result = subprocess.run(command, capture_output=True, timeout=TOOL_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ReadError(f"{path}: {command[0]} did not finish within {TOOL_TIMEOUT:.0f} s") from exc
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise ReadError(
            f"{path}: expected a readable PDF, {command[0]} exited with {result.returncode}"
            + (f": {message[-1]}" if message else "")
        )
    return result.stdout
