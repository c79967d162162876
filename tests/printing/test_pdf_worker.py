"""PDFs read by PDFium in a child process (issue 16): what reading a certificate PDF used three poppler tools for,
with the limits of issue #9 kept and two added — a memory cap and a time limit on the child — so that a hostile
PDF (a flate bomb PDFium would inflate whole, a page that never finishes drawing) ends only that child."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

import printing.reading
from ledger_lite.audit import BUNDLE_NAME, MAX_BUNDLE_BYTES
from printing import CertificateDocument, InstitutionFormat, ReadError, read_certificate_pdf, render_certificate_pdf
from printing.pdf_worker import MAX_IMAGE_PIXELS, MAX_WORKER_MEMORY, READ_ERROR_EXIT
from printing.reading import read_bundle, render_page_png
from tests.helpers.hostile_files import pdf_of_size
from tests.helpers.hostile_pdfs import pdf_with_inflating_attachment, pdf_with_inflating_content, pdf_without_pages

ROOT = Path(__file__).resolve().parents[2]


def _certificate(tmp_path: Path, make_document: Callable[..., CertificateDocument],
                 formats: dict[str, InstitutionFormat], *, bundle: bytes | None = None) -> tuple[Path, str]:
    doc = make_document()
    path = tmp_path / "cert.pdf"
    path.write_bytes(render_certificate_pdf(doc, formats["jp-green-council"], bundle=bundle))
    return path, doc.payload


def _in_a_fresh_process(code: str) -> dict[str, object]:
    """Run ``code`` (which sets ``result``) in a new interpreter and return ``result`` with the peak resident
    memory of that interpreter's children (``ru_maxrss``, KiB), so that no earlier child of this test run counts."""
    script = (f"import json, resource, sys\nsys.path.insert(0, {str(ROOT)!r})\n{code}\n"
              "result['children_peak_kib'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
              "print(json.dumps(result))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    found: dict[str, object] = json.loads(done.stdout)
    return found


# -- what the poppler tools gave ---------------------------------------------------------------------------------

def test_the_embedded_bundle_is_read_with_the_rest(tmp_path: Path, make_document: Callable[..., CertificateDocument],
                                                   formats: dict[str, InstitutionFormat]) -> None:
    bundle = bytes(range(256)) * 40
    path, payload = _certificate(tmp_path, make_document, formats, bundle=bundle)
    printed = read_certificate_pdf(path)
    assert (printed.payload, printed.bundle) == (payload, bundle)
    assert read_bundle(path) == bundle


def test_no_bundle_or_one_above_the_limit_is_none(tmp_path: Path, make_document: Callable[..., CertificateDocument],
                                                  formats: dict[str, InstitutionFormat]) -> None:
    plain, _ = _certificate(tmp_path, make_document, formats)
    assert read_bundle(plain) is None and read_certificate_pdf(plain).bundle is None
    large, _ = _certificate(tmp_path, make_document, formats, bundle=b"\0" * (MAX_BUNDLE_BYTES + 1))
    assert read_bundle(large) is None and read_certificate_pdf(large).bundle is None


def test_the_text_has_the_printed_lines_and_a_form_feed_per_page(
        tmp_path: Path, make_document: Callable[..., CertificateDocument],
        formats: dict[str, InstitutionFormat]) -> None:
    path, _ = _certificate(tmp_path, make_document, formats)
    text = read_certificate_pdf(path).text
    assert "\r" not in text and text.count("\f") == 1 and text.endswith("\f")
    assert "Consumer Ca\n" in text and "証明書番号" in text


def test_a_page_is_rendered_for_the_screen_with_its_qr_code(
        tmp_path: Path, make_document: Callable[..., CertificateDocument],
        formats: dict[str, InstitutionFormat]) -> None:
    path, payload = _certificate(tmp_path, make_document, formats)
    with Image.open(io.BytesIO(render_page_png(path))) as page:
        page.load()
        assert (page.format, page.mode, page.size) == ("PNG", "RGB", (1241, 1754))  # A4 at 150 dpi, rounded up
        assert [b.text for b in zxingcpp.read_barcodes(page.convert("L"))] == [payload]
    with Image.open(io.BytesIO(render_page_png(path, dpi=75))) as half:
        assert half.size == (621, 877)


def test_a_page_that_is_not_there_is_named(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"^two.pdf: expected page 3 of a PDF, found 2 pages$"):
        render_page_png(pdf_of_size(tmp_path / "two.pdf", 595, 842, pages=2), 3)


def test_a_page_small_at_150_dpi_is_refused_at_a_resolution_that_makes_it_too_large(tmp_path: Path) -> None:
    path = pdf_of_size(tmp_path / "wall.pdf", 2000, 2000)  # 4,167×4,167 pixels at 150 dpi, 8,334² at 300
    render_page_png(path, dpi=20)
    with pytest.raises(ReadError, match=rf"^wall.pdf: page 1 is 706×706 mm, 8,334×8,334 pixels at 300 dpi; at most "
                                        rf"{MAX_IMAGE_PIXELS:,} pixels accepted$"):
        render_page_png(path, dpi=300)


# -- what PDFium refuses, in plain words --------------------------------------------------------------------------

def test_a_pdf_protected_by_a_password_is_named(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(pdf_of_size(tmp_path / "open.pdf", 595, 842)))
    writer.encrypt(user_password="secret", owner_password="owner")
    with (tmp_path / "locked.pdf").open("wb") as out:
        writer.write(out)
    with pytest.raises(ReadError, match=r"locked.pdf: expected a readable PDF, found a PDF protected by a password$"):
        read_certificate_pdf(tmp_path / "locked.pdf")


def test_a_pdf_without_pages_is_named(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"empty.pdf: expected a readable PDF, found no pages$"):
        read_certificate_pdf(pdf_without_pages(tmp_path / "empty.pdf"))


# -- hostile files end the child, never the reader ---------------------------------------------------------------

@pytest.mark.parametrize("kind", ["content", "attachment"])
def test_a_flate_bomb_stops_the_child_within_its_memory_cap(tmp_path: Path, kind: str) -> None:
    """3 GiB inflated from 3 MB: without the cap the child would hold all of it (PDFium inflates a stream whole)."""
    path = (pdf_with_inflating_content(tmp_path / "bomb.pdf") if kind == "content"
            else pdf_with_inflating_attachment(tmp_path / "bomb.pdf", BUNDLE_NAME))
    found = _in_a_fresh_process(
        "from printing.reading import ReadError, read_bundle, read_certificate_pdf\n"
        f"result = {{'bundle': repr(read_bundle({str(path)!r}))}}\n"
        f"try:\n    read_certificate_pdf({str(path)!r})\nexcept ReadError as exc:\n    result['error'] = str(exc)\n")
    assert found["bundle"] == "None"
    assert found["error"] == f"{path}: expected a readable PDF, its reader stopped with signal SIGABRT (a damaged " \
                             f"PDF, or one that needs more than {MAX_WORKER_MEMORY >> 20:,} MB)"
    assert isinstance(found["children_peak_kib"], int) and found["children_peak_kib"] * 1024 < 1.1 * MAX_WORKER_MEMORY


def test_the_largest_page_accepted_is_read_and_rendered_within_the_memory_cap(tmp_path: Path) -> None:
    """7,071×7,071 pixels at 150 dpi (just under ``MAX_IMAGE_PIXELS``): the cap leaves room for the largest page
    accepted, grey for its QR codes and RGB for the screen."""
    path = pdf_of_size(tmp_path / "poster.pdf", 3394, 3394)
    found = _in_a_fresh_process(
        "from printing.reading import pdf_page_pixels, read_certificate_pdf, render_page_png\n"
        f"result = {{'pixels': pdf_page_pixels({str(path)!r}),\n"
        f"          'payloads': read_certificate_pdf({str(path)!r}).payloads,\n"
        f"          'png': len(render_page_png({str(path)!r}))}}\n")
    assert found["pixels"] == [[7071, 7071]] and found["payloads"] == [] and isinstance(found["png"], int)
    assert isinstance(found["children_peak_kib"], int) and found["children_peak_kib"] * 1024 < MAX_WORKER_MEMORY


def test_a_reading_that_takes_too_long_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No interpreter starts in a millisecond: the child is always stopped."""
    monkeypatch.setattr(printing.reading, "TOOL_TIMEOUT", 0.001)
    with pytest.raises(ReadError, match=r"a4.pdf: expected a PDF read within 0.001 s, reading it took longer$"):
        read_certificate_pdf(pdf_of_size(tmp_path / "a4.pdf", 595, 842))


def test_the_worker_reports_a_refusal_as_its_message_and_exit_status(tmp_path: Path) -> None:
    path = pdf_of_size(tmp_path / "long.pdf", 595, 842, pages=11)
    done = subprocess.run([sys.executable, "-m", "printing.pdf_worker", "pages", str(path)], capture_output=True,
                          timeout=60, check=False, cwd=ROOT)
    assert (done.returncode, done.stdout) == (READ_ERROR_EXIT, b"long.pdf: the PDF has 11 pages, at most 10 accepted")


def test_no_interpreter_to_start_is_a_read_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "gone" / "python"))
    with pytest.raises(ReadError, match=r"a4.pdf: expected to start .*/gone/python to read the PDF, found \[Errno 2\]"):
        read_certificate_pdf(pdf_of_size(tmp_path / "a4.pdf", 595, 842))


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    bogus = Path(os.fsdecode(bytes(tmp_path) + b"/scan-\xff.pdf"))
    bogus.write_text("hello")
    with pytest.raises(ReadError, match=r"scan-\\udcff.pdf: expected a readable PDF, found no PDF structure"):
        read_certificate_pdf(bogus)


def test_reading_a_pdf_loads_no_image_or_pdf_library_in_the_reader(tmp_path: Path) -> None:
    """``greencert verify file.pdf`` starts faster without Pillow, zxing-cpp, pypdf or PDFium of its own."""
    path = pdf_of_size(tmp_path / "a4.pdf", 595, 842)
    found = _in_a_fresh_process(
        "from printing.reading import read_certificate_pdf\n"
        f"assert read_certificate_pdf({str(path)!r}).payloads == ()\n"
        "result = {'loaded': sorted(m for m in sys.modules if m.split('.')[0] in ('PIL', 'zxingcpp', 'pypdf', "
        "'pypdfium2'))}\n")
    assert found["loaded"] == []
