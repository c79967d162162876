"""Reading hostile files (issue #9): sizes are checked on the header / the MediaBox before anything is decoded or
rasterised, and every QR code of a document is returned so that two different ones can be told apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from printing import ReadError, read_certificate_pdf, read_qr_codes, read_qr_from_image
from printing.reading import MAX_IMAGE_PIXELS, MAX_PDF_PAGES, pdf_page_pixels
from tests.helpers.hostile_files import pdf_of_size, pdf_with_qr_pages, png_header_only, qr_image
from tests.printing.support import fixture_payload

ONE, TWO = fixture_payload(300, seed=1), fixture_payload(300, seed=2)


@pytest.mark.parametrize(("width", "height"), [(40_000, 40_000), (10_000, 9_000), (MAX_IMAGE_PIXELS + 1, 1)])
def test_image_declaring_too_many_pixels_is_refused_before_decoding(tmp_path: Path, width: int,
                                                                   height: int) -> None:
    """40000×40000 is above Pillow's own bomb error, 10000×9000 in its warning range, the last just above ours."""
    path = png_header_only(tmp_path / "huge.png", width, height)
    with pytest.raises(ReadError, match=rf"huge.png: image is {width:,}×{height:,} pixels, at most "
                                        rf"{MAX_IMAGE_PIXELS:,} pixels accepted"):
        read_qr_from_image(path)


def test_pdf_with_a_huge_mediabox_is_refused_before_rasterising(tmp_path: Path) -> None:
    path = pdf_of_size(tmp_path / "huge.pdf", 100_000, 100_000)
    with pytest.raises(ReadError, match=r"huge.pdf: page 1 is 35,278×35,278 mm, 208,334×208,334 pixels at 150 dpi; "
                                        rf"at most {MAX_IMAGE_PIXELS:,} pixels accepted"):
        read_certificate_pdf(path)


def test_pdf_with_too_many_pages_is_refused(tmp_path: Path) -> None:
    path = pdf_of_size(tmp_path / "long.pdf", 595, 842, pages=MAX_PDF_PAGES + 1)
    with pytest.raises(ReadError, match=rf"long.pdf: the PDF has {MAX_PDF_PAGES + 1} pages, at most {MAX_PDF_PAGES}"):
        read_certificate_pdf(path)


def test_page_sizes_follow_mediabox_and_rotation(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "mixed.pdf"
    canvas = Canvas(str(path), pagesize=(595, 842))
    canvas.showPage()
    canvas.setPageRotation(90)  # reportlab writes a landscape MediaBox shown turned: portrait again
    canvas.showPage()
    canvas.setPageRotation(0)
    canvas.setPageSize((842, 595))
    canvas.showPage()
    canvas.save()
    assert pdf_page_pixels(path) == [(1240, 1755), (1240, 1755), (1755, 1240)]


def test_every_distinct_qr_code_of_an_image_is_returned(tmp_path: Path) -> None:
    qr_image(ONE, TWO, ONE).save(tmp_path / "three.png")
    assert sorted(read_qr_codes(tmp_path / "three.png")) == sorted([ONE, TWO])


def test_every_distinct_qr_code_of_a_pdf_is_returned_in_page_order(tmp_path: Path) -> None:
    printed = read_certificate_pdf(pdf_with_qr_pages(tmp_path / "pages.pdf", ONE, TWO, ONE))
    assert printed.payloads == (ONE, TWO)
    assert printed.payload == ONE


def test_an_image_format_not_accepted_is_a_read_error(tmp_path: Path) -> None:
    qr_image(ONE).save(tmp_path / "scan.tga")
    (tmp_path / "scan.png").write_bytes((tmp_path / "scan.tga").read_bytes())
    with pytest.raises(ReadError, match=r"scan.png: expected an image"):
        read_qr_codes(tmp_path / "scan.png")
