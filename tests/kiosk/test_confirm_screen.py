"""S511–S520: confirm the choice and institution, issue off the GUI thread, print."""

from __future__ import annotations

from backend_client import BadRequest, Unreachable
from ledger_lite.reference import short_reference
from tests.helpers.kiosk_driver import KioskDriver


def test_confirm_lists_the_institutions_and_sums_the_choice(kiosk):
    kiosk.login()
    kiosk.touch_row(0)  # solar, 2026-11-01 06:00 to 11-11 17:00
    kiosk.touch_row(2)  # solar, 2026-10-01 06:00 to 10-31 17:00 (the fake's row 3: renewable rows come first)
    kiosk.click("listNext")
    kiosk.wait_screen("confirm")
    combo = kiosk.window.confirm.combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Japan Green Certificate Agency", "I-REC Japan"]
    assert kiosk.text("certificateName") == "Green electricity certificate"
    combo.setCurrentIndex(1)
    assert kiosk.text("certificateName") == "I-REC certificate"
    assert kiosk.text("confirmSummary") == (
        "2 transactions, 45,765.881 kWh in total\nProduction method: Solar\nPeriod: 2026-10-01 – 2026-11-11")
    kiosk.click("languageToggle")
    assert kiosk.text("confirmSummary") == (
        "2 件の取引　合計 45,765.881 kWh\n発電方法：太陽光\n期間：2026年10月1日～11月11日")
    kiosk.click("languageToggle")
    kiosk.click("back")
    kiosk.wait_screen("list")
    assert len(kiosk.window.items_list.selected_items()) == 2, "back keeps the selection"


def test_issue_shows_progress_then_printed_on_the_printer(kiosk, fake, deliver, qtbot):
    kiosk.login()
    fake.hold("issue_certificate")
    kiosk.touch_row(0)
    kiosk.click("listNext")
    kiosk.wait_screen("confirm")
    kiosk.window.confirm.combo.setCurrentIndex(1)
    kiosk.click("issueOk")
    kiosk.wait_screen("progress")
    assert kiosk.text("title") == "Issuing the certificate on the ledger…"
    qtbot.wait(30)  # the GUI thread keeps running while the call is held
    assert kiosk.screen == "progress"
    fake.release("issue_certificate")
    kiosk.wait_screen("done")
    (item_ids, type_id, _key), = fake.called("issue_certificate")
    assert (item_ids, type_id) == (("item-0000",), "irec-jp")
    certificate_id = fake.items[0].certificate_id
    assert kiosk.text("title") == "Your certificate is ready"
    assert kiosk.text("deliveryMessage") == (
        'Printed on printer "kiosk-printer". Please take it from the output tray.')
    assert kiosk.text("certificateId") == f"Reference: {short_reference(certificate_id)}"
    assert certificate_id not in "".join(kiosk.visible_texts()), "never the 64-digit id"
    (call,) = deliver.calls
    assert call["printer"] == "kiosk-printer"
    assert call["filename"] == f"certificate-{certificate_id[:16]}.pdf"
    assert bytes(call["pdf"]).startswith(b"%PDF")
    assert fake.pdf_requests == [(certificate_id, False)]


def test_without_a_printer_the_pdf_is_saved_and_no_path_is_shown(make_window, fake, deliver, qtbot, tmp_path):
    kiosk = KioskDriver(qtbot, make_window(printer=None))
    kiosk.login()
    kiosk.issue([0])
    certificate_id = fake.items[0].certificate_id
    path = tmp_path / "saved" / f"certificate-{certificate_id[:16]}.pdf"
    assert kiosk.text("deliveryMessage") == "Your certificate was saved. A member of staff can print it for you."
    assert not any(str(tmp_path) in text for text in kiosk.visible_texts()), "no path on the kiosk's disk"
    assert path.read_bytes().startswith(b"%PDF")


def test_print_and_save_both_failing_can_be_retried(kiosk, deliver, fake):
    deliver.broken = True
    kiosk.login()
    kiosk.issue([0], expect="error")
    assert kiosk.text("title") == "Could not print or save"
    assert f"Reference: {short_reference(fake.items[0].certificate_id)}" in kiosk.text("message")
    deliver.broken = False
    kiosk.click("retry")
    kiosk.wait_screen("done")
    assert len(deliver.calls) == 2
    assert len(fake.called("issue_certificate")) == 1, "retrying the print does not issue again"


def test_retry_after_unreachable_reuses_the_idempotency_key(kiosk, fake):
    kiosk.login()
    fake.fail["issue_certificate"] = Unreachable("timed out")
    kiosk.issue([0], expect="error")
    assert kiosk.text("title") == "Cannot reach the server"
    del fake.fail["issue_certificate"]
    kiosk.click("retry")
    kiosk.wait_screen("done")
    first, second = fake.called("issue_certificate")
    assert first == second


def test_refused_request_goes_back_to_the_list(kiosk, fake):
    kiosk.login()
    fake.fail["issue_certificate"] = BadRequest(400, "bad_request", "period not allowed")
    kiosk.issue([0], expect="error")
    assert kiosk.text("title") == "The request was refused"
    assert not kiosk.find("retry").isVisible()
    kiosk.click("back")
    kiosk.wait_screen("list")


def test_print_another_reloads_the_list_with_the_new_certificate_greyed(kiosk, fake):
    from PySide6.QtCore import Qt

    kiosk.login()
    kiosk.issue([0, 2])  # the fake's rows 0 and 3: this and last month's solar
    kiosk.click("printAnother")
    kiosk.wait_screen("list")
    model = kiosk.view.model()
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert model.item(2).certificate_id == model.item(0).certificate_id
    assert len(fake.called("eligible_transactions")) == 2


def test_done_logout(kiosk):
    kiosk.login()
    kiosk.issue([0])
    kiosk.click("logout")
    kiosk.wait_screen("login")
    assert kiosk.window.done.outcome is None


def test_cancel_while_issuing_reloads_the_list(kiosk, fake, deliver):
    kiosk.login()
    fake.hold("issue_certificate")
    kiosk.issue([0], expect="progress")
    kiosk.click("back")
    kiosk.wait_screen("progress")  # reloading the list
    fake.release("issue_certificate")
    kiosk.wait_screen("list")
    kiosk.window.flow.worker.wait_for_done()
    assert deliver.calls == [], "a cancelled issuance is not printed"


def test_printing_cannot_be_cancelled(kiosk, deliver):
    kiosk.login()
    deliver.hold()
    kiosk.issue([0], expect="progress")
    kiosk.qtbot.waitUntil(lambda: kiosk.window.progress.stage == "progress.printing")
    assert kiosk.text("title") == "Printing…"
    assert kiosk.find("back").isVisible()
    assert not kiosk.find("back").isEnabled()
    deliver.release()
    kiosk.wait_screen("done")


def test_first_choice_is_an_institution_in_the_screen_language(make_window):
    from backend_client import CertificateType
    from tests.helpers.fake_intermediary import make_items

    types = [CertificateType("intl", "International Registry", "Certificate", "en"),
             CertificateType("jp", "グリーン電力認証協議会", "証明書", "ja")]
    for language, expected in (("ja", "jp"), ("en", "intl")):
        window = make_window(language=language)
        window.confirm.set_selection(make_items(2, certified=()), types)
        assert window.confirm.combo.currentData() == expected
