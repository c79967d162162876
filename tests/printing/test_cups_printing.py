"""S214a: printing through a real, private cupsd into a file:// queue and following the job."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger_lite import decode_payload
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
from printing.reasons import attention, describe
from tests.helpers.cupsd import PrivateCups
from tests.printing.support import TRUST, page_count, page_size_pts, rasterise, with_signed_payload

pytestmark = pytest.mark.cups


@pytest.fixture
def document(make_document: Callable[..., CertificateDocument]) -> CertificateDocument:
    """A certificate whose QR carries a really signed payload."""
    return with_signed_payload(make_document())


@pytest.fixture
def certificate_pdf(tmp_path: Path, document: CertificateDocument, formats: dict[str, InstitutionFormat]) -> Path:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(render_certificate_pdf(document, formats["jp-green-council"]))
    return path


def test_printed_output_carries_the_same_qr_and_it_verifies(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path, document: CertificateDocument
) -> None:
    payload = document.payload
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
    scanned = read_qr_from_image(pages[0])
    assert scanned == payload
    decoded = decode_payload(scanned, TRUST)  # signature checked against the trust list
    assert decoded.claims.cid == document.certificate_id
    assert decoded.claims.wh == document.amount_wh


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
    outcome = print_pdf(certificate_pdf, "kiosk", title="certificate", server=private_cups.server, timeout=20)
    assert outcome.state == "printer-stopped"
    assert not outcome.ok
    assert "The printer kiosk is stopped (Out of paper)," in outcome.message_en  # "paused" goes without saying
    assert "was not printed" in outcome.message_en
    assert "停止しているため印刷できませんでした" in outcome.message_ja
    assert private_cups.queued_jobs("kiosk") == []
    private_cups.start_queue("kiosk")  # the cancelled job must not print once the queue resumes
    time.sleep(1.0)
    assert out.read_bytes() == b""  # the device file (``add_pdf_queue``) got nothing


def test_unknown_printer_names_the_ones_there_are(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    private_cups.add_pdf_queue("kiosk", tmp_path / "out.pdf")
    with pytest.raises(
        PrinterUnavailable, match=r"The printer 'lobby' was not found on 127\.0\.0\.1:\d+ \(it has kiosk\)"
    ):
        print_pdf(certificate_pdf, "lobby", title="certificate", server=private_cups.server)


def test_unreachable_server_fails_fast(certificate_pdf: Path) -> None:
    with pytest.raises(PrinterUnavailable, match=r"The print server 127\.0\.0\.1:1 is not reachable") as info:
        print_pdf(certificate_pdf, "kiosk", title="certificate", server="127.0.0.1:1")
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
    assert time.monotonic() - started >= 1.0  # it waited for its timeout, then cancelled the job
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
    out.unlink()
    out.parent.rmdir()  # the device file can no longer be opened
    outcome = print_pdf(certificate_pdf, "kiosk", title="certificate", server=private_cups.server, timeout=20)
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


# --- job options: copies, media, duplex -------------------------------------------------------------------------


def test_copies_media_and_duplex_reach_the_job(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    out = tmp_path / "printed" / "kiosk.pdf"
    private_cups.add_pdf_queue("kiosk", out)
    sides = private_cups.printer_attributes("kiosk", ["sides-supported"])["sides-supported"]
    assert "two-sided-long-edge" in sides  # the Generic PDF driver declares a duplex unit
    outcome = print_pdf(
        certificate_pdf,
        "kiosk",
        title="certificate",
        copies=2,
        media="Letter",
        duplex=True,
        server=private_cups.server,
        timeout=30,
    )
    assert outcome.ok, outcome.message_en
    assert (outcome.copies, outcome.media, outcome.sides) == (2, "Letter", "two-sided-long-edge")
    assert outcome.message_en == f"Printed 2 copies on kiosk (job {outcome.job_id})."
    assert outcome.message_ja == f"kiosk で 2 部印刷しました（ジョブ {outcome.job_id}）。"
    job = private_cups.job_attributes(outcome.job_id)
    assert (job["copies"], job["media"], job["sides"]) == (2, "Letter", "two-sided-long-edge")
    assert page_size_pts(out) == pytest.approx((612, 792), abs=1)  # Letter
    assert page_count(out) == 4  # two copies, each a sheet: the certificate and a blank back


def test_one_sided_by_default(tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path) -> None:
    out = tmp_path / "kiosk.pdf"
    private_cups.add_pdf_queue("kiosk", out)
    outcome = print_pdf(certificate_pdf, "kiosk", title="certificate", copies=3, server=private_cups.server)
    assert outcome.ok, outcome.message_en
    job = private_cups.job_attributes(outcome.job_id)
    assert (job["copies"], job["media"], job["sides"]) == (3, "A4", "one-sided")
    assert page_count(out) == 3
    assert page_size_pts(out) == pytest.approx((595, 842), abs=1)


def test_duplex_on_a_one_sided_printer_prints_one_sided_and_says_so(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    out = tmp_path / "kiosk.pdf"
    private_cups.add_pdf_queue("kiosk", out, duplex_unit=False)
    assert private_cups.printer_attributes("kiosk", ["sides-supported"])["sides-supported"] == ["one-sided"]
    outcome = print_pdf(certificate_pdf, "kiosk", title="certificate", duplex=True, server=private_cups.server)
    assert outcome.ok, outcome.message_en
    assert outcome.sides == "one-sided"
    assert private_cups.job_attributes(outcome.job_id)["sides"] == "one-sided"
    assert outcome.message_en == (
        f"Printed on kiosk (job {outcome.job_id}). "
        "The printer kiosk cannot print on both sides, so the certificate was printed on one side only."
    )
    assert "両面印刷に対応していないため、片面で印刷しました" in outcome.message_ja
    assert page_count(out) == 1


@pytest.mark.parametrize("copies", [0, -1, 10_000])
def test_copies_out_of_range_are_refused(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path, copies: int
) -> None:
    private_cups.add_pdf_queue("kiosk", tmp_path / "out.pdf")
    with pytest.raises(PrintFailed, match=r"copies: expected "):
        print_pdf(certificate_pdf, "kiosk", title="t", copies=copies, server=private_cups.server)
    assert private_cups.queued_jobs("kiosk") == []


# --- printer state reasons in words -----------------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_low_toner_is_told_after_a_completed_job(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    out = tmp_path / "device.pdf"
    private_cups.add_scripted_queue("kiosk", out)
    private_cups.script_device(out, ["STATE: +toner-low-warning"])
    outcome = print_pdf(certificate_pdf, "kiosk", title="certificate", server=private_cups.server, timeout=20)
    assert outcome.ok, outcome.message_en
    assert out.stat().st_size > 0
    assert outcome.printer_reasons == ("toner-low-warning",)
    assert outcome.message_en == f"Printed on kiosk (job {outcome.job_id}). The printer reports: toner low."
    assert outcome.message_ja.endswith("プリンターからの通知: トナー残量わずか。")
    (printer,) = list_printers(private_cups.server)
    assert printer.state_reasons == ("toner-low-warning",)
    assert printer.reasons_in_words("en") == ["toner low"]
    assert (printer.status_en, printer.status_ja) == ("ready (toner low)", "待機中（トナー残量わずか）")


@pytest.mark.timeout(30)
def test_printer_out_of_paper_stops_and_says_so_in_words(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    out = tmp_path / "device.pdf"
    private_cups.add_scripted_queue("kiosk", out)
    private_cups.script_device(out, ["STATE: +media-empty-error"], exit_code=4)  # 4: CUPS_BACKEND_STOP
    outcome = print_pdf(certificate_pdf, "kiosk", title="certificate", server=private_cups.server, timeout=20)
    assert outcome.state == "printer-stopped"
    assert "The printer kiosk is stopped (out of paper), so the certificate was not printed." in outcome.message_en
    assert "停止しているため印刷できませんでした（用紙切れ）" in outcome.message_ja
    assert private_cups.queued_jobs("kiosk") == []
    assert not out.exists()
    (printer,) = list_printers(private_cups.server)
    assert printer.state == "stopped"
    assert "media-empty-error" in printer.state_reasons
    assert (printer.status_en, printer.status_ja) == ("stopped (out of paper)", "停止中（用紙切れ）")


@pytest.mark.timeout(30)
def test_paper_jam_fails_the_job_at_once_and_says_so_in_words(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    """CUPS would hold the failed job and retry it minutes later; the kiosk cancels it and says why."""
    out = tmp_path / "device.pdf"
    private_cups.add_scripted_queue("kiosk", out)
    private_cups.script_device(out, ["STATE: +media-jam-error"], exit_code=1)  # 1: CUPS_BACKEND_FAILED
    outcome = print_pdf(certificate_pdf, "kiosk", title="certificate", server=private_cups.server, timeout=20)
    assert outcome.state == "aborted"
    assert not outcome.ok
    assert outcome.message_en == (
        f"The printer kiosk could not print the certificate: job {outcome.job_id} stopped (paper jam) "
        "and was cancelled."
    )
    assert "（紙詰まり）" in outcome.message_ja
    assert private_cups.queued_jobs("kiosk") == []
    assert not out.exists()


def test_state_reasons_in_words_errors_first_reports_left_out() -> None:
    keywords = ["toner-low-warning", "cups-waiting-for-job-completed-report", "media-jam-error", "door-open"]
    assert describe(keywords, "en") == ["paper jam", "a door is open", "toner low"]
    assert describe(keywords, "ja") == ["紙詰まり", "扉が開いている", "トナー残量わずか"]
    assert describe(["none", "", "media-empty-error", "media-empty-warning"], "en") == ["out of paper"]
    assert describe(["vendor-flux-capacitor-error"], "en") == ["vendor flux capacitor"]
    assert attention(["connecting-to-device", "paused", "toner-low-warning"], "ja") == ["トナー残量わずか"]


@pytest.mark.timeout(30)
def test_busy_printer_is_listed_as_printing_and_a_slow_job_times_out(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    out = tmp_path / "device.pdf"
    private_cups.add_scripted_queue("kiosk", out)
    private_cups.script_device(out, ["sleep=3"])
    outcome = print_pdf(certificate_pdf, "kiosk", title="certificate", server=private_cups.server, timeout=1.0)
    assert outcome.state == "timed-out"
    assert f"(job {outcome.job_id} was still processing)" in outcome.message_en
    assert "ジョブを取り消しました" in outcome.message_ja
    deadline = time.monotonic() + 10
    while private_cups.queued_jobs("kiosk") and time.monotonic() < deadline:
        time.sleep(0.1)  # cupsd stops the backend of a cancelled job
    assert private_cups.queued_jobs("kiosk") == []


@pytest.mark.timeout(30)
def test_printer_busy_with_a_job_is_listed_as_printing(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    out = tmp_path / "device.pdf"
    private_cups.add_scripted_queue("kiosk", out)
    private_cups.script_device(out, ["sleep=3"])
    private_cups.submit("kiosk", certificate_pdf)  # without waiting for it
    deadline = time.monotonic() + 10
    states = []
    while time.monotonic() < deadline:
        (printer,) = list_printers(private_cups.server)
        states.append(printer.state)
        if printer.state == "printing":
            break
        time.sleep(0.05)
    assert states[-1] == "printing", states
    assert printer.status_en.startswith("printing")
    assert printer.status_ja.startswith("印刷中")


@pytest.mark.timeout(30)
def test_job_cancelled_by_someone_else_is_reported_as_cancelled(
    tmp_path: Path, private_cups: PrivateCups, certificate_pdf: Path
) -> None:
    out = tmp_path / "device.pdf"
    private_cups.add_scripted_queue("kiosk", out)
    private_cups.script_device(out, ["sleep=5"])
    outcomes = []
    worker = threading.Thread(
        target=lambda: outcomes.append(
            print_pdf(certificate_pdf, "kiosk", title="certificate", server=private_cups.server, timeout=20)
        )
    )
    worker.start()
    deadline = time.monotonic() + 10
    while not private_cups.queued_jobs("kiosk") and time.monotonic() < deadline:
        time.sleep(0.05)
    private_cups.cancel_all("kiosk")  # e.g. an operator at the MFP's panel
    worker.join(timeout=20)
    (outcome,) = outcomes
    assert outcome.state == "cancelled"
    assert outcome.message_en == f"Job {outcome.job_id} on kiosk was cancelled before it printed."
    assert outcome.message_ja == f"kiosk のジョブ {outcome.job_id} は印刷前に取り消されました。"
