"""Staff settings behind the PIN: reach them, change them, see them used, and every way it can go wrong."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kiosk.core.settings import DEFAULT_PIN, MAX_PIN_ATTEMPTS
from tests.helpers.kiosk_driver import KioskDriver

FIRST_PIN = "2468"  # what the first staff use sets instead of the default PIN


def current_pin(kiosk):
    return DEFAULT_PIN if kiosk.window.flow.store.uses_default_pin else FIRST_PIN


def enter_pin(kiosk, pin=None):
    pin = current_pin(kiosk) if pin is None else pin
    kiosk.click("settingsButton")
    kiosk.wait_screen("pin")
    for digit in pin:
        kiosk.click(f"pad-{digit}")  # the number pad is open for the PIN
    kiosk.click("pinOk")


def printer_rows(kiosk):
    printers = kiosk.window.settings.printer_list
    return [printers.item(i).text() for i in range(printers.count())]


def open_settings(kiosk, pin=None):
    """Through the PIN screen; the default PIN is replaced by ``FIRST_PIN`` at the first staff use."""
    enter_pin(kiosk, pin)
    if kiosk.window.pin.changing:
        for field in ("pin", "repeatPin"):
            kiosk.tap(field, FIRST_PIN)
        kiosk.click("pinOk")
    kiosk.wait_screen("settings")
    kiosk.qtbot.waitUntil(lambda: kiosk.text("printerStatus") != "Looking for printers…")


def test_the_settings_button_is_on_the_idle_screen_only(kiosk):
    assert kiosk.find("settingsButton").isVisible()
    kiosk.login()
    assert not kiosk.find("settingsButton").isVisible(), "never while somebody is signed in"
    kiosk.click("back")
    kiosk.wait_screen("login")
    assert kiosk.find("settingsButton").isVisible()


def test_the_pin_screen_opens_the_number_pad(kiosk):
    kiosk.click("settingsButton")
    kiosk.wait_screen("pin")
    keyboard = kiosk.window.keyboard
    assert keyboard.isVisible() and keyboard.current_page() == "digits"
    assert kiosk.window.pin.pin.hasFocus()


def test_a_wrong_pin_is_refused_and_repeated_ones_lock(kiosk, clock):
    enter_pin(kiosk, "9999")
    assert kiosk.screen == "pin"
    assert kiosk.text("notice") == "Wrong PIN."
    assert kiosk.window.pin.pin.text() == "", "no PIN left in the field"
    for _ in range(MAX_PIN_ATTEMPTS - 1):
        for digit in "1111":
            kiosk.click(f"pad-{digit}")
        kiosk.click("pinOk")
    assert kiosk.text("notice") == "Too many wrong PINs. The PIN can be entered again in 5 min."
    kiosk.click("back")
    enter_pin(kiosk)
    assert kiosk.screen == "pin", "locked: even the right PIN is refused"
    clock.advance(301)
    for digit in DEFAULT_PIN:
        kiosk.click(f"pad-{digit}")
    kiosk.click("pinOk")
    assert kiosk.window.pin.changing, "the right (default) PIN: first a new one"


def test_the_settings_show_the_current_values_and_the_printers_in_words(kiosk, printers):
    open_settings(kiosk)
    assert kiosk.find("intermediaryUrl").text() == "http://fake-intermediary"
    assert kiosk.find("modeList").isChecked() and kiosk.find("langEn").isChecked()
    assert kiosk.find("idleTimeout").currentText() == "2 min"
    kiosk.click("sectionPrinter")
    rows = printer_rows(kiosk)
    assert rows == ["No printer (save as PDF)", "kiosk-printer (default) — Ready",
                    "MFP-2F — Stopped: out of paper, door open", "MFP-3F — Printing: toner low"]
    assert kiosk.window.settings.selected_printer() == "kiosk-printer"
    assert kiosk.text("printerStatus") == "3 printers found"
    assert printers.calls == [None]
    kiosk.click("sectionPin")
    assert kiosk.text("defaultPin") == "The PIN is still the default (0000). Please set a new one."


def test_a_print_server_that_cannot_be_reached_is_said_in_words(kiosk, printers):
    printers.unavailable = True
    open_settings(kiosk)
    kiosk.click("sectionPrinter")
    assert kiosk.text("printerStatus") == ("Cannot reach the print server: The print server localhost:631 is not "
                                           "reachable (connection refused).")
    rows = printer_rows(kiosk)
    assert rows == ["No printer (save as PDF)", "kiosk-printer (not found)"], "the configured queue stays"
    printers.unavailable = False
    kiosk.click("refreshPrinters")
    kiosk.qtbot.waitUntil(lambda: kiosk.text("printerStatus") == "3 printers found")


def test_saving_applies_every_setting_and_persists_it(kiosk, config, deliver, connected):
    open_settings(kiosk)
    kiosk.click("sectionConnection")
    url = kiosk.find("intermediaryUrl")
    url.clear()
    kiosk.type("intermediaryUrl", "http://10.0.0.5:8001")
    kiosk.click("sectionGeneral")
    kiosk.click("modeManual")
    kiosk.click("langJa")
    kiosk.window.settings.idle.setCurrentIndex(kiosk.window.settings.idle.findData(300))
    kiosk.click("sectionPrinter")
    kiosk.window.settings.select_printer("MFP-3F")
    kiosk.window.settings.paper.setCurrentText("A3")
    kiosk.click("settingsSave")
    kiosk.wait_screen("manual")
    assert kiosk.text("notice") == "設定を保存しました。"
    assert kiosk.window.language == "ja"
    assert kiosk.window.flow.idle.timeout_s == 300
    assert connected == ["http://10.0.0.5:8001"]
    saved = json.loads(config.settings_path.read_text())
    assert saved.pop("pin")["scheme"] == "scrypt", "the first PIN, hashed"
    assert saved == {"version": 1, "mode": "manual", "intermediary_url": "http://10.0.0.5:8001",
                     "printer": "MFP-3F", "paper_size": "A3", "language": "ja", "idle_timeout_s": 300}
    kiosk.request("demo", "demo", date(2026, 10, 1), date(2026, 10, 31), "solar")
    assert (deliver.calls[0]["printer"], deliver.calls[0]["media"]) == ("MFP-3F", "A3")


def test_changing_the_pin(kiosk, config):
    open_settings(kiosk)
    kiosk.click("sectionPin")
    kiosk.tap("newPin", "482916")
    kiosk.tap("repeatPin", "482916")
    kiosk.click("settingsSave")
    kiosk.wait_screen("login")
    assert "482916" not in config.settings_path.read_text()
    enter_pin(kiosk, DEFAULT_PIN)
    assert kiosk.text("notice") == "Wrong PIN."
    kiosk.click("back")
    open_settings(kiosk, "482916")
    kiosk.click("sectionPin")
    assert not kiosk.find("defaultPin").isVisible()


@pytest.mark.parametrize(("new", "repeat", "notice"), [
    ("4829", "4828", "The two PINs do not match."),
    ("482", "482", "The PIN must be 4 to 8 digits."),
    ("", "4829", "The PIN must be 4 to 8 digits."),
])
def test_a_bad_new_pin_is_explained_and_nothing_is_saved(kiosk, config, new, repeat, notice):
    open_settings(kiosk)
    kiosk.window.settings.new_pin.setText(new)
    kiosk.window.settings.repeat_pin.setText(repeat)
    kiosk.click("settingsSave")
    assert kiosk.screen == "settings"
    assert kiosk.window.settings.current_section() == "pin"
    assert kiosk.text("notice") == notice
    assert set(json.loads(config.settings_path.read_text())) == {"version", "pin"}, "nothing but the first PIN"


def test_a_bad_url_is_explained(kiosk, config):
    open_settings(kiosk)
    kiosk.find("intermediaryUrl").setText("10.0.0.5:8001")
    kiosk.click("settingsSave")
    assert kiosk.window.settings.current_section() == "connection"
    assert kiosk.text("notice") == "The server URL must start with http:// or https://."
    assert set(json.loads(config.settings_path.read_text())) == {"version", "pin"}, "nothing but the first PIN"


# -- the connection: certificate server, or a ledger node directly (modification 2) ----------------------
def test_switching_to_the_direct_mode_connects_to_the_node(kiosk, config, connected):
    open_settings(kiosk)
    kiosk.click("sectionConnection")
    assert kiosk.find("backendIntermediary").isChecked()
    assert not kiosk.find("directStatus").isVisible(), "only shown for the direct mode"
    kiosk.click("backendDirect")
    assert kiosk.text("directStatus") == ("Applicants enrolled at this kiosk: 0\n"
                                          "Validator keys: fetched from the node and pinned on first use")
    kiosk.tap("nodeUrl", "http://10.0.0.7:8701")
    kiosk.click("settingsSave")
    kiosk.wait_screen("login")
    assert connected == ["http://10.0.0.7:8701"]
    saved = json.loads(config.settings_path.read_text())
    assert (saved["backend"], saved["node_url"]) == ("direct", "http://10.0.0.7:8701")
    assert kiosk.window.flow.settings.backend == "direct"
    open_settings(kiosk)
    kiosk.click("sectionConnection")
    kiosk.click("backendIntermediary")
    kiosk.click("settingsSave")
    kiosk.wait_screen("login")
    assert connected == ["http://10.0.0.7:8701", "http://fake-intermediary"]


def test_the_direct_mode_needs_a_node_url(kiosk, config):
    open_settings(kiosk)
    kiosk.click("sectionConnection")
    kiosk.click("backendDirect")
    kiosk.click("sectionGeneral")
    kiosk.click("settingsSave")
    assert kiosk.window.settings.current_section() == "connection"
    assert kiosk.text("notice") == "The ledger node URL must start with http:// or https://."
    assert set(json.loads(config.settings_path.read_text())) == {"version", "pin"}, "nothing but the first PIN"


def test_the_connection_section_tells_what_the_direct_mode_holds(kiosk, config):
    from kiosk.direct import enrol
    from ledger_lite import SigningKey

    validator = SigningKey.derive("test/validator")
    enrol(config.applicants_path, "demo", "demo", "Consumer Ca", SigningKey.derive("test/user/Ca"))
    config.trust_path.write_text(json.dumps({"version": 1, "chain_id": "greencert-test", "pinned_at": 0,
                                             "validators": [validator.public.hex()], "pinned_from": "x"}))
    open_settings(kiosk)
    kiosk.click("sectionConnection")
    kiosk.click("backendDirect")
    assert kiosk.text("directStatus") == ("Applicants enrolled at this kiosk: 1\n"
                                          "Validator keys: 1 pinned on first use (chain greencert-test)")
    kiosk.click("languageToggle")
    assert kiosk.text("directStatus") == ("このキオスクに登録された申請者：1 人\n"
                                          "検証者の鍵：1 個を初回接続時に固定済み（チェーン greencert-test）")
    kiosk.click("back")
    config.trust_path.write_text("{")
    open_settings(kiosk)
    kiosk.click("sectionConnection")
    kiosk.click("backendDirect")
    assert kiosk.text("directStatus").split("\n")[1].startswith("検証者の鍵を読めません：")  # still Japanese


def test_a_file_that_cannot_be_written_is_explained(make_window, qtbot, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    kiosk = KioskDriver(qtbot, make_window(config_dir=blocker / "config"))
    open_settings(kiosk)
    kiosk.click("modeManual")
    kiosk.click("settingsSave")
    assert kiosk.screen == "settings"
    assert kiosk.text("notice").startswith("Could not save the settings: ")
    assert "cannot be written" in kiosk.text("notice")


def test_a_bad_settings_file_is_reported_on_the_settings_screen(make_window, qtbot, config, caplog):
    config.settings_path.parent.mkdir(parents=True)
    config.settings_path.write_text('{"version": 1, "mode": "grid"}')
    window = make_window()
    assert window.current_screen_name() == "login", "the kiosk still starts, on its start-up settings"
    assert "mode: expected one of list, manual, found 'grid'" in caplog.text
    kiosk = KioskDriver(qtbot, window)
    open_settings(kiosk)
    assert kiosk.text("notice").startswith("The settings file has a problem, so the kiosk uses its start-up")


def test_back_discards_the_changes(kiosk, config):
    open_settings(kiosk)
    kiosk.click("modeManual")
    kiosk.click("back")
    kiosk.wait_screen("login")
    assert set(json.loads(config.settings_path.read_text())) == {"version", "pin"}, "nothing but the first PIN"
    open_settings(kiosk)
    assert kiosk.find("modeList").isChecked()


def test_saved_settings_are_used_at_the_next_start(make_window, qtbot, config):
    first = KioskDriver(qtbot, make_window())
    open_settings(first)
    first.click("modeManual")
    first.click("settingsSave")
    first.wait_screen("manual")
    second = make_window()
    assert second.current_screen_name() == "manual"


def test_the_idle_timeout_leaves_the_settings(kiosk, clock, config):
    open_settings(kiosk)
    kiosk.click("modeManual")
    clock.advance(121)
    kiosk.window.flow.idle.check()
    kiosk.wait_screen("login")
    assert set(json.loads(config.settings_path.read_text())) == {"version", "pin"}, "nothing but the first PIN"


def test_the_on_screen_certificate_and_the_verify_folders_are_set_and_saved(make_window, qtbot, config):
    """Issue #13's two settings: a toggle for the on-screen certificate, the auditor's folders with a way back to
    the start-up configuration's (the value then follows that configuration again)."""
    config.settings_path.parent.mkdir(parents=True, exist_ok=True)
    config.settings_path.write_text(json.dumps({"version": 1, "verify_roots": ["/mnt/usb", "/srv/certificates"]}))
    kiosk = KioskDriver(qtbot, make_window())
    open_settings(kiosk)
    assert kiosk.find("showOnScreenOff").isChecked() and not kiosk.find("showOnScreenOn").isChecked()
    assert kiosk.text("verifyRoots") == "/mnt/usb, /srv/certificates"
    assert kiosk.text("onScreenLabel") == "Also show certificates on screen"
    assert kiosk.find("resetVerifyRoots").isEnabled()
    kiosk.click("showOnScreenOn")
    kiosk.click("resetVerifyRoots")
    assert kiosk.text("verifyRoots") == ", ".join(config.verify_roots)
    assert not kiosk.find("resetVerifyRoots").isEnabled()
    kiosk.click("settingsSave")
    kiosk.wait_screen("login")
    settings = kiosk.window.flow.settings
    assert (settings.show_on_screen, settings.verify_roots) == (True, config.verify_roots)
    saved = json.loads(config.settings_path.read_text())
    assert saved["show_on_screen"] is True and "verify_roots" not in saved
    open_settings(kiosk)
    assert kiosk.find("showOnScreenOn").isChecked() and not kiosk.find("resetVerifyRoots").isEnabled()
    kiosk.click("langJa")
    kiosk.click("settingsSave")
    kiosk.wait_screen("login")
    open_settings(kiosk)
    assert kiosk.text("onScreenLabel") == "証明書を画面にも表示"
    assert kiosk.find("showOnScreenOn").text() == "表示する"
    assert kiosk.find("resetVerifyRoots").text() == "初期設定に戻す"
