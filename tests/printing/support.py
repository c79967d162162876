"""Helpers the printing tests share: payloads (stand-in and really signed), poppler wrappers, QR measuring."""

from __future__ import annotations

import math
import random
import re
import subprocess
from dataclasses import dataclass, replace
from html import unescape
from pathlib import Path

import zxingcpp
from PIL import Image

from ledger_lite import Claims, SigningKey, encode_payload
from printing import CertificateDocument

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def fixture_payload(length: int = 420, seed: int = 7) -> str:
    """A stand-in for a real ``GC1:`` payload: Base45 characters, about as long as a signed one."""
    rnd = random.Random(seed)
    return "GC1:TEST" + "".join(rnd.choice(BASE45) for _ in range(length - 8))


def pdftotext(path: Path, *, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def pdffonts(path: Path) -> list[tuple[str, bool]]:
    """Each font of the PDF (``pdffonts``) and whether it is embedded (its ``emb`` column says yes)."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
    lines = out.splitlines()
    spans = [m.span() for m in re.finditer(r"-+", lines[1])] if len(lines) > 1 else []  # one run per column
    found = []
    for line in lines[2:]:
        columns = [line[a:b].strip() for a, b in spans]
        found.append((columns[0], columns[3] == "yes"))
    return found


def page_size_pts(path: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60)
    for line in info.stdout.splitlines():
        if line.startswith("Page size:"):
            parts = line.split()
            return float(parts[2]), float(parts[4])
    raise AssertionError(f"pdfinfo printed no page size: {info.stdout}")


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60)
    for line in info.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError(f"pdfinfo printed no page count: {info.stdout}")


def rasterise(path: Path, out_dir: Path, dpi: int = 150) -> list[Path]:
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(path), str(out_dir / "page")], check=True, timeout=60
    )
    return sorted(out_dir.glob("page*.png"))


@dataclass(frozen=True)
class Word:
    """A word on a rendered page, in PDF points from the top-left corner (``pdftotext -bbox``)."""

    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def words(path: Path) -> list[Word]:
    """Every word of the first page with its bounding box."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    found = []
    for match in _WORD.finditer(html):
        x_min, y_min, x_max, y_max = (float(match.group(i)) for i in range(1, 5))
        found.append(Word(unescape(match.group(5)), x_min, y_min, x_max, y_max))
    return found


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def first_word(found: list[Word], text: str) -> Word:
    """The first word that is ``text`` or, for a run of Japanese (no spaces), starts with it."""
    for word in found:
        if word.text == text or (not text.isascii() and word.text.startswith(text)):
            return word
    raise AssertionError(f"{text!r} is not on the page: {[w.text for w in found]}")


@dataclass(frozen=True)
class PrintedQr:
    text: str
    version: int
    ec_level: str
    width_mm: float
    center_x_mm: float
    box: tuple[float, float, float, float]  # x_min, y_min, x_max, y_max in points from the top-left corner


def measure_qr(pdf: Path, out_dir: Path, dpi: int = 300) -> PrintedQr:
    """Rasterise the first page and measure the QR symbol on it (without its quiet zone)."""
    raster_dir = out_dir / f"qr-{pdf.stem}-{dpi}"
    raster_dir.mkdir()
    (page, *_) = rasterise(pdf, raster_dir, dpi)
    with Image.open(page) as image:
        (barcode,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    corners = barcode.position
    width_px = max(
        math.dist((corners.top_left.x, corners.top_left.y), (corners.top_right.x, corners.top_right.y)),
        math.dist((corners.bottom_left.x, corners.bottom_left.y), (corners.bottom_right.x, corners.bottom_right.y)),
    )
    center_px = (corners.top_left.x + corners.top_right.x) / 2
    xs = [c.x for c in (corners.top_left, corners.top_right, corners.bottom_left, corners.bottom_right)]
    ys = [c.y for c in (corners.top_left, corners.top_right, corners.bottom_left, corners.bottom_right)]
    to_pt = 72 / dpi
    return PrintedQr(
        text=barcode.text,
        version=int(barcode.extra["Version"]),
        ec_level=barcode.ec_level,
        width_mm=width_px / dpi * 25.4,
        center_x_mm=center_px / dpi * 25.4,
        box=(min(xs) * to_pt, min(ys) * to_pt, max(xs) * to_pt, max(ys) * to_pt),
    )


ISSUER = SigningKey.derive("tests/printing/issuer")
TRUST = {ISSUER.public.kid: ISSUER.public}


def signed_payload(doc: CertificateDocument) -> str:
    """The real ``GC1:`` payload of ``doc`` (CBOR → COSE_Sign1 → zlib → Base45), signed by ``ISSUER``."""
    claims = Claims(
        cid=doc.certificate_id,
        chain=doc.chain_id,
        h=doc.block_height,
        own=doc.owner,
        m=doc.production_method,
        wh=doc.amount_wh,
        ps=doc.period_start,
        pe=doc.period_end,
        inst=doc.institution_id,
        iat=doc.issued_at,
    )
    return encode_payload(claims, ISSUER)


def with_signed_payload(doc: CertificateDocument) -> CertificateDocument:
    return replace(doc, payload=signed_payload(doc))
