"""The kiosk window: a header (title, signed-in name, language button) over a stack of screens.

Navigation only; what happens when a button is touched is decided by ``kiosk.flow.KioskFlow``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.i18n import Language, other_language, tr
from kiosk.qt_compat import emit
from kiosk.screens.already_issued import AlreadyIssuedScreen
from kiosk.screens.base import Screen, label, named, touch_button
from kiosk.screens.confirm import ConfirmScreen
from kiosk.screens.done import DoneScreen
from kiosk.screens.error import ErrorScreen
from kiosk.screens.items_list import ItemsListScreen
from kiosk.screens.login import LoginScreen
from kiosk.screens.progress import ProgressScreen

if TYPE_CHECKING:
    from kiosk.flow import KioskFlow

PANEL_SIZE = (1024, 600)  # a typical MFP operation panel


class MainWindow(QWidget):
    screenChanged = Signal(str)
    languageChanged = Signal(str)

    def __init__(self, lang: Language = "ja", *, timezone: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskWindow")
        self._lang: Language = lang
        self._user_name: str | None = None
        self.flow: KioskFlow | None = None  # set by kiosk.app.build_window

        self.header = named(QFrame(), "header")
        self.app_title = label("appTitle", role="appTitle", wrap=False)
        self.user_name = label("userName", role="userName", wrap=False)
        self.language_toggle = touch_button("languageToggle")
        self.language_toggle.setMinimumWidth(140)
        header_row = QHBoxLayout(self.header)
        header_row.setContentsMargins(24, 4, 12, 4)
        header_row.addWidget(self.app_title)
        header_row.addStretch(1)
        header_row.addWidget(self.user_name)
        header_row.addSpacing(16)
        header_row.addWidget(self.language_toggle)

        self.login = LoginScreen(lang)
        self.items_list = ItemsListScreen(lang, timezone=timezone)
        self.confirm = ConfirmScreen(lang, timezone=timezone)
        self.progress = ProgressScreen(lang)
        self.done = DoneScreen(lang)
        self.already_issued = AlreadyIssuedScreen(lang)
        self.error = ErrorScreen(lang)
        self._screens: dict[str, Screen] = {}
        self.stack = named(QStackedWidget(), "stack")
        for screen in (self.login, self.items_list, self.confirm, self.progress, self.done,
                       self.already_issued, self.error):
            self._screens[screen.name] = screen
            screen_layout = screen.layout()
            if screen_layout is not None:
                screen_layout.setContentsMargins(32, 16, 32, 20)
            self.stack.addWidget(screen)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)

        self.language_toggle.clicked.connect(self.toggle_language)
        self.resize(*PANEL_SIZE)
        self._retranslate_header()

    # -- navigation -------------------------------------------------------------------------------
    def screen_names(self) -> list[str]:
        return list(self._screens)

    def screen_named(self, name: str) -> Screen:
        return self._screens[name]

    def current_screen(self) -> Screen:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    def current_screen_name(self) -> str:
        return self.current_screen().name

    def show_screen(self, name: str) -> None:
        screen = self._screens[name]
        if self.stack.currentWidget() is not screen:
            self.stack.setCurrentWidget(screen)
        emit(self.screenChanged, name)

    # -- language and header ----------------------------------------------------------------------
    @property
    def language(self) -> Language:
        return self._lang

    def set_language(self, lang: Language) -> None:
        self._lang = lang
        for screen in self._screens.values():
            screen.set_language(lang)
        self._retranslate_header()
        emit(self.languageChanged, lang)

    def toggle_language(self) -> None:
        self.set_language(other_language(self._lang))

    def set_user_name(self, name: str | None) -> None:
        self._user_name = name
        self._retranslate_header()

    def _retranslate_header(self) -> None:
        self.app_title.setText(tr(self._lang, "app.title"))
        self.language_toggle.setText(tr(self._lang, "lang.toggle"))
        self.user_name.setText(tr(self._lang, "header.user", name=self._user_name) if self._user_name else "")
        self.setWindowTitle(tr(self._lang, "app.title"))

    def clear_personal_data(self) -> None:
        """Logout / idle timeout: no name, id, amount or password may stay on any screen."""
        for screen in self._screens.values():
            screen.clear()
        self.set_user_name(None)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.flow is not None:
            self.flow.shutdown()
        super().closeEvent(event)
