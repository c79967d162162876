"""A keyboard-wedge scanner's keys become one scan (issue #13); the camera button only where a camera can be used."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent

from kiosk.camera import camera_available, video_inputs
from kiosk.widgets.wedge import WedgeInput
from tests.helpers.kiosk_driver import FakeClock, KioskDriver


def key(text: str) -> QKeyEvent:
    code = Qt.Key.Key_Return if text == "\n" else Qt.Key.Key_A
    return QKeyEvent(QEvent.Type.KeyPress, code, Qt.KeyboardModifier.NoModifier, "" if text == "\n" else text)


def feed(wedge: WedgeInput, text: str) -> None:
    for char in text:
        wedge.key_pressed(key(char))


def test_keys_until_enter_are_one_scan(qtbot):
    clock = FakeClock()
    wedge = WedgeInput(max_chars=100, clock=clock)
    with qtbot.waitSignal(wedge.scanned) as scanned:
        feed(wedge, "GC1:ABC\n")
    assert scanned.args == ["GC1:ABC"]
    assert wedge.pending == ""


def test_a_pause_starts_a_new_scan_and_an_overlong_one_is_refused(qtbot):
    clock = FakeClock()
    wedge = WedgeInput(max_chars=8, clock=clock)
    feed(wedge, "x")  # a stray key press
    clock.advance(5)
    with qtbot.waitSignal(wedge.scanned) as scanned:
        feed(wedge, "GC1:A\n")
    assert scanned.args == ["GC1:A"]
    with qtbot.waitSignal(wedge.overflowed), qtbot.assertNotEmitted(wedge.scanned):
        feed(wedge, "GC1:0123456789\n")
    with qtbot.assertNotEmitted(wedge.scanned):
        feed(wedge, "\n")  # Enter alone is no scan


def test_no_camera_here_so_no_camera_button(window, qtbot):
    assert video_inputs() == 0, "this machine has no QtMultimedia or no camera"
    assert camera_available() is False
    kiosk = KioskDriver(qtbot, window)
    kiosk.click("loginVerify")
    assert not window.verify.camera.isVisible()
    assert not window.verify.camera_available


def test_where_a_camera_can_be_used_its_button_is_shown(make_window, qtbot):
    window = make_window(camera=True)
    KioskDriver(qtbot, window).click("loginVerify")
    assert window.verify.camera.isVisible()
