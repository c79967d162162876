"""``printing.reading.PdfReading`` (issue 16): a PDF read started now and answered later — the same answer as
``read_certificate_pdf``, the same limits (a refusal, the timeout counted from the start), and ``close`` ends a
child still reading."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import printing.reading
from printing import CertificateDocument, InstitutionFormat, ReadError, read_certificate_pdf, render_certificate_pdf
from printing.reading import PdfReading
from tests.helpers.hostile_files import pdf_of_size


def certificate(tmp_path: Path, make_document: Callable[..., CertificateDocument],
                formats: dict[str, InstitutionFormat]) -> tuple[Path, str]:
    doc = make_document()
    path = tmp_path / "cert.pdf"
    path.write_bytes(render_certificate_pdf(doc, formats["jp-green-council"], bundle=b"not a bundle"))
    return path, doc.payload


def test_the_answer_is_read_certificate_pdf_s(tmp_path: Path, make_document: Callable[..., CertificateDocument],
                                              formats: dict[str, InstitutionFormat]) -> None:
    path, payload = certificate(tmp_path, make_document, formats)
    reading = PdfReading(path)
    found = reading.result()
    assert found == read_certificate_pdf(path)
    assert found.payloads == (payload,) and found.bundle == b"not a bundle" and found.amount_wh is not None
    assert reading.path == path


def test_a_refusal_comes_from_result(tmp_path: Path) -> None:
    reading = PdfReading(pdf_of_size(tmp_path / "long.pdf", 595, 842, pages=11))
    with pytest.raises(ReadError, match="the PDF has 11 pages, at most 10 accepted"):
        reading.result()


def test_the_timeout_counts_from_the_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing.reading, "TOOL_TIMEOUT", 0.001)
    reading = PdfReading(pdf_of_size(tmp_path / "a4.pdf", 595, 842))
    with pytest.raises(ReadError, match=r"a4.pdf: expected a PDF read within 0.001 s, reading it took longer$"):
        reading.result()


def test_close_ends_a_child_still_reading(tmp_path: Path) -> None:
    reading = PdfReading(pdf_of_size(tmp_path / "a4.pdf", 595, 842))
    reading.close()
    assert reading._worker._process.returncode is not None


def test_a_missing_file_is_refused_at_once(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="expected a PDF file, found nothing"):
        PdfReading(tmp_path / "none.pdf")
