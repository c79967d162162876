"""Reading a printed certificate back (used by ``greencert verify file.pdf``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from ledger_lite.reference import short_reference
from printing import (
    CertificateDocument,
    InstitutionFormat,
    ReadError,
    read_certificate_pdf,
    read_qr_from_image,
    render_certificate_pdf,
)
from printing.reading import parse_certificate_id
from tests.printing.support import fixture_payload, rasterise


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("institution", ["jp-green-council", "intl-rec-registry"])
def test_payload_amount_and_id_read_back(
    tmp_path: Path,
    make_document: Callable[..., CertificateDocument],
    formats: dict[str, InstitutionFormat],
    paper: str,
    institution: str,
) -> None:
    doc = make_document(institution_id=institution, reprint=paper == "Letter")
    path = tmp_path / "cert.pdf"
    path.write_bytes(render_certificate_pdf(doc, formats[institution], paper=paper))
    printed = read_certificate_pdf(path)
    assert printed.payload == doc.payload
    assert printed.amount_wh == doc.amount_wh
    assert printed.certificate_id == doc.certificate_id
    assert "Consumer Ca" in printed.text


def test_largest_allowed_qr_still_decodes_at_150_dpi(
    tmp_path: Path, make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]
) -> None:
    doc = make_document(payload=fixture_payload(960, seed=3))  # QR version 20, error correction M
    path = tmp_path / "cert.pdf"
    path.write_bytes(render_certificate_pdf(doc, formats["jp-green-council"], paper="Letter"))
    assert read_certificate_pdf(path).payload == doc.payload


def test_qr_read_from_a_png_scan(
    tmp_path: Path, make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]
) -> None:
    doc = make_document()
    path = tmp_path / "cert.pdf"
    path.write_bytes(render_certificate_pdf(doc, formats["jp-green-council"]))
    (page,) = rasterise(path, tmp_path)
    assert read_qr_from_image(page) == doc.payload


def test_image_without_qr_gives_none(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    assert read_qr_from_image(blank) is None


def test_not_an_image_is_a_read_error(tmp_path: Path) -> None:
    bogus = tmp_path / "scan.png"
    bogus.write_text("hello")
    with pytest.raises(ReadError, match=r"scan.png: expected an image"):
        read_qr_from_image(bogus)


def test_not_a_pdf_is_a_read_error(tmp_path: Path) -> None:
    bogus = tmp_path / "cert.pdf"
    bogus.write_text("hello")
    with pytest.raises(ReadError, match=r"cert.pdf: expected a readable PDF, found no PDF structure \(not a PDF, or "
                                        r"a damaged one\)$"):
        read_certificate_pdf(bogus)


def test_missing_pdf_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"missing.pdf: expected a PDF file, found nothing"):
        read_certificate_pdf(tmp_path / "missing.pdf")


HEX = "0123456789abcdef" * 4


@pytest.mark.parametrize(
    "text",
    [
        f"Certificate ID\n{HEX}\n",
        f"証明書番号\n\n{HEX[:32]}\n{HEX[32:]}\n",
        f"chain {'f' * 64}\nCertificate ID\n{HEX.upper()}\n",  # a hex chain id before the label is skipped
    ],
)
def test_certificate_id_is_parsed_on_one_or_two_lines(text: str) -> None:
    assert parse_certificate_id(text) == HEX


def test_no_certificate_id_gives_none() -> None:
    assert parse_certificate_id("Certificate ID\n0123 not hex") is None


@pytest.mark.parametrize("institution", ["jp-green-council", "intl-rec-registry"])
def test_the_printed_short_reference_is_read_back(
    tmp_path: Path, make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat],
    institution: str,
) -> None:
    doc = make_document(institution_id=institution)
    path = tmp_path / "cert.pdf"
    path.write_bytes(render_certificate_pdf(doc, formats[institution]))
    printed = read_certificate_pdf(path)
    assert printed.short_reference == short_reference(doc.certificate_id)
    assert printed.certificate_id == doc.certificate_id
