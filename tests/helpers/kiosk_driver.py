"""Drive the kiosk window like a finger would: find widgets by objectName on the current screen, touch them.

Shared by the kiosk's widget tests (``tests/kiosk``) and the end-to-end test against a running demo
(``tests/e2e``); ``FakeClock`` drives the idle timeout. Qt is imported here: set ``QT_QPA_PLATFORM`` before
creating the QApplication (the conftests do)::

    kiosk = KioskDriver(qtbot, window)
    kiosk.login("demo", "demo")            # types, touches OK, waits for the list
    kiosk.touch_row(0); kiosk.click("listNext")
    kiosk.click("issueOk"); kiosk.wait_screen("done", timeout_ms=30_000)
"""

from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QTableView, QWidget

from kiosk.main_window import MainWindow

W = TypeVar("W", bound=QWidget)


class FakeClock:
    """Injected as ``build_window(..., clock=)``: the idle timeout runs on this time, advanced by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class KioskDriver:
    def __init__(self, qtbot: Any, window: MainWindow) -> None:
        self.qtbot = qtbot
        self.window = window

    # -- looking ----------------------------------------------------------------------------------
    @property
    def screen(self) -> str:
        return self.window.current_screen_name()

    def find(self, object_name: str, kind: type[W] = QWidget) -> W:  # type: ignore[assignment]
        """A widget on the current screen, or in the header (languageToggle, userName)."""
        for parent in (self.window.current_screen(), self.window.header):
            widget = parent.findChild(kind, object_name)
            if widget is not None:
                return widget
        raise LookupError(f"no {kind.__name__} named {object_name!r} on screen {self.screen!r}")

    def text(self, object_name: str) -> str:
        """A label's text as read (without the zero-width spaces that let long paths wrap)."""
        return self.find(object_name, QLabel).text().replace("\u200b", "")

    def visible_texts(self) -> list[str]:
        """Every text a person could read now: labels, buttons, fields and the visible table cells."""
        texts = []
        for root in (self.window.header, self.window.current_screen()):
            for widget in root.findChildren(QWidget):
                if not widget.isVisibleTo(self.window):
                    continue
                if isinstance(widget, QLabel | QAbstractButton | QLineEdit) and widget.text():
                    texts.append(widget.text())
        return texts

    @property
    def view(self) -> QTableView:
        return self.window.items_list.view

    # -- touching ---------------------------------------------------------------------------------
    def click(self, object_name: str) -> None:
        button = self.find(object_name, QAbstractButton)
        assert button.isVisible(), f"{object_name} is not visible on {self.screen}"
        assert button.isEnabled(), f"{object_name} is disabled on {self.screen}"
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def type(self, object_name: str, text: str) -> None:
        field = self.find(object_name, QLineEdit)
        field.setFocus()
        self.qtbot.keyClicks(field, text)

    def touch_row(self, row: int) -> None:
        index = self.view.model().index(row, 0)
        self.view.scrollTo(index)
        rect = self.view.visualRect(index)
        self.qtbot.mouseClick(self.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def wait_screen(self, name: str, timeout_ms: int = 5000) -> None:
        self.qtbot.waitUntil(lambda: self.screen == name, timeout=timeout_ms)

    def login(self, applicant_id: str = "demo", password: str = "demo", *, expect: str = "list") -> None:
        self.type("applicantId", applicant_id)
        self.type("password", password)
        self.click("loginOk")
        self.wait_screen(expect)

    def issue(self, rows: list[int], *, institution_index: int = 0, expect: str = "done") -> None:
        for row in rows:
            self.touch_row(row)
        self.click("listNext")
        self.wait_screen("confirm")
        self.window.confirm.combo.setCurrentIndex(institution_index)
        self.click("issueOk")
        self.wait_screen(expect)
