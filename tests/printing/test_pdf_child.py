"""How the PDF's child process starts (issue 16): isolated (``-I``: no ``PYTHON*`` variables, no current directory
on its path) and without ``site`` (``-S``), its module path this project's root and the directories of the
packages it uses; the bundle's name and size limit it is given are the verifier's."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import printing.reading
from ledger_lite.audit import BUNDLE_NAME, MAX_BUNDLE_BYTES
from printing import CertificateDocument, InstitutionFormat, ReadError, read_certificate_pdf, render_certificate_pdf
from printing.reading import AUDIT_BUNDLE_MAX_BYTES, AUDIT_BUNDLE_NAME, child_flags, child_path, read_bundle
from tests.helpers.hostile_files import pdf_of_size

ROOT = Path(__file__).resolve().parents[2]


def test_the_bundle_it_looks_for_is_the_verifier_s() -> None:
    assert (AUDIT_BUNDLE_NAME, AUDIT_BUNDLE_MAX_BYTES) == (BUNDLE_NAME, MAX_BUNDLE_BYTES)


def test_its_path_is_the_project_and_where_pdfium_and_zxing_are() -> None:
    import pypdfium2
    import zxingcpp

    def directory(module: object) -> str:  # a package's directory's parent, or a module's (an extension) directory
        file = Path(str(getattr(module, "__file__", "")))
        return str(file.parents[1] if file.name == "__init__.py" else file.parent)

    found = child_path()
    assert found[0] == str(ROOT)
    assert directory(pypdfium2) in found and directory(zxingcpp) in found
    assert all(Path(p).is_absolute() for p in found) and len(found) == len(set(found))


def test_it_starts_isolated_without_site_keeping_the_byte_code_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.setattr(sys, "pycache_prefix", "/tmp/pyc")
    assert child_flags() == ["-I", "-S", "-B", "-X", "pycache_prefix=/tmp/pyc"]
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(sys, "pycache_prefix", None)
    assert child_flags() == ["-I", "-S"]


def test_modules_in_the_current_directory_are_never_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder of downloads holding a ``zxingcpp.py`` next to the PDF: ``python -m`` would have put the current
    directory first on the child's path."""
    marker = tmp_path / "loaded"
    for name in ("zxingcpp", "pypdfium2", "json", "base64"):
        (tmp_path / f"{name}.py").write_text(f"open({str(marker)!r}, 'a').write({name!r})\n")
    monkeypatch.chdir(tmp_path)
    pdf = pdf_of_size(tmp_path / "a4.pdf", 595, 842)
    assert read_certificate_pdf(pdf).payloads == ()
    assert not marker.exists()


def test_python_variables_of_the_environment_do_not_reach_it(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """``PYTHONPATH`` naming another ``printing`` (or ``PYTHONWARNINGS=error``) changes nothing in the child."""
    fake = tmp_path / "fake" / "printing"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise SystemExit(99)\n")
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    monkeypatch.setenv("PYTHONWARNINGS", "error")
    pdf = pdf_of_size(tmp_path / "a4.pdf", 595, 842)
    assert read_certificate_pdf(pdf).payloads == () and read_bundle(pdf) is None


def test_a_refusal_and_the_timeout_are_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ReadError, match="the PDF has 11 pages, at most 10 accepted"):
        read_certificate_pdf(pdf_of_size(tmp_path / "long.pdf", 595, 842, pages=11))
    monkeypatch.setattr(printing.reading, "TOOL_TIMEOUT", 0.001)
    with pytest.raises(ReadError, match=r"a4.pdf: expected a PDF read within 0.001 s, reading it took longer$"):
        read_certificate_pdf(pdf_of_size(tmp_path / "a4.pdf", 595, 842))


def test_reading_module_loads_no_verifier_or_document_module(tmp_path: Path) -> None:
    """What ``greencert verify`` loads before the child starts: the standard library and ``printing.reading``."""
    pdf = pdf_of_size(tmp_path / "a4.pdf", 595, 842)
    script = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from pathlib import Path\n"
              f"from printing.reading import PdfReading\nreading = PdfReading(Path({str(pdf)!r}))\n"
              "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('ledger_lite', 'cryptography', 'PIL', "
              "'pypdfium2', 'zxingcpp') or m in ('printing.document', 'printing.institutions'))\n"
              "reading.result()\nimport json; print(json.dumps(loaded))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout) == []


def test_the_child_calls_pdfium_without_pypdfium2_s_python_layer(tmp_path: Path) -> None:
    """``pypdfium2_raw`` (the ctypes bindings) only: pypdfium2's helpers cost ~11 ms of a reading's CPU."""
    pdf = pdf_of_size(tmp_path / "a4.pdf", 595, 842)
    script = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\nfrom printing.pdf_worker import read\n"
              f"found = read({str(pdf)!r}, 'x', 10)\nimport json\n"
              "print(json.dumps([found, sorted(m for m in sys.modules if m.split('.')[0] in ('pypdfium2', "
              "'pypdfium2_raw', 'PIL'))]))")
    done = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True, timeout=120,
                          check=True)
    found, loaded = json.loads(done.stdout)
    assert found == {"text": "GreenCert\f", "payloads": [], "bundle": None}
    assert loaded == ["pypdfium2_raw", "pypdfium2_raw.bindings"]


def _through_pypdfium2(path: Path) -> tuple[str, list[str], list[tuple[int, int]], bytes]:
    """What pypdfium2's own Python layer reads: the text of every page, the QR codes of the grey page at 150 dpi,
    the sizes of the bitmaps it draws and the RGB pixels of page 1."""
    import pypdfium2 as pdfium
    import zxingcpp

    document = pdfium.PdfDocument(str(path))
    try:
        text, payloads, sizes = "", [], []
        for index in range(len(document)):
            page = document[index]
            text += page.get_textpage().get_text_range().replace("\r\n", "\n") + "\f"
            grey = page.render(scale=150 / 72, grayscale=True)
            sizes.append((grey.width, grey.height))
            rows = memoryview(grey.buffer).cast("B").cast("B", (grey.height, grey.stride))
            payloads += [b.text for b in zxingcpp.read_barcodes(rows) if b.text not in payloads]
        pixels = document[0].render(scale=150 / 72, rev_byteorder=True).to_pil().tobytes()
    finally:
        document.close()
    return text, payloads, sizes, pixels


@pytest.mark.parametrize("institution", ["jp-green-council", "intl-rec-registry"])
def test_the_calls_read_what_pypdfium2_s_layer_reads(tmp_path: Path, institution: str,
                                                     make_document: Callable[..., CertificateDocument],
                                                     formats: dict[str, InstitutionFormat]) -> None:
    from PIL import Image

    from printing import pdf_worker

    path = tmp_path / "cert.pdf"
    path.write_bytes(render_certificate_pdf(make_document(institution_id=institution), formats[institution],
                                            bundle=b"bundle"))
    text, payloads, sizes, pixels = _through_pypdfium2(path)
    found = pdf_worker.read(str(path), "greencert-audit.json.z", 100)
    assert (found["text"], found["payloads"]) == (text, payloads) and len(payloads) == 1
    with pdf_worker.opened(str(path)) as document:
        assert pdf_worker.page_pixels(document, str(path)) == sizes
    png = Image.open(io.BytesIO(pdf_worker.render_png(str(path), 1, 150)))
    assert png.tobytes() == pixels
