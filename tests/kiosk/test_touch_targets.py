"""Kiosk rules: touch targets at least 48 px high, a back/cancel on every screen, no hover effects."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

from kiosk.app import STYLESHEET
from kiosk.main_window import PANEL_SIZE
from kiosk.widgets.controls import TOUCH_MIN_PX
from tests.kiosk.test_language_switch import put_every_screen_in_a_state

MIN_TARGET = 48
WAY_BACK = {"back", "logout", "printAnother"}
SECTIONS = ("general", "printer", "pin")


def interactive_widgets(root):
    return [w for w in root.findChildren(QAbstractButton) + root.findChildren(QLineEdit)
            + root.findChildren(QComboBox) if w.isVisible()]


def views(window):
    """Every screen, every section of the settings screen, and the idle warning and date picker overlays."""
    for name in window.screen_names():
        window.show_screen(name)
        if name == "settings":
            for section in SECTIONS:
                window.settings.show_section(section)
                yield f"settings/{section}", window.current_screen()
        else:
            yield name, window.current_screen()
    window.show_screen("manual")
    window.date_picker.pick_for(window.manual.first_day)
    yield "datePicker", window.date_picker
    window.date_picker.close_overlay()
    window.idle_warning.show_countdown(20)
    yield "idleWarning", window.idle_warning
    window.idle_warning.close_overlay()


def assert_big_enough(widgets, where):
    for widget in widgets:
        if widget.objectName().startswith("qt_"):
            continue  # Qt's internal buttons (e.g. the table's corner button)
        assert widget.height() >= MIN_TARGET, (*where, widget.objectName(), widget.height())
        assert widget.width() >= MIN_TARGET, (*where, widget.objectName(), widget.width())


def test_every_target_on_every_screen_is_big_enough(window, fake, qtbot):
    put_every_screen_in_a_state(window, fake)
    assert TOUCH_MIN_PX >= MIN_TARGET
    for lang in ("en", "ja"):
        window.set_language(lang)
        for name, root in views(window):
            qtbot.wait(1)
            widgets = interactive_widgets(root)
            assert widgets, name
            assert_big_enough(widgets + interactive_widgets(window.header), (lang, name))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_screen_fits_the_panel(window, fake, lang):
    """No screen may ask for more than 1024x600 (a wider one would push the window off the panel)."""
    put_every_screen_in_a_state(window, fake)
    window.set_language(lang)
    hint = window.minimumSizeHint()
    assert hint.width() <= PANEL_SIZE[0] and hint.height() <= PANEL_SIZE[1], hint
    assert (window.width(), window.height()) == PANEL_SIZE


def test_every_screen_has_a_visible_way_back(window, fake):
    put_every_screen_in_a_state(window, fake)
    for name in window.screen_names():
        window.show_screen(name)
        names = {w.objectName() for w in interactive_widgets(window.current_screen())}
        assert names & WAY_BACK, (name, names)


def test_list_rows_are_touch_sized(kiosk):
    kiosk.login()
    assert kiosk.view.rowHeight(0) >= MIN_TARGET
    assert kiosk.view.verticalScrollBar().sizeHint().width() >= 0  # exists; width set by the style sheet


def test_combo_popup_rows_are_touch_sized(kiosk, qtbot):
    kiosk.login()
    kiosk.touch_row(0)
    kiosk.click("listNext")
    view = kiosk.window.confirm.combo.view()
    view.ensurePolished()  # the popup is not opened: the offscreen platform cannot grab the keyboard
    assert view.sizeHintForRow(0) >= MIN_TARGET


def test_style_sheet_has_no_hover_effects():
    qss = STYLESHEET.read_text(encoding="utf-8")
    assert ":hover" not in qss
    assert "min-height: 56px" in qss
