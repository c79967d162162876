"""Issue #10: the staff PIN's Back and OK stay above the number pad, and the default PIN 0000 must be replaced
(entered twice, stored hashed) at the first staff use."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QRect

from kiosk.core.settings import DEFAULT_PIN
from tests.helpers.kiosk_driver import KioskDriver


def type_pin(kiosk: KioskDriver, pin: str) -> None:
    for digit in pin:
        kiosk.click(f"pad-{digit}")


def rect_in_window(widget, window) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


@pytest.mark.parametrize("size", [(1024, 600), (1280, 800), (800, 1280)])
def test_back_and_ok_are_not_under_the_number_pad(kiosk, qtbot, size):
    window = kiosk.window
    window.resize(*size)
    kiosk.click("settingsButton")
    kiosk.wait_screen("pin")
    for changing in (False, True):
        if changing:
            window.pin.ask_new_pin()
            window.keyboard.show_for(window.pin.pin)
        qtbot.wait(5)
        keyboard = window.keyboard
        assert keyboard.isVisible()
        for button in (window.pin.back, window.pin.ok):
            assert button.isVisible()
            assert not rect_in_window(button, window).intersects(keyboard.geometry()), (size, changing, button)


def test_the_default_pin_must_be_replaced_at_the_first_staff_use(kiosk, config):
    kiosk.click("settingsButton")
    kiosk.wait_screen("pin")
    type_pin(kiosk, DEFAULT_PIN)
    kiosk.click("pinOk")
    assert kiosk.screen == "pin", "not the settings yet"
    assert kiosk.text("prompt") == ("The staff PIN is still the default. Choose a new PIN of 4 to 8 digits, "
                                    "enter it twice, then touch OK.")
    kiosk.tap("pin", "1357")
    kiosk.tap("repeatPin", "1375")
    kiosk.click("pinOk")
    assert kiosk.text("notice") == "The two PINs do not match."
    kiosk.tap("pin", DEFAULT_PIN)
    kiosk.tap("repeatPin", DEFAULT_PIN)
    kiosk.click("pinOk")
    assert kiosk.text("notice") == "Please choose a PIN other than 0000."
    kiosk.tap("pin", "135")
    kiosk.tap("repeatPin", "135")
    kiosk.click("pinOk")
    assert kiosk.text("notice") == "The PIN must be 4 to 8 digits."
    assert not config.settings_path.exists()
    kiosk.tap("pin", "1357")
    kiosk.tap("repeatPin", "1357")
    kiosk.click("pinOk")
    kiosk.wait_screen("settings")
    stored = json.loads(config.settings_path.read_text())
    assert stored["pin"]["scheme"] == "scrypt" and "1357" not in config.settings_path.read_text()
    kiosk.click("back")
    kiosk.wait_screen("login")
    kiosk.click("settingsButton")
    type_pin(kiosk, DEFAULT_PIN)
    kiosk.click("pinOk")
    assert kiosk.text("notice") == "Wrong PIN.", "0000 no longer opens the settings"
    type_pin(kiosk, "1357")
    kiosk.click("pinOk")
    kiosk.wait_screen("settings")
