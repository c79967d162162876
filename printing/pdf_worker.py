"""A certificate PDF read with PDFium (pypdfium2) in a child process: its pages' sizes, text, QR codes, embedded
audit bundle, or one page as PNG (issue 16: one interpreter instead of three poppler tools per reading).

``printing.reading`` starts this module's ``run(MODE FILE ...)`` in ``python -I -S`` (isolated, without ``site``:
its module path is this project and the packages it uses, ``printing.reading.child_path``; ``python -m
printing.pdf_worker MODE FILE ...`` does the same) and waits at most ``TOOL_TIMEOUT``; the child first limits its own
memory to ``MAX_WORKER_MEMORY`` (``RLIMIT_DATA``). So a hostile PDF — a flate bomb in a content stream or an
attachment (PDFium inflates without a cap), a page that never finishes drawing — ends this child, never the
verifier, the kiosk or the intermediary that asked; PDFium, which is not thread-safe, also never runs in their
threads. Sizes are checked before anything is drawn: at most
``MAX_PDF_PAGES`` pages, at most ``MAX_IMAGE_PIXELS`` per page at the resolution asked (issue #9).

Modes (the answer on standard output, exit status 0; a plain ``ReadError`` message and ``READ_ERROR_EXIT``)::

    read FILE BUNDLE_NAME MAX_BUNDLE_BYTES   JSON {"text", "payloads", "bundle" (base64 or null)}
    pages FILE                               JSON [[width, height], ...] in pixels at RASTER_DPI
    bundle FILE BUNDLE_NAME MAX_BUNDLE_BYTES JSON {"bundle": base64 or null}
    render FILE PAGE DPI                     PNG bytes

Only the standard library is imported here at first: ``printing.reading`` takes its limits from this module
without loading PDFium, Pillow or zxing-cpp.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import pypdfium2 as pdfium
    from PIL import Image

RASTER_DPI = 150
# A page at 150 dpi is ~2 MP (A4 1240×1755), phone photos 12–50 MP. Measured at 49 MP: ~250 MB peak for a
# JPEG or a grey PNG, ~440 MB for an RGB PNG (the interpreter included).
MAX_IMAGE_PIXELS = 50_000_000
MAX_PDF_PAGES = 10  # a certificate is one page
MAX_WORKER_MEMORY = 1 << 30  # bytes of data (heap and anonymous mappings) the child may use: ~2× the worst page
READ_ERROR_EXIT = 3
_POINTS_PER_INCH = 72
_MM_PER_POINT = 25.4 / _POINTS_PER_INCH
# FPDF_GetLastError() after a failed load (fpdfview.h FPDF_ERR_*); 0, "success", is a PDF without pages.
_LOAD_ERRORS = {0: "no pages", 1: "an error PDFium cannot name", 2: "a file PDFium cannot open",
                3: "no PDF structure (not a PDF, or a damaged one)", 4: "a PDF protected by a password",
                5: "a PDF encrypted in a way PDFium does not support", 6: "a page PDFium cannot read"}


class PdfReadError(Exception):
    """What the child reports to its parent as a ``printing.ReadError`` (the message, unchanged)."""


def limit_memory(limit: int = MAX_WORKER_MEMORY) -> None:
    """Cap this process's data segment (``RLIMIT_DATA``: heap and private writable mappings, which is where
    bitmaps and inflated streams go), never above a limit already set."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))


@contextmanager
def opened(path: str) -> Iterator[pdfium.PdfDocument]:
    """The PDF at ``path``, refused when it has more than ``MAX_PDF_PAGES`` pages."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        found = _LOAD_ERRORS.get(1 if exc.err_code is None else exc.err_code, _LOAD_ERRORS[1])
        raise PdfReadError(f"{path}: expected a readable PDF, found {found}") from exc
    except OSError as exc:
        raise PdfReadError(f"{path}: expected a readable PDF file, found {exc}") from exc
    try:
        count = len(document)
        if count > MAX_PDF_PAGES:
            raise PdfReadError(f"{_name(path)}: the PDF has {count:,} pages, at most {MAX_PDF_PAGES} accepted")
        yield document
    finally:
        document.close()


def page_pixels(document: pdfium.PdfDocument, path: str, dpi: int = RASTER_DPI) -> list[tuple[int, int]]:
    """Width × height in pixels of each page drawn at ``dpi`` (PDFium's page box, rotation applied, rounded up as
    ``PdfPage.render`` does), refused above ``MAX_IMAGE_PIXELS``."""
    pages: list[tuple[int, int]] = []
    for index in range(len(document)):
        page = document[index]
        try:
            width_pt, height_pt = page.get_size()
        finally:
            page.close()
        number = index + 1
        if not (math.isfinite(width_pt) and math.isfinite(height_pt)):
            raise PdfReadError(f"{_name(path)}: expected a finite page size for page {number}, found "
                               f"{width_pt}×{height_pt} points")
        width, height = (math.ceil(d * dpi / _POINTS_PER_INCH) for d in (width_pt, height_pt))
        if width * height > MAX_IMAGE_PIXELS:
            raise PdfReadError(f"{_name(path)}: page {number} is {width_pt * _MM_PER_POINT:,.0f}×"
                               f"{height_pt * _MM_PER_POINT:,.0f} mm, {width:,}×{height:,} pixels at {dpi} dpi; at "
                               f"most {MAX_IMAGE_PIXELS:,} pixels accepted")
        if width < 1 or height < 1:
            raise PdfReadError(f"{_name(path)}: expected a page with an area, found page {number} of "
                               f"{width_pt}×{height_pt} points")
        pages.append((width, height))
    return pages


def draw(document: pdfium.PdfDocument, index: int, dpi: int, *, grey: bool) -> pdfium.PdfBitmap:
    """Page ``index`` (from 0) drawn at ``dpi``, grey or RGB, in a packed bitmap; its size must have been checked
    (``page_pixels``), and the bitmap is refused again at allocation if PDFium asks for more than
    ``MAX_IMAGE_PIXELS``."""
    import pypdfium2 as pdfium

    def bounded(width: int, height: int, **options: Any) -> pdfium.PdfBitmap:
        if width * height > MAX_IMAGE_PIXELS:
            raise PdfReadError(f"page {index + 1}: expected at most {MAX_IMAGE_PIXELS:,} pixels, PDFium asked for "
                               f"{width:,}×{height:,}")
        return pdfium.PdfBitmap.new_native(width, height, **options)

    page = document[index]
    try:
        bitmap: pdfium.PdfBitmap = page.render(scale=dpi / _POINTS_PER_INCH, bitmap_maker=bounded, grayscale=grey,
                                               rev_byteorder=not grey)
    finally:
        page.close()
    return bitmap


def page_text(document: pdfium.PdfDocument, index: int) -> str:
    """The text of page ``index`` in PDFium's reading order, lines ending in ``\\n``."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text: str = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    return text.replace("\r\n", "\n")


def qr_texts(bitmap: pdfium.PdfBitmap) -> list[str]:
    """The distinct texts of the QR codes zxing-cpp finds in a grey ``bitmap`` (handed over as a buffer of its
    rows: no Pillow), in its order."""
    import zxingcpp

    rows = memoryview(bitmap.buffer).cast("B").cast("B", (bitmap.height, bitmap.stride))
    texts: list[str] = []
    for barcode in zxingcpp.read_barcodes(rows, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
        if barcode.valid and barcode.text and barcode.text not in texts:
            texts.append(str(barcode.text))
    return texts


def attachment(document: pdfium.PdfDocument, name: str, max_bytes: int) -> bytes | None:
    """The first embedded file called ``name``, or ``None`` (none, unreadable, or more than ``max_bytes``)."""
    import ctypes

    import pypdfium2 as pdfium

    for index in range(document.count_attachments()):
        found = document.get_attachment(index)
        try:
            if found.get_name() != name:
                continue
            size = ctypes.c_ulong()
            pdfium.raw.FPDFAttachment_GetFile(found, None, 0, size)
            if not 0 < size.value <= max_bytes:
                return None
            return bytes(found.get_data())
        except pdfium.PdfiumError:
            return None
    return None


def read(path: str, bundle_name: str, max_bundle_bytes: int) -> dict[str, Any]:
    """The text, the QR texts of every page (distinct, in page order) and the embedded bundle of the PDF."""
    with opened(path) as document:
        pages = page_pixels(document, path)
        texts: list[str] = []
        payloads: list[str] = []
        for index in range(len(pages)):
            texts.append(page_text(document, index))
            payloads += [t for t in qr_texts(draw(document, index, RASTER_DPI, grey=True)) if t not in payloads]
        bundle = attachment(document, bundle_name, max_bundle_bytes)
    return {"text": "".join(t + "\f" for t in texts), "payloads": payloads,  # pages end in a form feed
            "bundle": None if bundle is None else base64.b64encode(bundle).decode("ascii")}


def render_png(path: str, page: int, dpi: int) -> bytes:
    """Page ``page`` (from 1) as an RGB PNG at ``dpi``; every page is checked at ``RASTER_DPI`` first, the page
    drawn also at ``dpi``."""
    with opened(path) as document:
        pages = page_pixels(document, path)
        if not 1 <= page <= len(pages):
            raise PdfReadError(f"{_name(path)}: expected page {page} of a PDF, found {len(pages)} pages")
        if dpi != RASTER_DPI:
            page_pixels(document, path, dpi)
        image: Image.Image = draw(document, page - 1, dpi, grey=False).to_pil()
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)  # for a screen, at once: a fifth of the time of the default
    return out.getvalue()


def answer(argv: list[str]) -> bytes:
    """What ``main`` writes for ``argv`` (mode, file, arguments); raises ``PdfReadError``."""
    mode, path, *rest = argv
    if mode == "read":
        return json.dumps(read(path, rest[0], int(rest[1]))).encode()
    if mode == "pages":
        with opened(path) as document:
            return json.dumps(page_pixels(document, path)).encode()
    if mode == "bundle":
        with opened(path) as document:
            bundle = attachment(document, rest[0], int(rest[1]))
        return json.dumps({"bundle": None if bundle is None else base64.b64encode(bundle).decode("ascii")}).encode()
    if mode == "render":
        return render_png(path, int(rest[0]), int(rest[1]))
    raise PdfReadError(f"expected a mode read, pages, bundle or render, found {mode!r}")


def main(argv: list[str]) -> int:
    limit_memory()
    try:
        out = answer(argv)
    except PdfReadError as exc:
        return _refuse(str(exc))
    except MemoryError:
        return _refuse(f"{argv[1]}: expected a PDF that can be read within {MAX_WORKER_MEMORY >> 20:,} MB of memory, "
                       f"found one that needs more")
    except Exception as exc:  # PDFium or Pillow refusing a damaged file: a plain message, not a traceback
        return _refuse(f"{argv[1]}: expected a readable PDF, found {type(exc).__name__}: {exc}")
    sys.stdout.buffer.write(out)
    return 0


def run(argv: list[str]) -> NoReturn:
    """``main``, then this process ends at once: its answer written and flushed, nothing is left to tidy up, so
    PDFium's teardown and the interpreter's (~10 ms of CPU, a tenth of a reading: issue 16) are skipped and the
    system frees the memory."""
    code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _refuse(message: str) -> int:
    """``message`` for the parent (a file name that is not UTF-8 shown with escapes), and the refusal's status."""
    sys.stdout.buffer.write(message.encode("utf-8", errors="backslashreplace"))
    return READ_ERROR_EXIT


def _name(path: str) -> str:
    return os.path.basename(path)


if __name__ == "__main__":
    run(sys.argv[1:])
