"""Our on-screen keyboard: opens for every text field, keys of at least 48 px, types what a finger touches."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit, QPushButton

from tests.helpers.kiosk_driver import KioskDriver
from tests.kiosk.test_language_switch import put_every_screen_in_a_state

MIN_TARGET = 48


def text_fields(window):
    """Every text field of every screen (and settings section), with how to make it visible."""
    found = []
    for name in window.screen_names():
        screen = window.screen_named(name)
        for field in screen.findChildren(QLineEdit):
            if field.parent().metaObject().className() in ("QComboBox",):
                continue
            found.append((name, field))
    return found


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_text_field_opens_the_keyboard_and_stays_visible_above_it(window, fake, qtbot, lang):
    put_every_screen_in_a_state(window, fake)
    window.set_language(lang)
    keyboard = window.keyboard
    fields = text_fields(window)
    assert {name for name, _ in fields} == {"login", "manual", "pin", "settings"}
    for name, field in fields:
        window.show_screen(name)
        if field.objectName() == "repeatPin":
            window.pin.ask_new_pin()  # the first staff use: a new PIN, twice
        if name == "settings":
            section = {"intermediaryUrl": "connection", "nodeUrl": "connection", "newPin": "pin",
                       "repeatPin": "pin"}[field.objectName()]
            window.settings.show_section(section)
        qtbot.wait(1)
        assert field.isVisible(), (name, field.objectName())
        qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
        assert keyboard.isVisible(), (name, field.objectName())
        assert keyboard.target is field and field.hasFocus()
        digits = bool(field.inputMethodHints() & Qt.InputMethodHint.ImhDigitsOnly)
        assert keyboard.current_page() == ("digits" if digits else "letters")
        bottom = field.mapTo(window, QPoint(0, field.height())).y()
        assert bottom <= keyboard.geometry().top(), (lang, name, field.objectName(), bottom, keyboard.geometry())
        keyboard.done()
        assert not keyboard.isVisible()


@pytest.mark.parametrize("page", ["letters", "symbols", "digits"])
def test_every_key_is_big_enough(window, qtbot, page):
    keyboard = window.keyboard
    window.login.applicant_id.setFocus()
    keyboard.show_for(window.login.applicant_id)
    keyboard.show_page(getattr(keyboard, page))
    qtbot.wait(1)
    keys = [k for k in keyboard.findChildren(QPushButton) if k.isVisible()]
    assert len(keys) >= 13
    for key in keys:
        assert key.height() >= MIN_TARGET and key.width() >= MIN_TARGET, (key.objectName(), key.size())
    assert keyboard.geometry().bottom() == window.rect().bottom(), "docked along the bottom edge"


def test_typing_letters_shift_digits_symbols_and_backspace(kiosk):
    kiosk.tap("applicantId", "Demo-1@x")
    assert kiosk.window.login.applicant_id.text() == "Demo-1@x"
    kiosk.qtbot.mouseClick(kiosk.find("applicantId"), Qt.MouseButton.LeftButton)
    kiosk.click("keyBackspace")
    kiosk.click("keySpace")
    kiosk.click("keyShift")
    kiosk.click("key-q")
    kiosk.click("key-q")  # the shift was for one letter
    assert kiosk.window.login.applicant_id.text() == "Demo-1@ Qq"
    assert kiosk.find("key-w").text() == "w"


def test_sign_in_with_the_keyboard_only(kiosk, fake):
    kiosk.qtbot.mouseClick(kiosk.find("applicantId"), Qt.MouseButton.LeftButton)
    for letter in "demo":
        kiosk.click(f"key-{letter}")
    kiosk.click("keyEnter")  # next field: the keyboard stays, now for the password
    assert kiosk.window.keyboard.target is kiosk.window.login.password
    assert kiosk.window.keyboard.isVisible()
    for letter in "demo":
        kiosk.click(f"key-{letter}")
    kiosk.click("keyEnter")  # OK
    kiosk.wait_screen("list")
    assert not kiosk.window.keyboard.isVisible(), "a new screen closes the keyboard"
    assert fake.called("login") == [("demo",)]


def test_the_keys_speak_both_languages(kiosk):
    kiosk.qtbot.mouseClick(kiosk.find("applicantId"), Qt.MouseButton.LeftButton)
    assert (kiosk.find("keySpace").text(), kiosk.find("keyDone").text()) == ("Space", "Done")
    kiosk.click("languageToggle")
    assert (kiosk.find("keySpace").text(), kiosk.find("keyDone").text()) == ("空白", "完了")
    kiosk.click("keySymbols")
    assert kiosk.find("keyLetters").isVisible()


def test_the_keyboard_can_be_turned_off_for_a_panel_with_keys(make_window):
    window = make_window(on_screen_keyboard=False)
    assert window.keyboard is None
    assert window.overlays() == [window.date_picker, window.idle_warning]


def test_done_closes_it_and_takes_the_focus_away(kiosk):
    kiosk.qtbot.mouseClick(kiosk.find("applicantId"), Qt.MouseButton.LeftButton)
    kiosk.click("keyDone")
    assert not kiosk.window.keyboard.isVisible()
    assert not kiosk.window.login.applicant_id.hasFocus()


def test_the_keyboard_follows_the_window_size(make_window, qtbot):
    window = make_window()
    kiosk = KioskDriver(qtbot, window)
    kiosk.qtbot.mouseClick(kiosk.find("applicantId"), Qt.MouseButton.LeftButton)
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.keyboard.width() == 1280)
    assert window.keyboard.geometry().bottom() == 799


def test_no_key_is_blank_and_the_ampersand_key_types_an_ampersand(kiosk, qtbot):
    """Issue #10: "&" on a button marks a shortcut in Qt, so a key labelled "&" showed nothing."""
    keyboard = kiosk.window.keyboard
    qtbot.mouseClick(kiosk.find("applicantId"), Qt.MouseButton.LeftButton)
    kiosk.click("keySymbols")
    for key in keyboard.findChildren(QPushButton):
        if key.objectName().startswith("key-"):
            shown = key.text().replace("&&", "&")
            assert shown == key.objectName().removeprefix("key-"), key.objectName()
            assert "&" not in key.text().replace("&&", ""), f"{key.objectName()} would show no character"
    kiosk.click("key-&")
    assert kiosk.window.login.applicant_id.text() == "&"
