"""S214a: printing through a real, private cupsd into a file:// queue and following the job."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from printing import (
    CertificateDocument,
    InstitutionFormat,
    PrinterUnavailable,
    PrintFailed,
    list_printers,
    print_pdf,
    read_qr_from_image,
    render_certificate_pdf,
)
from tests.helpers.cupsd import PrivateCups
from tests.printing.support import page_size_pts, rasterise

pytestmark = pytest.mark.cups


@pytest.fixture
def certificate_pdf(
    tmp_path: Path, make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]
) -> Path:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(render_certificate_pdf(make_document(), formats["jp-green-council"]))
    return path


def test_printed_output_carries_the_same_qr(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path, payload: str
) -> None:
    out = tmp_path / "printed" / "kiosk.pdf"
    private_cups.add_pdf_queue("kiosk", out)
    outcome = print_pdf(certificate_pdf, "kiosk", title="certificate", server=private_cups.server, timeout=30)
    assert outcome.state == "completed", outcome.message_en
    assert outcome.ok
    assert outcome.job_id > 0
    assert outcome.message_en == f"Printed on kiosk (job {outcome.job_id})."
    assert "印刷しました" in outcome.message_ja
    assert out.stat().st_size > 0, private_cups.error_log()
    assert page_size_pts(out) == pytest.approx((595.3, 841.9), abs=1)
    pages = rasterise(out, tmp_path)
    assert len(pages) == 1
    assert read_qr_from_image(pages[0]) == payload


def test_list_printers_reports_state(private_cups: PrivateCups, tmp_path: Path) -> None:
    private_cups.add_pdf_queue("b-kiosk", tmp_path / "b.pdf")
    private_cups.add_pdf_queue("a-office", tmp_path / "a.pdf")
    private_cups.stop_queue("a-office", "Out of paper")
    printers = list_printers(private_cups.server)
    assert [p.name for p in printers] == ["a-office", "b-kiosk"]
    assert (printers[0].state, printers[1].state) == ("stopped", "idle")
    assert "paused" in printers[0].state_reasons
    assert printers[1].state_reasons == ()
    assert not any(p.is_default for p in printers)


@pytest.mark.timeout(30)
def test_stopped_queue_says_so_without_hanging(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    out = tmp_path / "never.pdf"
    private_cups.add_pdf_queue("kiosk", out)
    private_cups.stop_queue("kiosk", "Out of paper")
    started = time.monotonic()
    outcome = print_pdf(certificate_pdf, "kiosk", title="certificate", server=private_cups.server, timeout=20)
    assert time.monotonic() - started < 10
    assert outcome.state == "printer-stopped"
    assert not outcome.ok
    assert "The printer kiosk is stopped (Out of paper)" in outcome.message_en
    assert "was not printed" in outcome.message_en
    assert "停止しているため印刷できませんでした" in outcome.message_ja
    assert private_cups.queued_jobs("kiosk") == []
    private_cups.start_queue("kiosk")  # the cancelled job must not print once the queue resumes
    time.sleep(1.0)
    assert not out.exists()


def test_unknown_printer_names_the_ones_there_are(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    private_cups.add_pdf_queue("kiosk", tmp_path / "out.pdf")
    with pytest.raises(
        PrinterUnavailable, match=r"The printer 'lobby' was not found on 127\.0\.0\.1:\d+ \(it has kiosk\)"
    ):
        print_pdf(certificate_pdf, "lobby", title="certificate", server=private_cups.server)


def test_unreachable_server_fails_fast(certificate_pdf: Path) -> None:
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable, match=r"The print server 127\.0\.0\.1:1 is not reachable") as info:
        print_pdf(certificate_pdf, "kiosk", title="certificate", server="127.0.0.1:1")
    assert time.monotonic() - started < 5
    assert info.value.message_ja.startswith("印刷サーバー（127.0.0.1:1）に接続できません")


def test_missing_pycups_is_printer_unavailable(
    monkeypatch: pytest.MonkeyPatch, certificate_pdf: Path
) -> None:
    monkeypatch.setitem(sys.modules, "cups", None)  # makes "import cups" raise ImportError
    with pytest.raises(
        PrinterUnavailable, match=r"the Python module 'cups' \(pip install pycups\) is not installed"
    ):
        list_printers("127.0.0.1:1")


def test_missing_file_is_refused_before_cups(tmp_path: Path) -> None:
    with pytest.raises(PrintFailed, match=r"gone.pdf: expected a PDF file to print, found nothing"):
        print_pdf(tmp_path / "gone.pdf", "kiosk", title="t", server="127.0.0.1:1")


@pytest.mark.timeout(30)
def test_job_that_never_starts_times_out_and_is_cancelled(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    out = tmp_path / "held.pdf"
    private_cups.add_pdf_queue("kiosk", out)
    private_cups.set_queue_option("kiosk", "job-hold-until-default=indefinite")
    started = time.monotonic()
    outcome = print_pdf(
        certificate_pdf, "kiosk", title="certificate", server=private_cups.server, timeout=1.0
    )
    assert 1.0 <= time.monotonic() - started < 5
    assert outcome.state == "timed-out"
    assert outcome.message_en == (
        f"Printing on kiosk did not finish within 1 s (job {outcome.job_id} was still held); "
        "the job was cancelled."
    )
    assert private_cups.queued_jobs("kiosk") == []


@pytest.mark.timeout(30)
def test_job_cups_cannot_write_is_reported_as_not_printed(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    out = tmp_path / "gone" / "out.pdf"
    private_cups.add_pdf_queue("kiosk", out)
    out.parent.rmdir()  # the device file can no longer be opened
    started = time.monotonic()
    outcome = print_pdf(certificate_pdf, "kiosk", title="certificate", server=private_cups.server, timeout=20)
    assert time.monotonic() - started < 10
    assert outcome.state == "aborted"
    assert outcome.message_en.startswith("The printer kiosk could not print the certificate:")
    assert private_cups.queued_jobs("kiosk") == []
    assert not out.exists()


def test_private_cups_removes_its_directory_and_stops_its_daemon() -> None:
    with PrivateCups() as server:
        root = server.root
        port = server.port
        assert (root / "etc" / "cupsd.conf").is_file()
    assert not root.exists()
    with pytest.raises(PrinterUnavailable, match="is not reachable"):
        list_printers(f"127.0.0.1:{port}")
