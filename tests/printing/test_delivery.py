"""S214a output: the PDF is always saved; printing is attempted when a printer is configured."""

from __future__ import annotations

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
