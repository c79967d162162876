"""Dates by touch for the usage period (S201): one touch on a big day button; months step with ◀ ▶."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QPushButton

from tests.helpers.kiosk_driver import KioskDriver

MIN_TARGET = 48


@pytest.fixture
def kiosk(make_window, qtbot):
    return KioskDriver(qtbot, make_window(mode="manual"))


def test_touching_a_date_field_opens_the_picker_on_its_month(kiosk):
    kiosk.click("periodStart")
    picker = kiosk.window.date_picker
    assert picker.isVisible() and picker.geometry() == kiosk.window.rect()
    assert kiosk.text("pickerTitle") == "Choose the first day of the period"
    assert kiosk.text("monthTitle") == "October 2026"
    assert picker.button_for(1).property("selected") is True
    first = picker.days.index(picker.button_for(1))
    assert first == 4, "1 October 2026 is a Thursday; weeks start on Sunday"
    assert not any(b.isVisible() for b in picker.days if b.objectName() == "dayEmpty")


def test_one_touch_on_a_day_sets_the_field_and_closes(kiosk):
    kiosk.pick_date("periodEnd", date(2027, 2, 28))
    assert kiosk.window.manual.last_day.date() == date(2027, 2, 28)
    assert kiosk.find("periodEnd").text().startswith("2027-02-28")


def test_months_step_across_years(kiosk):
    kiosk.click("periodStart")
    for _ in range(10):
        kiosk.click("previousMonth")
    assert kiosk.text("monthTitle") == "December 2025"
    assert [b.text() for b in kiosk.window.date_picker.days if b.isVisible()][-1] == "31"


def test_cancel_leaves_the_date_as_it_was(kiosk):
    kiosk.click("periodStart")
    kiosk.click("nextMonth")
    kiosk.click("back")
    assert not kiosk.window.date_picker.isVisible()
    assert kiosk.window.manual.first_day.date() == date(2026, 10, 1)
    assert kiosk.screen == "manual"


def test_japanese(kiosk):
    kiosk.click("languageToggle")
    assert kiosk.find("periodStart").text().startswith("2026年10月1日")
    kiosk.click("periodStart")
    assert kiosk.text("monthTitle") == "2026年 10月"
    assert kiosk.text("pickerTitle") == "期間の最初の日を選んでください"


def test_every_button_of_the_picker_is_big_enough(kiosk, qtbot):
    kiosk.click("periodStart")
    qtbot.wait(1)
    buttons = [b for b in kiosk.window.date_picker.findChildren(QPushButton) if b.isVisible()]
    assert len(buttons) == 31 + 3
    for button in buttons:
        assert button.height() >= MIN_TARGET and button.width() >= MIN_TARGET, (button.objectName(), button.size())
