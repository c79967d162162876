"""Drive the kiosk window like a finger would: find widgets by objectName on the current screen, touch them.

Shared by the kiosk's widget tests (``tests/kiosk``) and the end-to-end test against a running demo
(``tests/e2e``); ``FakeClock`` drives the idle timeout. Qt is imported here: set ``QT_QPA_PLATFORM`` before
creating the QApplication (the conftests do)::

    kiosk = KioskDriver(qtbot, window)
    kiosk.login("demo", "demo")            # types, touches OK, waits for the list
    kiosk.touch_row(0); kiosk.click("listNext")
    kiosk.click("issueOk"); kiosk.wait_screen("done", timeout_ms=30_000)
    kiosk.tap("applicantId", "Demo-1")      # touches the field and types on the on-screen keyboard
    kiosk.request("demo", "demo", date(2026, 10, 1), date(2026, 10, 31), "solar")  # the manual form (S202),
                                                                                    # then "Issue" on its summary
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QTableView, QWidget

from kiosk.core.phrases import plain
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
        """A widget on an open overlay (keyboard, date picker, idle warning), on the current screen, or in the
        header (languageToggle, userName, settingsButton); visible ones first."""
        parents = [o for o in self.window.overlays() if o.isVisible()]
        parents += [self.window.current_screen(), self.window.header]
        for parent in parents:
            found = parent.findChildren(kind, object_name)
            visible = [w for w in found if w.isVisibleTo(self.window)]
            if visible or found:
                return (visible or found)[0]
        raise LookupError(f"no {kind.__name__} named {object_name!r} on screen {self.screen!r}")

    def text(self, object_name: str) -> str:
        """A label's text as read (without the invisible marks that let long paths and Japanese phrases wrap)."""
        return plain(self.find(object_name, QLabel).text())

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

    def row_of(self, item: Any) -> int:
        """The list's row showing ``item`` (the list puts renewable rows first, not in the server's order)."""
        model = self.window.items_list.model
        rows = [row for row in range(model.rowCount()) if model.item(row).item_id == item.item_id]
        assert rows, f"no row shows {item.item_id}"
        return rows[0]

    def touch_item(self, item: Any) -> None:
        self.touch_row(self.row_of(item))

    def touch_row(self, row: int) -> None:
        index = self.view.model().index(row, 0)
        self.view.scrollTo(index)
        rect = self.view.visualRect(index)
        # On a list taller than its view, QScroller holds the press back until it knows the finger is not
        # dragging, then replays it to the widget at its *global* position: any other kiosk window of the test
        # steps aside meanwhile (the offscreen platform does not stack windows by what was raised last), and the
        # touch has landed once the view says it was pressed.
        others = [w for w in QApplication.topLevelWidgets()
                  if isinstance(w, MainWindow) and w is not self.window and w.isVisible()]
        places = [w.pos() for w in others]
        for other in others:
            other.move(other.x(), other.y() + 10_000)
        try:
            with self.qtbot.waitSignal(self.view.pressed, timeout=3000):
                self.qtbot.mouseClick(self.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        finally:
            for other, place in zip(others, places, strict=True):
                other.move(place)

    def tap(self, object_name: str, text: str) -> None:
        """Touch a text field and type ``text`` on the on-screen keyboard, then close the keyboard."""
        field = self.find(object_name, QLineEdit)
        self.qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
        keyboard = self.window.keyboard
        assert keyboard is not None and keyboard.isVisible(), "the keyboard did not open"
        for char in text:
            if keyboard.current_page() == "digits":
                self.click(f"pad-{char}")
                continue
            letter = char.lower() if char.isalpha() and char.isascii() else None
            wanted = "letters" if letter is not None or char in "@_-." else "symbols"
            if keyboard.current_page() != wanted:
                self.click("keySymbols" if wanted == "symbols" else "keyLetters")
            if letter is not None and char.isupper():
                self.click("keyShift")
            self.click(f"key-{letter or char}")
        self.click("keyDone" if keyboard.current_page() != "digits" else "padDone")

    def pick_date(self, object_name: str, day: date) -> None:
        """Touch a date field, step to ``day``'s month and touch the day."""
        self.click(object_name)
        picker = self.window.date_picker
        assert picker.isVisible(), "the date picker did not open"
        for _ in range(240):
            shown = (picker._year, picker._month)
            if shown == (day.year, day.month):
                break
            self.click("nextMonth" if shown < (day.year, day.month) else "previousMonth")
        self.click(f"day-{day.day}")
        assert not picker.isVisible()

    def request(self, applicant_id: str, password: str, first: date, last: date, method: str, *,
                institution_index: int = 0, expect: str | None = "done") -> None:
        """Fill the manual form (S202) and touch OK; on the summary that follows, touch "Issue" (unless ``expect``
        is "manualConfirm"); wait for ``expect`` (None: do not wait)."""
        self.type("applicantId", applicant_id)
        self.type("password", password)
        self.pick_date("periodStart", first)
        self.pick_date("periodEnd", last)
        self.click(f"method-{method}")
        self.qtbot.waitUntil(lambda: self.window.manual.types_loaded)
        self.window.manual.institution.setCurrentIndex(institution_index)
        self.click("manualOk")
        if expect is None:
            return
        try:
            self.qtbot.waitUntil(lambda: self.screen in ("manualConfirm", expect), timeout=5000)
        except Exception:
            raise AssertionError(f"expected screen {expect!r} or the summary, found {self.screen!r}: "
                                 f"{self.visible_texts()}") from None
        if self.screen == "manualConfirm" and expect != "manualConfirm":
            self.click("manualIssue")
        self.wait_screen(expect)

    def wait_screen(self, name: str, timeout_ms: int = 5000) -> None:
        try:
            self.qtbot.waitUntil(lambda: self.screen == name, timeout=timeout_ms)
        except Exception:
            raise AssertionError(f"expected screen {name!r} within {timeout_ms} ms, found {self.screen!r}: "
                                 f"{self.visible_texts()}") from None

    def login(self, applicant_id: str = "demo", password: str = "demo", *, expect: str = "list") -> None:
        self.type("applicantId", applicant_id)
        self.type("password", password)
        self.click("loginOk")
        self.wait_screen(expect)

    def issue(self, rows: list[int], *, institution_index: int = 0, expect: str = "done",
              timeout_ms: int = 5000) -> None:
        for row in rows:
            self.touch_row(row)
        self.click("listNext")
        self.wait_screen("confirm")
        self.window.confirm.combo.setCurrentIndex(institution_index)
        self.click("issueOk")
        self.wait_screen(expect, timeout_ms=timeout_ms)
