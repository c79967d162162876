"""A certificate PDF read with PDFium in a child process: its pages' sizes, text, QR codes, embedded audit bundle, or
one page as PNG (issue 16: one interpreter instead of three poppler tools per reading). PDFium is called through
pypdfium2's ctypes bindings (``pypdfium2_raw``) without its Python layer (``Pdfium``), as that layer would.

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
from typing import Any, NoReturn

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


class Pdfium:
    """PDFium's C functions (``pypdfium2_raw``, its ctypes bindings), the library initialised once. pypdfium2's
    Python layer is not loaded: ~20 ms of a reading's ~75 ms of CPU (issue 16), for calls this module makes
    itself."""

    _loaded: Any = None

    @classmethod
    def calls(cls) -> Any:
        if cls._loaded is None:
            import pypdfium2_raw as raw

            config = raw.FPDF_LIBRARY_CONFIG(version=2, m_pUserFontPaths=None, m_pIsolate=None, m_v8EmbedderSlot=0)
            raw.FPDF_InitLibraryWithConfig(config)  # as pypdfium2 does; never destroyed: the child ends at once
            cls._loaded = raw
        return cls._loaded


@contextmanager
def opened(path: str) -> Iterator[Any]:
    """The PDF at ``path`` (a PDFium document handle), refused when it has more than ``MAX_PDF_PAGES`` pages."""
    raw = Pdfium.calls()
    document = raw.FPDF_LoadDocument(os.fsencode(path), None)
    count = raw.FPDF_GetPageCount(document) if document else 0
    if count < 1:
        code = raw.FPDF_GetLastError()
        if document:
            raw.FPDF_CloseDocument(document)
        raise PdfReadError(f"{path}: expected a readable PDF, found {_LOAD_ERRORS.get(code, _LOAD_ERRORS[1])}")
    try:
        if count > MAX_PDF_PAGES:
            raise PdfReadError(f"{_name(path)}: the PDF has {count:,} pages, at most {MAX_PDF_PAGES} accepted")
        yield document
    finally:
        raw.FPDF_CloseDocument(document)


@contextmanager
def loaded_page(document: Any, index: int) -> Iterator[Any]:
    """Page ``index`` (from 0) of ``document``, closed after use."""
    raw = Pdfium.calls()
    page = raw.FPDF_LoadPage(document, index)
    if not page:
        raise PdfReadError(f"page {index + 1}: expected a page PDFium can read, found {_LOAD_ERRORS[6]}")
    try:
        yield page
    finally:
        raw.FPDF_ClosePage(page)


def page_count(document: Any) -> int:
    return int(Pdfium.calls().FPDF_GetPageCount(document))


def _scaled(points: float, dpi: int) -> int:
    """Pixels for ``points`` at ``dpi``, rounded up, as a bitmap is sized (``drawn``, and pypdfium2's ``render``)."""
    return math.ceil(points * (dpi / _POINTS_PER_INCH))


def page_pixels(document: Any, path: str, dpi: int = RASTER_DPI) -> list[tuple[int, int]]:
    """Width × height in pixels of each page drawn at ``dpi`` (PDFium's page box, rotation applied, rounded up as
    the bitmap is sized), refused above ``MAX_IMAGE_PIXELS``."""
    raw = Pdfium.calls()
    pages: list[tuple[int, int]] = []
    for index in range(page_count(document)):
        with loaded_page(document, index) as page:
            width_pt, height_pt = float(raw.FPDF_GetPageWidthF(page)), float(raw.FPDF_GetPageHeightF(page))
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


@contextmanager
def drawn(document: Any, index: int, dpi: int, *, grey: bool) -> Iterator[tuple[memoryview, int, int, int]]:
    """Page ``index`` (from 0) drawn at ``dpi`` on white, grey or RGB: its rows (a view of PDFium's bitmap, valid
    inside the ``with``), width, height and stride. Its size must have been checked (``page_pixels``); the bitmap
    is refused again here above ``MAX_IMAGE_PIXELS``."""
    import ctypes

    raw = Pdfium.calls()
    with loaded_page(document, index) as page:
        width = _scaled(float(raw.FPDF_GetPageWidthF(page)), dpi)
        height = _scaled(float(raw.FPDF_GetPageHeightF(page)), dpi)
        if width * height > MAX_IMAGE_PIXELS or width < 1 or height < 1:
            raise PdfReadError(f"page {index + 1}: expected at most {MAX_IMAGE_PIXELS:,} pixels, PDFium asked for "
                               f"{width:,}×{height:,}")
        bitmap = raw.FPDFBitmap_CreateEx(width, height, raw.FPDFBitmap_Gray if grey else raw.FPDFBitmap_BGR, None, 0)
        if not bitmap:
            raise MemoryError
        try:
            raw.FPDFBitmap_FillRect(bitmap, 0, 0, width, height, 0xFFFFFFFF)
            flags = raw.FPDF_ANNOT | (raw.FPDF_GRAYSCALE if grey else raw.FPDF_REVERSE_BYTE_ORDER)
            raw.FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, flags)
            stride = int(raw.FPDFBitmap_GetStride(bitmap))
            buffer = raw.FPDFBitmap_GetBuffer(bitmap)
            if not buffer or stride < (width if grey else 3 * width):
                raise PdfReadError(f"page {index + 1}: expected a bitmap of {width:,}×{height:,} pixels, found none")
            rows = (ctypes.c_ubyte * (stride * height)).from_address(buffer)
            view = memoryview(rows).cast("B")
            try:
                yield view, width, height, stride
            finally:
                view.release()
        finally:
            raw.FPDFBitmap_Destroy(bitmap)


def page_text(document: Any, index: int) -> str:
    """The text of page ``index`` in PDFium's reading order, lines ending in ``\\n``."""
    import ctypes

    raw = Pdfium.calls()
    with loaded_page(document, index) as page:
        textpage = raw.FPDFText_LoadPage(page)
        if not textpage:  # as pypdfium2 would have: the PDF cannot be read (never an empty text to compare)
            raise PdfReadError(f"page {index + 1}: expected a page whose text PDFium can read, found none")
        try:
            count = int(raw.FPDFText_CountChars(textpage))
            if count < 1:
                return ""
            size = 2 * count + 2  # UTF-16 units: room for every char and the NUL, whatever PDFium counts
            buffer = (ctypes.c_ushort * size)()
            written = int(raw.FPDFText_GetText(textpage, 0, count, buffer))
        finally:
            raw.FPDFText_ClosePage(textpage)
    text = bytes(memoryview(buffer).cast("B")[: 2 * max(0, min(written, size) - 1)]).decode("utf-16-le",
                                                                                            errors="ignore")
    return text.replace("\r\n", "\n")


def qr_texts(rows: memoryview, width: int, height: int, stride: int) -> list[str]:
    """The distinct texts of the QR codes zxing-cpp finds in grey ``rows`` (handed over as a buffer: no Pillow), in
    its order."""
    import zxingcpp

    grid = rows.cast("B", (height, stride))
    texts: list[str] = []
    for barcode in zxingcpp.read_barcodes(grid, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
        if barcode.valid and barcode.text and barcode.text not in texts:
            texts.append(str(barcode.text))
    return texts


def attachment(document: Any, name: str, max_bytes: int) -> bytes | None:
    """The first embedded file called ``name``, or ``None`` (none, unreadable, or more than ``max_bytes``)."""
    import ctypes

    raw = Pdfium.calls()
    for index in range(max(0, int(raw.FPDFDoc_GetAttachmentCount(document)))):
        found = raw.FPDFDoc_GetAttachment(document, index)
        if not found:
            continue
        length = int(raw.FPDFAttachment_GetName(found, None, 0))  # bytes of UTF-16, the NUL included
        if length < 2 or length > 4096:
            continue
        label = (ctypes.c_ubyte * length)()
        raw.FPDFAttachment_GetName(found, ctypes.cast(label, ctypes.POINTER(raw.FPDF_WCHAR)), length)
        if bytes(label)[: length - 2].decode("utf-16-le", errors="replace") != name:
            continue
        size = ctypes.c_ulong()
        if not raw.FPDFAttachment_GetFile(found, None, 0, size) or not 0 < size.value <= max_bytes:
            return None
        data = (ctypes.c_ubyte * size.value)()
        if not raw.FPDFAttachment_GetFile(found, data, size.value, size) or size.value != len(data):
            return None
        return bytes(data)
    return None


def read(path: str, bundle_name: str, max_bundle_bytes: int) -> dict[str, Any]:
    """The text, the QR texts of every page (distinct, in page order) and the embedded bundle of the PDF."""
    with opened(path) as document:
        pages = page_pixels(document, path)
        texts: list[str] = []
        payloads: list[str] = []
        for index in range(len(pages)):
            texts.append(page_text(document, index))
            with drawn(document, index, RASTER_DPI, grey=True) as (rows, width, height, stride):
                payloads += [t for t in qr_texts(rows, width, height, stride) if t not in payloads]
        bundle = attachment(document, bundle_name, max_bundle_bytes)
    return {"text": "".join(t + "\f" for t in texts), "payloads": payloads,  # pages end in a form feed
            "bundle": None if bundle is None else base64.b64encode(bundle).decode("ascii")}


def render_png(path: str, page: int, dpi: int) -> bytes:
    """Page ``page`` (from 1) as an RGB PNG at ``dpi``; every page is checked at ``RASTER_DPI`` first, the page
    drawn also at ``dpi``."""
    from PIL import Image

    with opened(path) as document:
        pages = page_pixels(document, path)
        if not 1 <= page <= len(pages):
            raise PdfReadError(f"{_name(path)}: expected page {page} of a PDF, found {len(pages)} pages")
        if dpi != RASTER_DPI:
            page_pixels(document, path, dpi)
        with drawn(document, page - 1, dpi, grey=False) as (rows, width, height, stride):
            image = Image.frombytes("RGB", (width, height), bytes(rows), "raw", "RGB", stride, 1)
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
