"""Issue #10: a printer failure is not success: its own screen, in plain words, with the printer's state in
words, the certificate's short reference, "Print again" and "ask staff"; never a path or a raw printer message."""

from __future__ import annotations

from ledger_lite.reference import short_reference
from tests.helpers.fake_intermediary import FakePrinter


def test_a_failed_print_has_its_own_screen_in_plain_words(kiosk, fake, deliver, printers, tmp_path):
    deliver.printer_broken = True
    printers.printers[0] = FakePrinter("kiosk-printer", "stopped", ("media-empty-error",), is_default=True)
    kiosk.login()
    kiosk.issue([0], expect="notPrinted")
    certificate_id = fake.items[0].certificate_id
    assert kiosk.text("title") == "Your certificate was issued but not printed"
    kiosk.qtbot.waitUntil(lambda: kiosk.text("printerState") != "Checking the printer…")
    assert kiosk.text("printerState") == "Printer: Stopped: out of paper"
    assert kiosk.text("reference") == f"Reference: {short_reference(certificate_id)}"
    assert kiosk.text("askStaff") == ("If it still does not print, please ask a member of staff and tell them "
                                      "this reference.")
    texts = "\n".join(kiosk.visible_texts())
    for leak in (str(tmp_path), ".pdf", certificate_id, "out of paper.", "((default))"):
        assert leak not in texts, leak
    kiosk.click("languageToggle")
    assert kiosk.text("title") == "証明書は発行されましたが、印刷できませんでした"
    assert kiosk.text("printerState") == "プリンターの状態：停止中（用紙切れ）"
    kiosk.click("languageToggle")

    deliver.printer_broken = False  # staff put paper in
    kiosk.click("printAgain")
    kiosk.wait_screen("done")
    first, again = deliver.calls
    assert first["pdf"] == again["pdf"], "the same certificate again"
    assert len(fake.called("issue_certificate")) == 1, "printing again never issues again"
    assert kiosk.text("title") == "Your certificate is ready"


def test_a_printer_that_cannot_be_reached_is_said_so(kiosk, deliver, printers):
    deliver.printer_broken = True
    printers.unavailable = True
    kiosk.login()
    kiosk.issue([0], expect="notPrinted")
    kiosk.qtbot.waitUntil(lambda: kiosk.text("printerState") != "Checking the printer…")
    assert kiosk.text("printerState") == "Printer: cannot be reached."
    kiosk.click("notPrintedNext")  # "Print another": the list again
    kiosk.wait_screen("list")


def test_the_not_printed_screen_forgets_the_certificate_at_logout(kiosk, deliver):
    deliver.printer_broken = True
    kiosk.login()
    kiosk.issue([0], expect="notPrinted")
    kiosk.click("logout")
    kiosk.wait_screen("login")
    assert kiosk.window.not_printed.certificate_id == ""
    assert kiosk.window.flow._on_print_again is None, "the PDF is not kept after the applicant left"
