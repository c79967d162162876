"""The auditor's mode end to end at the kiosk (issue #13): from the sign-in screen, without a log-in, a scan by a
USB barcode scanner (keyboard wedge) or a file from a USB stick is checked by the light node's audit against a real
node and intermediary, and the result screen shows each step, the verdict and the facts, online and offline."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from kiosk.i18n import tr
from tests.helpers.kiosk_driver import KioskDriver
from tests.kiosk.verify_world import tampered


def scan(kiosk: KioskDriver, text: str) -> None:
    """What a keyboard-wedge scanner does: fast key presses into whatever has the focus, then Enter."""
    screen = kiosk.window.verify
    assert screen.hasFocus() or kiosk.window.focusWidget() in (None, screen)
    kiosk.qtbot.keyClicks(screen, text)
    kiosk.qtbot.keyClick(screen, Qt.Key.Key_Return)


def open_verify(kiosk: KioskDriver) -> None:
    kiosk.click("loginVerify")
    kiosk.wait_screen("verify")


def mark(kiosk: KioskDriver, step: str) -> str:
    return kiosk.text(f"mark-{step}")


@pytest.fixture
def online(make_window, verify_world, tmp_path, qtbot):
    window = make_window(auditor=verify_world.online(tmp_path / "trust.json"))
    return KioskDriver(qtbot, window)


def test_the_sign_in_screen_opens_the_verify_screen_with_no_field_and_no_keyboard(online):
    online.click("loginVerify")
    online.wait_screen("verify")
    assert online.window.user_name.text() == ""
    assert [w for w in online.window.verify.findChildren(QLineEdit)] == []
    assert online.window.keyboard is not None and not online.window.keyboard.isVisible()
    assert online.window.verify.hasFocus()
    online.click("back")
    online.wait_screen("login")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_scanned_payload_is_checked_online_step_by_step(online, verify_world, lang):
    online.window.set_language(lang)
    open_verify(online)
    scan(online, verify_world.payload)
    online.wait_screen("verifyResult", timeout_ms=20_000)
    result = online.window.verify_result.verification
    assert result is not None and result.verdict == "genuine" and result.source == "node"
    assert [s.name for s in result.report.steps] == ["read", "trust", "signature", "inclusion", "record",
                                                     "revocation", "time_matched"]
    assert online.text("verdict") == tr(lang, "verdict.genuine")
    for step in ("read", "signature", "inclusion", "record", "revocation", "time_matched"):
        assert mark(online, step) == tr(lang, "verify_result.mark.ok"), step
        assert online.text(f"step-{step}") == tr(lang, f"verify_step.{step}")
    assert online.text("sourceNote") == tr(lang, "verify_result.source.node")
    assert online.text("factsHeading") == tr(lang, "verify_result.facts")
    assert online.text("fact-owner") == "Consumer Ca"
    assert online.text("fact-amount") == "2.000 kWh"
    assert online.text("fact-method") == tr(lang, "method.solar")
    assert not online.find("verifyShowPage").isVisible(), "a scan has no page to show"
    online.click("verifyAnother")
    online.wait_screen("verify")


def test_a_tampered_amount_is_not_genuine_and_names_the_signature(online, verify_world):
    open_verify(online)
    scan(online, tampered(verify_world.payload))
    online.wait_screen("verifyResult", timeout_ms=20_000)
    result = online.window.verify_result.verification
    assert result is not None and result.verdict == "not genuine" and result.failed_step() == "signature"
    assert online.text("verdict") == "NOT genuine"
    assert online.text("failedAt") == "Failed check: Issuer's signature"
    assert mark(online, "signature") == "✗ Failed"
    assert online.text("stepText-signature").startswith(tr("en", "verify_step.signature.fail"))
    assert result.report.claims is None and not online.find("factsHeading").isVisible(), \
        "nothing of a payload whose signature fails is shown as its facts"


def test_offline_a_scan_says_only_the_signature_was_checked(make_window, verify_world, tmp_path, qtbot):
    kiosk = KioskDriver(qtbot, make_window(auditor=verify_world.offline(tmp_path / "trust.json")))
    open_verify(kiosk)
    scan(kiosk, verify_world.payload)
    kiosk.wait_screen("verifyResult", timeout_ms=20_000)
    result = kiosk.window.verify_result.verification
    assert result is not None and result.source == "none" and result.trust_from == "cache"
    assert [s.name for s in result.report.steps] == ["read", "trust", "signature"]
    assert kiosk.text("sourceNote") == ("Offline: only the signature could be checked. Whether the certificate is "
                                        "on the ledger and not revoked was not checked.")
    kiosk.click("languageToggle")
    assert kiosk.text("sourceNote") == tr("ja", "verify_result.source.none")
    assert "オフライン" in kiosk.text("sourceNote")


def test_never_online_there_is_no_trust_list_and_nothing_is_decided(make_window, verify_world, tmp_path, qtbot):
    kiosk = KioskDriver(qtbot, make_window(auditor=verify_world.offline(tmp_path / "trust.json", cached=False)))
    open_verify(kiosk)
    scan(kiosk, verify_world.payload)
    kiosk.wait_screen("verifyResult", timeout_ms=20_000)
    assert kiosk.text("verdict") == "Could not be checked"
    assert kiosk.text("sourceNote") == tr("en", "verify_result.no_trust")
    assert mark(kiosk, "trust") == "? Not checked"


def test_a_pdf_from_a_usb_stick_offline_proves_inclusion_from_its_bundle(make_window, verify_world, tmp_path,
                                                                        qtbot):
    stick = tmp_path / "media" / "auditor" / "STICK"
    (stick / "certificates").mkdir(parents=True)
    shutil.copy(verify_world.pdf, stick / "certificates" / "green.pdf")
    (stick / "notes.txt").write_text("not a certificate")
    window = make_window(auditor=verify_world.offline(tmp_path / "trust.json"),
                         verify_roots=(str(tmp_path / "media"),))
    kiosk = KioskDriver(qtbot, window)
    open_verify(kiosk)
    kiosk.click("verifyFiles")
    kiosk.wait_screen("verifyFiles")
    files = window.verify_files.files
    assert files.count() == 1
    assert files.item(0).text().startswith("green.pdf\n")
    assert files.visualItemRect(files.item(0)).height() >= 48
    qtbot.mouseClick(files.viewport(), Qt.MouseButton.LeftButton, pos=files.visualItemRect(files.item(0)).center())
    kiosk.wait_screen("verifyResult", timeout_ms=30_000)
    result = window.verify_result.verification
    assert result is not None and result.verdict == "genuine" and result.source == "bundle"
    assert mark(kiosk, "inclusion") == "✓ Passed" and mark(kiosk, "printed") == "✓ Passed"
    assert kiosk.text("sourceNote").startswith("Offline: the signature was checked and the proof in the PDF shows")
    assert f"block {result.bundle_height}" in kiosk.text("sourceNote")
    assert "revocation after printing can only be seen online" in kiosk.text("sourceNote")
    kiosk.click("verifyShowPage")
    kiosk.wait_screen("certificateView")
    qtbot.waitUntil(lambda: window.certificate_view.state == "shown", timeout=20_000)
    assert window.certificate_view.view.has_qr
    kiosk.click("back")
    kiosk.wait_screen("verifyResult")


def test_the_node_down_a_pdf_falls_back_to_its_bundle(make_window, verify_world, tmp_path, qtbot):
    from kiosk.core.auditor import Auditor

    auditor: Auditor = verify_world.node_down(tmp_path / "trust.json")()
    result = auditor.check_file(verify_world.pdf)
    assert result.verdict == "genuine" and result.source == "bundle" and result.trust_from == "online"
    scanned = auditor.check_scan(verify_world.payload)
    assert scanned.verdict == "could not check"
    steps = {s.name: s.ok for s in scanned.report.steps}
    assert steps["ledger"] is None


def test_what_is_not_a_certificate_payload_is_refused_on_the_verify_screen(online):
    open_verify(online)
    scan(online, "4901234567894")  # a product barcode
    assert online.screen == "verify"
    assert online.text("notice") == tr("en", "verify.not_payload")
    scan(online, "GC1:" + "A" * 9000)
    assert online.text("notice") == tr("en", "verify.too_long")


def test_the_idle_timeout_wipes_the_result_and_returns_to_sign_in(online, verify_world, clock):
    open_verify(online)
    scan(online, verify_world.payload)
    online.wait_screen("verifyResult", timeout_ms=20_000)
    online.window.set_language("ja")
    clock.advance(online.window.flow.settings.idle_timeout_s + 1)
    online.window.flow.idle.check()
    online.wait_screen("login")
    assert online.window.verify_result.verification is None
    assert online.window.language == "en", "back to the kiosk's language for the next person"
    online.window.show_screen("verifyResult")
    assert "Consumer Ca" not in online.visible_texts()
    assert online.text("verdict") == ""


def test_the_manual_entry_screen_opens_the_verify_screen_too(make_window, verify_world, tmp_path, qtbot):
    """The main embodiment's start screen has the auditor's way in too (in its title row); Back wipes the form."""
    kiosk = KioskDriver(qtbot, make_window(mode="manual", auditor=verify_world.online(tmp_path / "trust.json")))
    kiosk.wait_screen("manual")
    kiosk.window.manual.applicant_id.setText("A-1001")
    kiosk.window.manual.password.setText("secret")
    kiosk.click("manualVerify")
    kiosk.wait_screen("verify")
    assert kiosk.window.user_name.text() == ""
    assert kiosk.window.focusWidget() is kiosk.window.verify  # the scanner's keys go to it, not to a form field
    assert kiosk.window.keyboard is not None and not kiosk.window.keyboard.isVisible()
    kiosk.click("back")
    kiosk.wait_screen("manual")
    assert kiosk.window.manual.password.text() == ""  # nothing typed before is left for the next person
