"""S214a output: the PDF is always saved; printing is attempted when a printer is configured."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from printing import CertificateDocument, Error, InstitutionFormat, deliver, render_certificate_pdf
from tests.helpers.cupsd import PrivateCups


@pytest.fixture
def pdf(make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]) -> bytes:
    return render_certificate_pdf(make_document(), formats["jp-green-council"])


def test_without_printer_only_saves(tmp_path: Path, pdf: bytes) -> None:
    delivery = deliver(pdf, "cert.pdf", save_dir=tmp_path / "saved", printer=None)
    assert delivery.kind == "saved"
    assert delivery.path == (tmp_path / "saved" / "cert.pdf").resolve()
    assert delivery.path.read_bytes() == pdf
    assert (delivery.printer, delivery.job_id) == (None, None)
    assert delivery.message_en == f"The certificate PDF is saved at {delivery.path}."
    assert str(delivery.path) in delivery.message_ja


def test_unreachable_cups_saves_and_says_why(tmp_path: Path, pdf: bytes) -> None:
    delivery = deliver(pdf, "cert", save_dir=tmp_path, printer="kiosk", server="127.0.0.1:1")
    assert delivery.kind == "saved"
    assert delivery.path.name == "cert.pdf"
    assert delivery.path.read_bytes() == pdf
    assert delivery.printer == "kiosk"
    assert delivery.job_id is None
    assert delivery.message_en.startswith(
        "The print server 127.0.0.1:1 is not reachable (connection refused)."
    )
    assert delivery.message_en.endswith(f"The certificate PDF is saved at {delivery.path}.")
    assert "接続できません" in delivery.message_ja
    assert f"証明書のPDFは {delivery.path} に保存されています" in delivery.message_ja


@pytest.mark.cups
def test_prints_through_cups_and_keeps_the_pdf(tmp_path: Path, pdf: bytes, private_cups: PrivateCups) -> None:
    out = tmp_path / "printed.pdf"
    private_cups.add_pdf_queue("kiosk", out)
    delivery = deliver(
        pdf, "cert.pdf", save_dir=tmp_path / "saved", printer="kiosk", server=private_cups.server
    )
    assert delivery.kind == "printed", delivery.message_en
    assert delivery.job_id is not None and delivery.job_id > 0
    assert delivery.path.read_bytes() == pdf
    assert out.stat().st_size > 0
    assert delivery.message_en.startswith(f"Printed on kiosk (job {delivery.job_id}).")


@pytest.mark.cups
def test_stopped_printer_saves_with_the_job_id(tmp_path: Path, pdf: bytes, private_cups: PrivateCups) -> None:
    private_cups.add_pdf_queue("kiosk", tmp_path / "printed.pdf")
    private_cups.stop_queue("kiosk", "Paper jam")
    delivery = deliver(
        pdf, "cert.pdf", save_dir=tmp_path, printer="kiosk", server=private_cups.server, timeout=10
    )
    assert delivery.kind == "saved"
    assert delivery.job_id is not None
    assert "The printer kiosk is stopped (Paper jam)" in delivery.message_en
    assert delivery.path.exists()


@pytest.mark.parametrize("name", ["", "../cert.pdf", "sub/cert.pdf", ".."])
def test_filename_must_be_plain(tmp_path: Path, pdf: bytes, name: str) -> None:
    with pytest.raises(Error, match=r"filename: expected a plain file name"):
        deliver(pdf, name, save_dir=tmp_path, printer=None)
    assert list(tmp_path.iterdir()) == []


def test_non_pdf_bytes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(Error, match=r"pdf: expected PDF bytes starting with '%PDF-', found b'<html>'"):
        deliver(b"<html>", "cert.pdf", save_dir=tmp_path, printer=None)


@pytest.mark.cups
def test_copies_media_and_duplex_are_passed_through(tmp_path: Path, pdf: bytes, private_cups: PrivateCups) -> None:
    private_cups.add_pdf_queue("kiosk", tmp_path / "printed.pdf")
    delivery = deliver(
        pdf,
        "cert.pdf",
        save_dir=tmp_path / "saved",
        printer="kiosk",
        server=private_cups.server,
        copies=2,
        media="Letter",
        duplex=True,
    )
    assert delivery.kind == "printed", delivery.message_en
    assert delivery.job_id is not None
    job = private_cups.job_attributes(delivery.job_id)
    assert (job["copies"], job["media"], job["sides"]) == (2, "Letter", "two-sided-long-edge")


@pytest.mark.cups
def test_duplex_not_possible_is_told(tmp_path: Path, pdf: bytes, private_cups: PrivateCups) -> None:
    private_cups.add_pdf_queue("kiosk", tmp_path / "printed.pdf", duplex_unit=False)
    delivery = deliver(
        pdf, "cert.pdf", save_dir=tmp_path / "saved", printer="kiosk", server=private_cups.server, duplex=True
    )
    assert delivery.kind == "printed", delivery.message_en
    assert "printed on one side only" in delivery.message_en
    assert "片面で印刷しました" in delivery.message_ja
    assert delivery.message_en.endswith(f"The certificate PDF is saved at {delivery.path}.")


@pytest.mark.cups
def test_no_such_printer_saves_and_names_the_ones_there_are(
    tmp_path: Path, pdf: bytes, private_cups: PrivateCups
) -> None:
    private_cups.add_pdf_queue("office", tmp_path / "printed.pdf")
    delivery = deliver(pdf, "cert.pdf", save_dir=tmp_path, printer="kiosk", server=private_cups.server)
    assert delivery.kind == "saved"
    assert delivery.path.read_bytes() == pdf
    assert "The printer 'kiosk' was not found" in delivery.message_en
    assert "(it has office)" in delivery.message_en
    assert "プリンター kiosk が見つかりません。" in delivery.message_ja


@pytest.mark.cups
def test_server_without_any_printer_saves_and_says_so(
    tmp_path: Path, pdf: bytes, private_cups: PrivateCups
) -> None:
    delivery = deliver(pdf, "cert.pdf", save_dir=tmp_path, printer="kiosk", server=private_cups.server)
    assert delivery.kind == "saved"
    assert "(it has no printers)" in delivery.message_en
    assert delivery.path.exists()


def test_without_pycups_saves_and_says_so(tmp_path: Path, pdf: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cups", None)  # makes "import cups" raise ImportError
    delivery = deliver(pdf, "cert.pdf", save_dir=tmp_path, printer="kiosk")
    assert delivery.kind == "saved"
    assert delivery.path.read_bytes() == pdf
    assert "the Python module 'cups' (pip install pycups) is not installed" in delivery.message_en
    assert "印刷機能（pycups）がインストールされていません。" in delivery.message_ja
    assert f"証明書のPDFは {delivery.path} に保存されています" in delivery.message_ja


@pytest.mark.parametrize("copies", [0, True, "2"])
def test_bad_copies_still_saves(tmp_path: Path, pdf: bytes, copies: object) -> None:
    delivery = deliver(pdf, "cert.pdf", save_dir=tmp_path, printer="kiosk", server="127.0.0.1:1", copies=copies)  # type: ignore[arg-type]
    assert delivery.kind == "saved"
    assert delivery.message_en.startswith(f"copies: expected an integer of at least 1, found {copies!r}")
