"""Read a printed certificate back: the QR payload from the rasterised page, amount and id from its text.

Used by ``greencert verify file.pdf|file.png`` and by the tests that check what S214a printed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image, UnidentifiedImageError

from printing.document import parse_amount_kwh
from printing.errors import ReadError

RASTER_DPI = 150
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
TOOL_TIMEOUT = 60.0
# The id is printed in monospace, in one line or in two lines of 32 (fields.certificate_id_lines).
_ID_LABEL = re.compile(r"Certificate ID|証明書番号")
_ID_ONE_LINE = re.compile(r"(?<![0-9a-fA-F])([0-9a-fA-F]{64})(?![0-9a-fA-F])")
_ID_TWO_LINES = re.compile(r"(?<![0-9a-fA-F])([0-9a-fA-F]{32})\s+([0-9a-fA-F]{32})(?![0-9a-fA-F])")


@dataclass(frozen=True)
class PrintedCertificate:
    """What a printed certificate shows; ``None`` where a field could not be found."""

    payload: str | None
    amount_wh: int | None
    certificate_id: str | None
    text: str


def read_certificate_pdf(path: Path) -> PrintedCertificate:
    """The QR payload (first page that has one), the printed amount and certificate id of a PDF."""
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: expected a PDF file, found nothing")
    text = _run(["pdftotext", "-enc", "UTF-8", str(path), "-"], path).decode("utf-8", errors="replace")
    payload = None
    with tempfile.TemporaryDirectory(prefix="greencert-read-") as tmp:
        _run(["pdftoppm", "-r", str(RASTER_DPI), "-png", str(path), str(Path(tmp) / "page")], path)
        for page in sorted(Path(tmp).glob("page*.png")):
            payload = read_qr_from_image(page)
            if payload is not None:
                break
    return PrintedCertificate(
        payload=payload,
        amount_wh=parse_amount_kwh(text),
        certificate_id=parse_certificate_id(text),
        text=text,
    )


def read_qr_from_image(path: Path) -> str | None:
    """The text of the first QR code in an image file, or ``None`` if there is none."""
    try:
        with Image.open(path) as image:
            image.load()
            barcodes = zxingcpp.read_barcodes(image, formats=_QR_ONLY)
    except (OSError, UnidentifiedImageError) as exc:
        raise ReadError(f"{path}: expected an image (PNG, JPEG, ...), found {exc}") from exc
    for barcode in barcodes:
        if barcode.valid and barcode.text:
            return str(barcode.text)
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
