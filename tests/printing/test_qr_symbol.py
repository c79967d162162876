"""The certificate's QR symbol (``printing.qr``): what it carries reads back with a standard reader, at the
error level and within the version DESIGN asks for."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from printing.errors import RenderError
from printing.qr import MAX_VERSION, make_qr, qr_text
from tests.printing.support import fixture_payload


def read_back(matrix: tuple[tuple[bool, ...], ...], scale: int = 4, quiet: int = 4) -> str:
    size = (len(matrix) + 2 * quiet) * scale
    image = Image.new("L", (size, size), 255)
    for row, modules in enumerate(matrix):
        for col, dark in enumerate(modules):
            if dark:
                x, y = (col + quiet) * scale, (row + quiet) * scale
                image.paste(0, (x, y, x + scale, y + scale))
    found = zxingcpp.read_barcode(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert found is not None, "no QR code found in the drawn symbol"
    return str(found.text)


def test_the_payload_reads_back_at_level_q_within_version_20() -> None:
    payload = fixture_payload(seed=3)
    symbol = make_qr(payload)
    assert symbol.error == "q" and 1 <= symbol.version <= MAX_VERSION
    assert len(symbol.matrix) == 17 + 4 * symbol.version and all(len(r) == len(symbol.matrix) for r in symbol.matrix)
    assert read_back(symbol.matrix) == payload


def test_the_verify_link_reads_back_and_decodes_to_the_payload() -> None:
    payload = fixture_payload(seed=4)
    link = qr_text(payload, "https://intermediary.example.jp")
    assert link.startswith("HTTPS://INTERMEDIARY.EXAMPLE.JP/VERIFY/")
    assert read_back(make_qr(link).matrix) == link


def test_a_payload_beyond_version_20_at_level_m_is_refused_with_its_size() -> None:
    with pytest.raises(RenderError, match=r"version ≤ 20 .* found version \d+ at M for 2000 characters"):
        make_qr("x" * 2000)
    with pytest.raises(RenderError, match="found an empty string"):
        make_qr("")
