"""Read a printed certificate back: the QR payload from the rendered page, amount and id from its text.

Used by ``greencert verify file.pdf|file.png``, the kiosk's auditor mode and screen view, the intermediary's
/verify page and the tests that check what S214a printed. The input may be hostile (issue #9): an image's size
is read from its header before anything is decoded, and refused above ``MAX_IMAGE_PIXELS``; a PDF is read by
PDFium in one child process (``printing.pdf_worker``: page count and page sizes checked before anything is
drawn, memory capped, at most ``TOOL_TIMEOUT``), so a hostile PDF ends that child and nothing else.

Pillow and zxing-cpp are imported when an image is read (reading a PDF loads neither in this process). Starting a
PDF's child needs only the standard library (issue 16: ``greencert verify`` starts it before loading anything else),
and the child, isolated and without ``site``, imports only what it uses (``child_flags``, ``child_path``).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import signal
import struct
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from printing.errors import ReadError
from printing.pdf_worker import MAX_IMAGE_PIXELS, MAX_PDF_PAGES, MAX_WORKER_MEMORY, RASTER_DPI, READ_ERROR_EXIT

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["IMAGE_FORMATS", "MAX_IMAGE_PIXELS", "MAX_PDF_PAGES", "RASTER_DPI", "TOOL_TIMEOUT", "PdfReading",
           "PrintedCertificate", "parse_certificate_id", "parse_short_reference", "pdf_page_pixels", "read_bundle",
           "read_certificate_pdf", "read_qr_codes", "read_qr_from_image", "render_page_png"]

IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP")
_PILLOW_PIXELS = re.compile(r"\((\d+) pixels\)")
TOOL_TIMEOUT = 60.0
_PROJECT_ROOT = str(Path(__file__).resolve().parents[1])  # where the child finds ``printing``
# ledger_lite.audit's BUNDLE_NAME and MAX_BUNDLE_BYTES (a test checks they agree), written here so that a PDF's child
# starts before the verifier's own modules load (issue 16: ledger_lite and cryptography, ~40 ms of greencert verify).
AUDIT_BUNDLE_NAME = "greencert-audit.json.z"
AUDIT_BUNDLE_MAX_BYTES = 512 * 1024
# What the child imports beyond the standard library (printing.pdf_worker): the directories they are in are its
# whole module path. It starts isolated (-I: no PYTHON* variables, no current or user directory) and without
# ``site`` (-S: no .pth files and editable-install finders, ~15 ms of its start), so it loads nothing it does not use.
_CHILD_PACKAGES = ("pypdfium2", "pypdfium2_raw", "pypdfium2_cfg", "zxingcpp", "PIL")
_CHILD_MAIN = ("import sys; sys.path[:0] = sys.argv.pop(1).split('\\n'); from printing.pdf_worker import run; "
               "run(sys.argv[1:])")
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
    return PdfReading(path).result()


class PdfReading:
    """``read_certificate_pdf`` started now and answered by ``result``: the child reads the PDF while the caller
    does something else (issue 16: ``greencert verify`` loads its client and asks the node meanwhile). The same
    limits: the child's memory cap, ``TOOL_TIMEOUT`` from the start. ``ReadError`` from the constructor (no such
    file, no interpreter) or from ``result``. Call ``result`` or ``close`` (which ends the child)."""

    def __init__(self, path: Path) -> None:
        self.path = _existing_pdf(path)
        self._worker = _Worker("read", self.path, AUDIT_BUNDLE_NAME, str(AUDIT_BUNDLE_MAX_BYTES))

    def result(self) -> PrintedCertificate:
        from printing.document import parse_amount_kwh  # loaded after the child started (issue 16)

        found = json.loads(self._worker.answer())
        text, texts = str(found["text"]), [str(t) for t in found["payloads"]]
        return PrintedCertificate(
            payload=texts[0] if texts else None,
            amount_wh=parse_amount_kwh(text),
            certificate_id=parse_certificate_id(text),
            text=text,
            payloads=tuple(texts),
            short_reference=parse_short_reference(text),
            bundle=_bundle_of(found),
        )

    def close(self) -> None:
        self._worker.close()


def render_page_png(path: Path, page: int = 1, *, dpi: int = RASTER_DPI) -> bytes:
    """Page ``page`` of the PDF at ``path`` as PNG at ``dpi`` (for showing a certificate on a screen), with the
    limits of every other reading (each page checked at ``RASTER_DPI``, this one also at ``dpi``). Raises
    ``ReadError``."""
    return _ask_worker("render", _existing_pdf(path), str(page), str(dpi))


def read_bundle(path: Path) -> bytes | None:
    """The audit bundle embedded in a certificate PDF, or None (none embedded, more than ``MAX_BUNDLE_BYTES``,
    or a PDF that cannot be read: the verifier then checks online or the signature alone)."""
    try:
        return _bundle_of(json.loads(_ask_worker("bundle", _existing_pdf(path), AUDIT_BUNDLE_NAME,
                                                 str(AUDIT_BUNDLE_MAX_BYTES))))
    except ReadError:  # a hostile or broken PDF must not stop verification: the bundle is an extra proof
        return None


def pdf_page_pixels(path: Path) -> list[tuple[int, int]]:
    """Width × height in pixels of each page drawn at ``RASTER_DPI`` (page box and rotation per PDFium),
    refused (``ReadError``) when there are too many pages or a page is too large."""
    return [(int(w), int(h)) for w, h in json.loads(_ask_worker("pages", _existing_pdf(path)))]


def _existing_pdf(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: expected a PDF file, found nothing")
    return path


def _bundle_of(found: dict[str, Any]) -> bytes | None:
    bundle = found.get("bundle")
    return None if bundle is None else base64.b64decode(bundle)


def _ask_worker(mode: str, path: Path, *arguments: str) -> bytes:
    """What ``printing.pdf_worker`` answers for ``mode`` on ``path``; its refusals, a crash (PDFium out of its
    memory cap, a damaged file) and a timeout become ``ReadError``."""
    return _Worker(mode, path, *arguments).answer()


class _Worker:
    """One ``printing.pdf_worker`` child, started at once (see ``_ask_worker``)."""

    def __init__(self, mode: str, path: Path, *arguments: str) -> None:
        self.path = path
        command = [sys.executable, *child_flags(), "-c", _CHILD_MAIN, "\n".join(child_path()), mode, str(path),
                   *arguments]
        self._deadline = time.monotonic() + TOOL_TIMEOUT
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE)
        except OSError as exc:  # no interpreter to start (sys.executable empty or gone), no process left
            raise ReadError(f"{path}: expected to start {sys.executable or 'Python'} to read the PDF, "
                            f"found {exc}") from exc

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate()

    def answer(self) -> bytes:
        path = self.path
        try:
            stdout, stderr = self._process.communicate(timeout=max(0.0, self._deadline - time.monotonic()))
        except subprocess.TimeoutExpired as exc:
            self.close()
            raise ReadError(f"{path}: expected a PDF read within {TOOL_TIMEOUT:g} s, reading it took longer") from exc
        code = self._process.returncode
        if code == 0:
            return stdout
        if code == READ_ERROR_EXIT:
            raise ReadError(stdout.decode("utf-8", errors="replace"))
        stopped = f"exit status {code}"
        if code < 0:
            try:
                stopped = f"signal {signal.Signals(-code).name}"
            except ValueError:  # a real-time signal has no name
                stopped = f"signal {-code}"
        last = stderr.decode(errors="replace").strip().splitlines()
        why = f": {last[-1][:200]}" if last else ""
        raise ReadError(f"{path}: expected a readable PDF, its reader stopped with {stopped} (a damaged PDF, or one "
                        f"that needs more than {MAX_WORKER_MEMORY >> 20:,} MB){why}")


def child_flags() -> list[str]:
    """The child's interpreter options: isolated and without ``site`` (see ``_CHILD_PACKAGES``), keeping this
    process's byte-code choices (``-B``, ``-X pycache_prefix``) that ``-I`` would drop with the environment."""
    flags = ["-I", "-S"]
    if sys.dont_write_bytecode:
        flags.append("-B")
    if sys.pycache_prefix:
        flags += ["-X", f"pycache_prefix={sys.pycache_prefix}"]
    return flags


def child_path() -> list[str]:
    """The child's module path besides the standard library: this project's root (``printing``), then the
    directories ``_CHILD_PACKAGES`` are installed in, as this process would find them; a path with a line break
    is left out (the child reads one per line)."""
    found = [_PROJECT_ROOT]
    for name in _CHILD_PACKAGES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        origin = spec.origin if spec is not None else None
        if origin:  # .../site-packages/pypdfium2/__init__.py or .../site-packages/zxingcpp.cpython-311-....so
            where = Path(origin).parent
            directory = str(where.parent if spec is not None and spec.submodule_search_locations else where)
            if directory not in found and "\n" not in directory:
                found.append(directory)
    return found


def read_qr_from_image(path: Path) -> str | None:
    """The text of the first QR code in an image file, or ``None`` if there is none."""
    texts = read_qr_codes(path)
    return texts[0] if texts else None


def read_qr_codes(path: Path) -> list[str]:
    """The distinct texts of every QR code in an image file, in the order zxing-cpp found them. Raises
    ``ReadError`` for what is not an image, or an image of more than ``MAX_IMAGE_PIXELS`` (checked on the size
    its header declares, before decoding)."""
    import zxingcpp
    from PIL import UnidentifiedImageError

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
            barcodes = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
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
    from PIL import Image

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
    from PIL import Image

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
