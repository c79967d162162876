"""Dates by touch (S201: the usage period): a field that shows a date, and a month of big day buttons.

``QDateEdit``'s spin arrows and ``QCalendarWidget``'s cells are far below 48 px on a 1024x600 panel, so the
picker is our own: ``DateField`` (a button showing the date) asks the window's one ``DatePicker`` overlay to
open; one touch on a day sets the field and closes it. Weeks start on Sunday, as Japanese calendars do.
"""

from __future__ import annotations

import calendar
import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.language import Language
from kiosk.i18n import format_date, month_title, tr, weekday_names
from kiosk.qt_compat import emit
from kiosk.widgets.controls import TOUCH_MIN_PX, button_row, label, touch_button
from kiosk.widgets.overlay import Overlay

DAY_SIZE = (72, 48)
WEEKS = 6


class DateField(QPushButton):
    """Shows its date; touching it emits ``pickRequested`` (the window opens the picker)."""

    dateChanged = Signal(object)
    pickRequested = Signal()

    def __init__(self, object_name: str, title_id: str, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setProperty("role", "date")
        self.setMinimumSize(200, TOUCH_MIN_PX)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAutoDefault(False)
        self.title_id = title_id  # what the picker asks: "Choose the first day of the period"
        self._lang: Language = lang
        self._date: dt.date = dt.date.today()
        self.clicked.connect(self.pickRequested)
        self._show()

    def date(self) -> dt.date:
        return self._date

    def set_date(self, day: dt.date) -> None:
        changed = day != self._date
        self._date = day
        self._show()
        if changed:
            emit(self.dateChanged, day)

    def set_language(self, lang: Language) -> None:
        self._lang = lang
        self._show()

    def _show(self) -> None:
        self.setText(f"{format_date(self._date, self._lang)}  ▾")


class DatePicker(Overlay):
    picked = Signal(object)  # the chosen date

    def __init__(self, window: QWidget, lang: Language) -> None:
        super().__init__(window, "datePicker", lang)
        self._field: DateField | None = None
        self._year, self._month = dt.date.today().year, dt.date.today().month
        self._selected: dt.date | None = None
        panel = QFrame(self)
        panel.setObjectName("overlayPanel")
        self.title = label("pickerTitle", role="summary")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.previous = touch_button("previousMonth")
        self.next = touch_button("nextMonth")
        for button in (self.previous, self.next):
            button.setMinimumWidth(96)
        self.month = label("monthTitle", role="title", wrap=False)
        self.month.setAlignment(Qt.AlignmentFlag.AlignCenter)
        nav = QHBoxLayout()
        nav.addWidget(self.previous)
        nav.addWidget(self.month, 1)
        nav.addWidget(self.next)

        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        self.weekdays = [QLabel() for _ in range(7)]
        for column, weekday in enumerate(self.weekdays):
            weekday.setObjectName("weekday")
            weekday.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(weekday, 0, column)
        self.days: list[QPushButton] = []
        for cell in range(7 * WEEKS):
            button = QPushButton()
            button.setProperty("role", "day")
            button.setFixedSize(*DAY_SIZE)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            policy = button.sizePolicy()
            policy.setRetainSizeWhenHidden(True)  # the grid does not jump between months
            button.setSizePolicy(policy)
            self._connect_day(button)
            grid.addWidget(button, 1 + cell // 7, cell % 7)
            self.days.append(button)
        self.cancel = touch_button("back")

        inner = QVBoxLayout(panel)
        inner.setContentsMargins(20, 12, 20, 12)
        inner.setSpacing(8)
        inner.addWidget(self.title)
        inner.addLayout(nav)
        inner.addLayout(grid)
        inner.addLayout(button_row(self.cancel))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignCenter)

        self.previous.clicked.connect(lambda: self.show_month(*_shift(self._year, self._month, -1)))
        self.next.clicked.connect(lambda: self.show_month(*_shift(self._year, self._month, +1)))
        self.cancel.clicked.connect(self.close_overlay)
        self.retranslate()

    def _connect_day(self, button: QPushButton) -> None:
        button.clicked.connect(lambda: self._day_touched(button))

    def pick_for(self, field: DateField) -> None:
        self._field = field
        self._selected = field.date()
        self.show_month(self._selected.year, self._selected.month)
        self.open()

    def show_month(self, year: int, month: int) -> None:
        self._year, self._month = year, month
        first_weekday, length = calendar.monthrange(year, month)  # Monday = 0
        offset = (first_weekday + 1) % 7  # Sunday first
        for cell, button in enumerate(self.days):
            day = cell - offset + 1
            if 1 <= day <= length:
                button.setObjectName(f"day-{day}")
                button.setText(str(day))
                button.setProperty("selected", self._selected == dt.date(year, month, day))
                button.style().unpolish(button)
                button.style().polish(button)
                button.show()
            else:
                button.setObjectName("dayEmpty")
                button.hide()
        self.month.setText(month_title(year, month, self.lang))

    def button_for(self, day: int) -> QPushButton:
        return next(b for b in self.days if b.objectName() == f"day-{day}")

    def retranslate(self) -> None:
        self.previous.setText("◀")
        self.next.setText("▶")
        self.cancel.setText(self.t("button.cancel"))
        for weekday, name in zip(self.weekdays, weekday_names(self.lang), strict=True):
            weekday.setText(name)
        self.month.setText(month_title(self._year, self._month, self.lang))
        self.title.setText(tr(self.lang, self._field.title_id) if self._field is not None else "")

    def open(self) -> None:
        self.retranslate()
        super().open()

    def _day_touched(self, button: QPushButton) -> None:
        day = dt.date(self._year, self._month, int(button.text()))
        field = self._field
        self.close_overlay()
        if field is not None:
            field.set_date(day)
        emit(self.picked, day)


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1
